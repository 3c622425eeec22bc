/**
 * The `from` and `to` filters of the order lists, on when an order was placed: each a date or a
 * date-time with its offset (OpenAPI has checked the form). A date is a whole day in Bangladesh
 * (UTC+06:00, no daylight saving): `from` starts at its first moment, `to` takes in all of it.
 * A date-time is an instant, and both bounds include it.
 */
import { ValidationError } from '@bdbazar/shared-kernel';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const BANGLADESH_OFFSET_MS = 6 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PlacedRange {
  /** Inclusive. */
  from?: string;
  /** Inclusive when `toIncluded`, else exclusive (the first moment after a whole day). */
  to?: string;
  toIncluded: boolean;
}

/** The first moment of a date in Bangladesh, or null for a date the calendar does not have (2025-02-30). */
function startOfDay(date: string): number | null {
  const match = DATE.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utcMidnight = Date.UTC(year, month - 1, day);
  const check = new Date(utcMidnight);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return utcMidnight - BANGLADESH_OFFSET_MS;
}

function bound(name: 'from' | 'to', value: string): { at: number; wholeDay: boolean } {
  const day = startOfDay(value);
  if (day !== null) return { at: day, wholeDay: true };
  const instant = DATE.test(value) ? Number.NaN : Date.parse(value);
  if (Number.isNaN(instant)) {
    throw new ValidationError(`${name} must be a date (2025-03-01, a whole day in Bangladesh) or a date-time with its offset (2025-03-01T10:00:00Z); got ${JSON.stringify(value)}.`, {
      field: name,
    });
  }
  return { at: instant, wholeDay: false };
}

export function placedRange(from: string | undefined, to: string | undefined): PlacedRange {
  const start = from === undefined ? undefined : bound('from', from);
  const end = to === undefined ? undefined : bound('to', to);
  const range: PlacedRange = { toIncluded: true };
  if (start) range.from = new Date(start.at).toISOString();
  if (end) {
    range.to = new Date(end.wholeDay ? end.at + DAY_MS : end.at).toISOString();
    range.toIncluded = !end.wholeDay;
  }
  if (start && end && (end.wholeDay ? end.at + DAY_MS <= start.at : end.at < start.at)) {
    throw new ValidationError(`from (${from}) is after to (${to}); swap them, or leave one out.`, { field: 'from' });
  }
  return range;
}
