/**
 * Positions are two unsigned 64-bit numbers, zero-padded to a fixed width so that plain string
 * comparison orders them: `<transaction id>/<sequence>` in the SQL adapters,
 * `<commit>/<prepare>` in EventStoreDB.
 */
import { EventStoreArgumentError } from './errors';
import type { Position } from './eventStore';

const WIDTH = 20;
const POSITION_PATTERN = /^\d{20}\/\d{20}$/;

export function encodePosition(major: bigint | string | number, minor: bigint | string | number): Position {
  return `${String(major).padStart(WIDTH, '0')}/${String(minor).padStart(WIDTH, '0')}`;
}

export function decodePosition(position: Position): { major: bigint; minor: bigint } {
  assertPosition(position);
  const [major, minor] = position.split('/') as [string, string];
  return { major: BigInt(major), minor: BigInt(minor) };
}

export function isPosition(value: unknown): value is Position {
  return typeof value === 'string' && POSITION_PATTERN.test(value);
}

export function assertPosition(value: unknown, what = 'position'): asserts value is Position {
  if (!isPosition(value)) {
    throw new EventStoreArgumentError(
      `The ${what} ${JSON.stringify(value)} is not a position of this store; pass a position the store returned (20 digits, '/', 20 digits).`,
      { [what]: value },
    );
  }
}

/** Negative when `a` comes before `b`, 0 when equal, positive after. */
export function comparePositions(a: Position, b: Position): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
