import { createKeptReads } from './keptReads';

describe('kept reads', () => {
  it('serves a value until it is older than the time it may be kept', () => {
    const kept = createKeptReads<string>({ ttlMs: 100, size: 10 });
    kept.keep(kept.mark(), 'a', 'apple', 1_000);
    expect(kept.get('a', 1_099)).toBe('apple');
    expect(kept.get('a', 1_100)).toBeUndefined();
  });

  it('does not keep a read that began before a change', () => {
    const kept = createKeptReads<string>({ ttlMs: 100, size: 10 });
    const mark = kept.mark();
    kept.forget('b');
    kept.keep(mark, 'a', 'stale apple', 1_000);
    expect(kept.get('a', 1_000)).toBeUndefined();
    kept.keep(kept.mark(), 'a', 'apple', 1_000);
    expect(kept.get('a', 1_000)).toBe('apple');
  });

  it('forgets one key, or every value a predicate picks', () => {
    const kept = createKeptReads<{ shop: string }>({ ttlMs: 100, size: 10 });
    for (const [key, shop] of [['a', 'x'], ['b', 'x'], ['c', 'y']] as const) kept.keep(kept.mark(), key, { shop }, 0);
    kept.forget('c');
    expect(kept.get('c', 0)).toBeUndefined();
    kept.forget((value) => value.shop === 'x');
    expect([kept.get('a', 0), kept.get('b', 0)]).toEqual([undefined, undefined]);
  });

  it('keeps at most `size` values, dropping the oldest kept, and nothing when the time is 0', () => {
    const kept = createKeptReads<number>({ ttlMs: 100, size: 2 });
    for (const [n, key] of ['a', 'b', 'c'].entries()) kept.keep(kept.mark(), key, n, 0);
    expect([kept.get('a', 0), kept.get('b', 0), kept.get('c', 0)]).toEqual([undefined, 1, 2]);
    const none = createKeptReads<number>({ ttlMs: 0, size: 2 });
    none.keep(none.mark(), 'a', 1, 0);
    expect(none.get('a', 0)).toBeUndefined();
  });
});
