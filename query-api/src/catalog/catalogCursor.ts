/**
 * Page cursors of the catalogue's lists: the sort key of the last item, as query-api/src/cursor.ts
 * makes them, led by a tag naming the list, its sort order and a digest of its words and filters,
 * so that a cursor given out for one search is refused (400) by another instead of skipping or
 * repeating items silently. Every part is checked before it reaches SQL (see ../cursor.ts).
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '@bdbazar/shared-kernel';
import { checkedKey, encodeCursor, parseCursor, type KeyPart } from '../cursor';

/** What a cursor is for: the list and sort order, and everything else that selects its items. */
export function cursorTag(list: string, selection: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.keys(selection).sort().map((key) => [key, selection[key] ?? null]));
  return `${list}:${createHash('sha256').update(canonical).digest('base64url').slice(0, 16)}`;
}

export function makeCursor(tag: string, key: Array<string | number>): string {
  return encodeCursor([tag, ...key]);
}

/** The sort key a cursor carries, or null without one; a 400 for a cursor of another list, search or sort. */
export function readCursor(cursor: string | undefined, tag: string, shape: readonly KeyPart[]): Array<string | number> | null {
  const key = parseCursor(cursor);
  if (key === null) return null;
  if (key[0] !== tag) {
    throw new ValidationError(
      'The cursor belongs to another list, search or sort order than this one; ask for the first page again without a cursor, or send the same words, filters and sort as before.',
      { field: 'cursor' },
    );
  }
  return checkedKey(key.slice(1), shape);
}
