/**
 * Opaque page cursors: the sort key of the last item of a page, base64url JSON. Every part of a
 * key is checked against the kind the query expects before it reaches SQL: a cursor a client made
 * up or damaged is a 400, never a failed cast in PostgreSQL.
 */
import { ValidationError } from '@bdbazar/shared-kernel';

/** What a part of a sort key is. */
export type KeyPart = 'uuid' | 'timestamp' | 'integer' | 'number' | 'decimal';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DECIMAL = /^\d{1,3}(\.\d{1,6})?$/;

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function fits(part: KeyPart, value: unknown): boolean {
  switch (part) {
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'timestamp': {
      // The round trip also refuses 2026-02-31, which Date.parse rolls over and PostgreSQL refuses.
      if (typeof value !== 'string' || !TIMESTAMP.test(value)) return false;
      const time = Date.parse(value);
      return !Number.isNaN(time) && new Date(time).toISOString() === value;
    }
    case 'integer':
      return Number.isSafeInteger(value);
    case 'decimal':
      return typeof value === 'string' && DECIMAL.test(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
  }
}

const notOurs = (): ValidationError => new ValidationError('The cursor is not one this API gave out; start again without it.', { field: 'cursor' });

/** The JSON array a cursor carries, unchecked; null without a cursor, a 400 for one that is not an array. */
export function parseCursor(cursor: string | undefined): unknown[] | null {
  if (cursor === undefined) return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key)) throw notOurs();
  return key as unknown[];
}

/** The key, each part of the kind `shape` says, or a 400. */
export function checkedKey(key: readonly unknown[], shape: readonly KeyPart[]): (string | number)[] {
  if (key.length !== shape.length || key.some((part, i) => !fits(shape[i]!, part))) throw notOurs();
  return key as (string | number)[];
}

/** The sort key a cursor carries, each part of the kind `shape` says; null without a cursor, a 400 for one this API did not give out. */
export function decodeCursor(cursor: string | undefined, shape: readonly KeyPart[]): (string | number)[] | null {
  const key = parseCursor(cursor);
  return key === null ? null : checkedKey(key, shape);
}
