import { ValidationError } from '@bdbazar/shared-kernel';
import { placedRange } from './placedRange';

describe('the placed-at range of the order lists', () => {
  it('reads a date as a whole day in Bangladesh, both ends included', () => {
    expect(placedRange('2025-03-01', '2025-03-01')).toEqual({ from: '2025-02-28T18:00:00.000Z', to: '2025-03-01T18:00:00.000Z', toIncluded: false });
  });

  it('reads a date-time as the instant it names, in any offset, included', () => {
    expect(placedRange('2025-03-01T10:00:00+06:00', '2025-03-01T10:30:00.250Z')).toEqual({ from: '2025-03-01T04:00:00.000Z', to: '2025-03-01T10:30:00.250Z', toIncluded: true });
  });

  it('leaves an end out that is not given', () => {
    expect(placedRange(undefined, undefined)).toEqual({ toIncluded: true });
    expect(placedRange('2024-12-31', undefined)).toEqual({ from: '2024-12-30T18:00:00.000Z', toIncluded: true });
    expect(placedRange(undefined, '2024-02-29')).toEqual({ to: '2024-02-29T18:00:00.000Z', toIncluded: false });
  });

  it('refuses a day the calendar does not have', () => {
    expect(() => placedRange('2025-02-29', undefined)).toThrow(new ValidationError('from must be a date (2025-03-01, a whole day in Bangladesh) or a date-time with its offset (2025-03-01T10:00:00Z); got "2025-02-29".'));
  });

  it('refuses a start after the end, and takes one moment as a range', () => {
    expect(() => placedRange('2025-03-02', '2025-03-01')).toThrow(/from \(2025-03-02\) is after to \(2025-03-01\)/);
    expect(() => placedRange('2025-03-01T10:00:00Z', '2025-03-01T09:59:59Z')).toThrow(ValidationError);
    expect(placedRange('2025-03-01T10:00:00Z', '2025-03-01T10:00:00Z')).toEqual({ from: '2025-03-01T10:00:00.000Z', to: '2025-03-01T10:00:00.000Z', toIncluded: true });
    // The day's last hours in UTC are the next day in Bangladesh: a date-time start late on 1 March UTC still falls inside 2 March.
    expect(placedRange('2025-03-01T20:00:00Z', '2025-03-02')).toEqual({ from: '2025-03-01T20:00:00.000Z', to: '2025-03-02T18:00:00.000Z', toIncluded: false });
  });
});
