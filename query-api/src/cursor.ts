/** Opaque page cursors: the sort key of the last item of a page, base64url JSON. */
import { ValidationError } from '@bdbazar/shared-kernel';

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a cursor carries, checked against the shape the query expects. */
export function decodeCursor(cursor: string | undefined, shape: readonly ('string' | 'number')[]): (string | number)[] | null {
  if (cursor === undefined) return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((part, i) => typeof part !== shape[i])) {
    throw new ValidationError('The cursor is not one this API gave out; start again without it.', { field: 'cursor' });
  }
  return key as (string | number)[];
}
