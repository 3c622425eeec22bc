import { ValidationError } from '@bdbazar/shared-kernel';
import { decodeCursor, encodeCursor, type KeyPart } from './cursor';

const cursorOf = (json: string): string => Buffer.from(json).toString('base64url');
const SHAPE: KeyPart[] = ['timestamp', 'uuid'];

describe('page cursors', () => {
  it('give back the key they were made of', () => {
    const key = ['2026-11-25T08:47:37.525Z', '6d2f3a52-6f0a-4c55-9a53-0f4c8f7d1b21'];
    expect(decodeCursor(encodeCursor(key), SHAPE)).toEqual(key);
    expect(decodeCursor(undefined, SHAPE)).toBeNull();
    expect(decodeCursor(encodeCursor([12, '0.5', 3.25]), ['integer', 'decimal', 'number'])).toEqual([12, '0.5', 3.25]);
  });

  it.each([
    ['not base64 JSON', 'bm90IGEgY3Vyc29y'],
    ['not an array', cursorOf('{}')],
    ['too short', cursorOf('["2026-11-25T08:47:37.525Z"]')],
    ['a timestamp that is not one', cursorOf('["not a date","6d2f3a52-6f0a-4c55-9a53-0f4c8f7d1b21"]')],
    ['an impossible time', cursorOf('["2026-02-28T25:61:00.000Z","6d2f3a52-6f0a-4c55-9a53-0f4c8f7d1b21"]')],
    ['a day the month does not have', cursorOf('["2026-02-31T10:00:00.000Z","6d2f3a52-6f0a-4c55-9a53-0f4c8f7d1b21"]')],
    ['a uuid that is not one', cursorOf('["2026-11-25T08:47:37.525Z","x"]')],
    ['a NUL character', cursorOf('["\\u0000","6d2f3a52-6f0a-4c55-9a53-0f4c8f7d1b21"]')],
  ])('refuse %s with a 400 before it reaches SQL', (_what, cursor) => {
    expect(() => decodeCursor(cursor, SHAPE)).toThrow(ValidationError);
    expect(() => decodeCursor(cursor, SHAPE)).toThrow('The cursor is not one this API gave out; start again without it.');
  });

  it('refuse numbers that are not finite or not whole where whole ones are expected', () => {
    expect(() => decodeCursor(cursorOf('[1e309]'), ['number'])).toThrow(ValidationError);
    expect(() => decodeCursor(cursorOf('[1.5]'), ['integer'])).toThrow(ValidationError);
    expect(() => decodeCursor(cursorOf('["1.5"]'), ['integer'])).toThrow(ValidationError);
    expect(() => decodeCursor(cursorOf('["1234.5"]'), ['decimal'])).toThrow(ValidationError);
  });
});
