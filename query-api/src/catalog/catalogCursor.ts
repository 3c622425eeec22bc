/**
 * Page cursors of the catalogue's lists: the sort key of the last item, as query-api/src/cursor.ts
 * makes them, led by a tag naming the list, its sort order and a digest of its words and filters,
 * so that a cursor given out for one search is refused (400) by another instead of skipping or
 * repeating items silently. Every part is checked before it reaches SQL.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '@bdbazar/shared-kernel';
import { decodeCursor, encodeCursor } from '../cursor';

export type KeyPart = 'uuid' | 'timestamp' | 'integer' | 'number' | 'decimal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DECIMAL = /^\d{1,3}(\.\d{1,6})?$/;

/** What a cursor is for: the list and sort order, and everything else that selects its items. */
export function cursorTag(list: string, selection: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.keys(selection).sort().map((key) => [key, selection[key] ?? null]));
  return `${list}:${createHash('sha256').update(canonical).digest('base64url').slice(0, 16)}`;
}

export function makeCursor(tag: string, key: Array<string | number>): string {
  return encodeCursor([tag, ...key]);
}

const refused = (): ValidationError => new ValidationError('The cursor is not one this API gave out; start again without it.', { field: 'cursor' });

/** The sort key a cursor carries, or null without one; a 400 for a cursor of another list, search or sort. */
export function readCursor(cursor: string | undefined, tag: string, shape: readonly KeyPart[]): Array<string | number> | null {
  const decoded = decodeCursor(cursor, ['string', ...shape.map((part) => (part === 'integer' || part === 'number' ? ('number' as const) : ('string' as const)))]);
  if (decoded === null) return null;
  if (decoded[0] !== tag) {
    throw new ValidationError(
      'The cursor belongs to another list, search or sort order than this one; ask for the first page again without a cursor, or send the same words, filters and sort as before.',
      { field: 'cursor' },
    );
  }
  const key = decoded.slice(1);
  shape.forEach((part, i) => {
    const value = key[i];
    const fine =
      part === 'uuid'
        ? typeof value === 'string' && UUID.test(value)
        : part === 'timestamp'
          ? typeof value === 'string' && TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value))
          : part === 'integer'
            ? Number.isSafeInteger(value)
            : part === 'decimal'
              ? typeof value === 'string' && DECIMAL.test(value)
              : typeof value === 'number' && Number.isFinite(value);
    if (!fine) throw refused();
  });
  return key;
}
