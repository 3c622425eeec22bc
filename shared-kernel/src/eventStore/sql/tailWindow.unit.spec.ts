import { encodePosition } from '../position';
import { TailWindow } from './tailWindow';

/** Events numbered 1, 2, 3…; an event's position is made from its number (gaps allowed). */
const at = (n: number) => encodePosition(n, n);
const events = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const window = (capacity = 100) => new TailWindow<number>(capacity, at);

describe('the tail window', () => {
  it('holds nothing until a read is recorded', () => {
    expect(window().rowsAfter(at(0), 10)).toBeUndefined();
  });

  it('gives the rows after a cursor inside it, at most as many as asked', () => {
    const w = window();
    w.record(at(0), events(1, 10));
    expect(w.rowsAfter(at(0), 100)).toEqual(events(1, 10));
    expect(w.rowsAfter(at(4), 3)).toEqual([5, 6, 7]);
    expect(w.rowsAfter(at(9), 100)).toEqual([10]);
  });

  it('gives nothing for a cursor at its end, past it or before its start', () => {
    const w = window();
    w.record(at(5), events(6, 10));
    expect(w.rowsAfter(at(10), 10)).toBeUndefined();
    expect(w.rowsAfter(at(11), 10)).toBeUndefined();
    expect(w.rowsAfter(at(4), 10)).toBeUndefined();
  });

  it('takes a cursor between two events (a checkpoint past filtered events) inside it', () => {
    const w = window();
    w.record(at(0), [2, 4, 8]);
    expect(w.rowsAfter(at(3), 10)).toEqual([4, 8]);
    expect(w.rowsAfter(at(0), 10)).toEqual([2, 4, 8]);
  });

  it('is extended by a read that starts inside it or at its end, without repeating rows', () => {
    const w = window();
    w.record(at(0), events(1, 5));
    w.record(at(5), events(6, 8));
    w.record(at(3), events(4, 12)); // overlaps: 4 to 8 are held already
    expect(w.rowsAfter(at(0), 100)).toEqual(events(1, 12));
  });

  it('is replaced by a read elsewhere that reaches further, and ignores one that does not', () => {
    const w = window();
    w.record(at(0), events(1, 5));
    w.record(at(20), events(21, 25)); // a gap from 5 to 20: the old rows cannot be kept with these
    expect(w.rowsAfter(at(0), 100)).toBeUndefined();
    expect(w.rowsAfter(at(20), 100)).toEqual(events(21, 25));
    w.record(at(10), events(11, 15)); // older than what it holds
    expect(w.rowsAfter(at(10), 100)).toBeUndefined();
    expect(w.rowsAfter(at(22), 100)).toEqual([23, 24, 25]);
  });

  it('drops its oldest rows past its capacity', () => {
    const w = window(4);
    w.record(at(0), events(1, 3));
    w.record(at(3), events(4, 6));
    expect(w.rowsAfter(at(2), 10)).toEqual([3, 4, 5, 6]);
    expect(w.rowsAfter(at(1), 10)).toBeUndefined();
    expect(w.rowsAfter(at(0), 10)).toBeUndefined();
  });

  it('ignores an empty read', () => {
    const w = window();
    w.record(at(0), events(1, 3));
    w.record(at(3), []);
    w.record(at(50), []);
    expect(w.rowsAfter(at(0), 10)).toEqual([1, 2, 3]);
  });
});
