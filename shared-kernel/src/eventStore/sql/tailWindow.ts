/**
 * The newest events the subscriptions read, kept in memory in global order, so that a live
 * subscription a little behind the others takes them from here instead of reading them again.
 *
 * The window holds every event after a position `after` up to its last row, without a gap. That
 * holds because each read it records returns every event after the read's cursor (up to its
 * limit) whose transaction is below the snapshot's xmin: no transaction still open can add an
 * event before the last row such a read returned. A read that starts inside the window, or at its
 * end, extends it; one that starts elsewhere and reaches further replaces it. Past `capacity` rows
 * the oldest go.
 */
import type { Position } from '../eventStore';

export class TailWindow<Row> {
  private after: Position | null = null;
  private rows: Row[] = [];
  private positions: Position[] = [];

  constructor(
    private readonly capacity: number,
    private readonly positionOf: (row: Row) => Position,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}.`);
  }

  /** Up to `max` rows right after `cursor`; undefined unless the window holds the event right after it. */
  rowsAfter(cursor: Position, max: number): Row[] | undefined {
    if (this.after === null || cursor < this.after) return undefined;
    const first = firstAfter(this.positions, cursor);
    if (first === this.rows.length) return undefined;
    return this.rows.slice(first, first + max);
  }

  /** Takes in the rows a read after `cursor` returned. */
  record(cursor: Position, rows: readonly Row[]): void {
    if (rows.length === 0) return;
    const positions = rows.map(this.positionOf);
    const end = this.positions[this.positions.length - 1] ?? null;
    if (this.after !== null && end !== null && cursor >= this.after && cursor <= end) {
      const fresh = firstAfter(positions, end);
      for (let i = fresh; i < rows.length; i++) {
        this.rows.push(rows[i]!);
        this.positions.push(positions[i]!);
      }
    } else if (end === null || positions[positions.length - 1]! > end) {
      this.after = cursor;
      this.rows = [...rows];
      this.positions = positions;
    } else {
      return;
    }
    const excess = this.rows.length - this.capacity;
    if (excess > 0) {
      this.after = this.positions[excess - 1]!;
      this.rows.splice(0, excess);
      this.positions.splice(0, excess);
    }
  }
}

/** The index of the first position after `cursor` (positions ascending); their length if none. */
function firstAfter(positions: readonly Position[], cursor: Position): number {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (positions[middle]! <= cursor) low = middle + 1;
    else high = middle;
  }
  return low;
}
