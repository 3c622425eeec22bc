import { createMicroBatcher } from './microBatch';

/** A flush that records its batches and answers each item with `item * 10`, when released. */
function recordingFlush(options: { hold?: boolean } = {}) {
  const batches: number[][] = [];
  const releases: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const flush = async (items: readonly number[]): Promise<number[]> => {
    batches.push([...items]);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (options.hold) await new Promise<void>((resolve) => releases.push(resolve));
    inFlight -= 1;
    return items.map((n) => n * 10);
  };
  return { flush, batches, releases, maxInFlight: () => maxInFlight };
}

const nextTick = () => new Promise((resolve) => setImmediate(resolve));

describe('a micro-batcher', () => {
  it('flushes the items added in one tick together, in order, each caller getting its own result', async () => {
    const recording = recordingFlush();
    const batcher = createMicroBatcher({ flush: recording.flush });

    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)));

    expect(recording.batches).toEqual([[1, 2, 3, 4, 5]]);
    expect(results).toEqual([10, 20, 30, 40, 50]);
  });

  it('with lingerMs, holds its first flush that long, so that items added in later ticks go with it', async () => {
    jest.useFakeTimers();
    try {
      const recording = recordingFlush();
      const batcher = createMicroBatcher({ flush: recording.flush, lingerMs: 20 });
      const results = [batcher.add(1)];
      await jest.advanceTimersByTimeAsync(10);
      results.push(batcher.add(2));
      await jest.advanceTimersByTimeAsync(9);
      expect(recording.batches).toEqual([]);
      await jest.advanceTimersByTimeAsync(1);
      expect(recording.batches).toEqual([[1, 2]]);
      expect(await Promise.all(results)).toEqual([10, 20]);
      expect(() => createMicroBatcher({ flush: recording.flush, lingerMs: -1 })).toThrow(RangeError);
    } finally {
      jest.useRealTimers();
    }
  });

  it('collects the items added while a flush is in flight into the next one, never two flushes at once', async () => {
    const recording = recordingFlush({ hold: true });
    const batcher = createMicroBatcher({ flush: recording.flush });

    const first = [1, 2].map((n) => batcher.add(n));
    await nextTick();
    expect(recording.batches).toEqual([[1, 2]]);
    const second = [3, 4, 5].map((n) => batcher.add(n));
    await nextTick();
    const third = batcher.add(6);
    await nextTick();
    expect(recording.batches).toEqual([[1, 2]]); // still in flight: 3..6 wait

    recording.releases.shift()!();
    expect(await Promise.all(first)).toEqual([10, 20]);
    await nextTick();
    expect(recording.batches).toEqual([[1, 2], [3, 4, 5, 6]]);
    recording.releases.shift()!();
    expect(await Promise.all([...second, third])).toEqual([30, 40, 50, 60]);
    expect(recording.maxInFlight()).toBe(1);
  });

  it('with maxConcurrentFlushes, starts another flush while one is in flight, never more than allowed', async () => {
    const recording = recordingFlush({ hold: true });
    const batcher = createMicroBatcher({ flush: recording.flush, maxConcurrentFlushes: 2 });

    const first = [1, 2].map((n) => batcher.add(n));
    await nextTick();
    const second = [3, 4].map((n) => batcher.add(n));
    await nextTick();
    expect(recording.batches).toEqual([[1, 2], [3, 4]]); // both in flight
    const third = [5, 6].map((n) => batcher.add(n));
    await nextTick();
    expect(recording.batches).toEqual([[1, 2], [3, 4]]); // two in flight already: 5 and 6 wait

    recording.releases.shift()!();
    expect(await Promise.all(first)).toEqual([10, 20]);
    await nextTick();
    expect(recording.batches).toEqual([[1, 2], [3, 4], [5, 6]]);
    recording.releases.shift()!();
    recording.releases.shift()!();
    expect(await Promise.all([...second, ...third])).toEqual([30, 40, 50, 60]);
    expect(recording.maxInFlight()).toBe(2);
    await batcher.drain();
    const seventh = batcher.add(7); // after the lanes ended, a new item still goes out
    await nextTick();
    expect(recording.batches.at(-1)).toEqual([7]);
    recording.releases.shift()!();
    expect(await seventh).toBe(70);
  });

  it('with flushAtOnceWhenIdle, flushes a lone item without waiting for the tick, the rest of the tick together after it', async () => {
    const recording = recordingFlush({ hold: true });
    const batcher = createMicroBatcher({ flush: recording.flush, flushAtOnceWhenIdle: true });

    const first = batcher.add(1);
    expect(recording.batches).toEqual([[1]]); // already flushing, in the same step as add
    const rest = [2, 3, 4].map((n) => batcher.add(n));
    await nextTick();
    expect(recording.batches).toEqual([[1]]); // one flush at a time: 2..4 wait for it

    recording.releases.shift()!();
    expect(await first).toBe(10);
    await nextTick();
    expect(recording.batches).toEqual([[1], [2, 3, 4]]);
    recording.releases.shift()!();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    await batcher.drain();

    const again = batcher.add(5); // idle again: at once
    expect(recording.batches.at(-1)).toEqual([5]);
    recording.releases.shift()!();
    expect(await again).toBe(50);
  });

  it('splits a batch bigger than maxBatchSize into flushes one after the other', async () => {
    const recording = recordingFlush();
    const batcher = createMicroBatcher({ flush: recording.flush, maxBatchSize: 3 });

    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => batcher.add(n)));

    expect(recording.batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(recording.maxInFlight()).toBe(1);
  });

  it('rejects every caller of a failed batch, and only those', async () => {
    const batches: number[][] = [];
    const batcher = createMicroBatcher({
      maxBatchSize: 2,
      flush: async (items: readonly number[]) => {
        batches.push([...items]);
        if (items.includes(3)) throw new Error('the insert failed');
        return items.map((n) => n * 10);
      },
    });

    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => batcher.add(n)));

    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'fulfilled', value: 20 },
      { status: 'rejected', reason: new Error('the insert failed') },
      { status: 'rejected', reason: new Error('the insert failed') },
      { status: 'fulfilled', value: 50 },
    ]);
    expect(await batcher.add(6)).toBe(60); // a failure does not stop the batcher
  });

  it('rejects the whole batch when the flush answers for the wrong number of items', async () => {
    const batcher = createMicroBatcher({ flush: async (items: readonly number[]) => items.slice(1) });

    const outcomes = await Promise.allSettled([1, 2].map((n) => batcher.add(n)));

    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });

  it('flushes an item added by a caller of the batch just flushed', async () => {
    const recording = recordingFlush();
    const batcher = createMicroBatcher({ flush: recording.flush });

    // The caller adds again as soon as its result comes, before the batcher's own run has ended.
    const again = await batcher.add(1).then((first) => batcher.add(first));

    expect(again).toBe(100);
    expect(recording.batches).toEqual([[1], [10]]);
  });

  it('drains: resolves once the pending and in-flight items are flushed', async () => {
    const recording = recordingFlush({ hold: true });
    const batcher = createMicroBatcher({ flush: recording.flush });
    const settled: number[] = [];
    void batcher.add(1).then((r) => settled.push(r));
    await nextTick();
    void batcher.add(2).then((r) => settled.push(r));

    let drained = false;
    const draining = batcher.drain().then(() => {
      drained = true;
    });
    await nextTick();
    expect(drained).toBe(false);
    recording.releases.shift()!();
    await nextTick();
    expect(drained).toBe(false); // 2 is still in flight
    recording.releases.shift()!();
    await draining;

    expect(settled).toEqual([10, 20]);
    await batcher.drain(); // nothing left: at once
  });

  it('refuses a maxBatchSize or maxConcurrentFlushes below 1', () => {
    expect(() => createMicroBatcher({ flush: async () => [], maxBatchSize: 0 })).toThrow(RangeError);
    expect(() => createMicroBatcher({ flush: async () => [], maxConcurrentFlushes: 0 })).toThrow(RangeError);
  });
});
