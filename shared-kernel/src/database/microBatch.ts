/**
 * A micro-batcher: calls made close together share one flush (one SQL statement, so one round
 * trip and one commit, instead of one each).
 *
 * Items added in the same tick of the event loop wait for it to end (`setImmediate`) and go out
 * together. At most `maxConcurrentFlushes` flushes (one by default) are in flight: items added
 * meanwhile collect for the next one, which starts as soon as a flush settles, so a busy caller gets
 * big batches and a quiet one no delay beyond the tick. Each caller learns its own item's result, or
 * the error of the batch it was in.
 */
export interface MicroBatcherOptions<T, R> {
  /** Handles one batch; resolves with one result per item, in the items' order. */
  flush(items: readonly T[]): Promise<readonly R[]>;
  /** Items per flush at most; the rest wait for the next flush. Default 1,000. */
  maxBatchSize?: number;
  /**
   * Flushes in flight at once, at most. Default 1. More lets a flush start while another waits on
   * its round trip (a pool of connections), at the price of smaller batches.
   */
  maxConcurrentFlushes?: number;
  /**
   * When nothing is in flight or waiting, flush an item at once instead of after the tick: a lone
   * caller pays no wait (an extra turn of the event loop costs a quiet caller more than it saves),
   * and the items that follow in the same tick go out together in the next flush. Default false.
   */
  flushAtOnceWhenIdle?: boolean;
  /**
   * How long a lane waits before its first flush, instead of the rest of the tick, so that items
   * added meanwhile go with it. For flushes nobody waits on (bookkeeping): every item waits this
   * long. Default 0.
   */
  lingerMs?: number;
}

export interface MicroBatcher<T, R> {
  /** Queues an item; resolves with its result once its batch is flushed, rejects if the batch failed. */
  add(item: T): Promise<R>;
  /** Resolves once every item added so far has been flushed (or failed). */
  drain(): Promise<void>;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export function createMicroBatcher<T, R>(options: MicroBatcherOptions<T, R>): MicroBatcher<T, R> {
  const maxBatchSize = positiveInteger('maxBatchSize', options.maxBatchSize ?? 1_000);
  const maxConcurrentFlushes = positiveInteger('maxConcurrentFlushes', options.maxConcurrentFlushes ?? 1);
  const lingerMs = options.lingerMs ?? 0;
  if (!Number.isFinite(lingerMs) || lingerMs < 0) throw new RangeError(`lingerMs must be 0 or more, not ${lingerMs}.`);
  const pending: Array<Waiting<T, R>> = [];
  /** Lanes running: each takes batches off `pending` and flushes them, one after the other. */
  let active = 0;
  const lanes = new Set<Promise<void>>();

  const lane = async (atOnce: boolean): Promise<void> => {
    if (!atOnce) await new Promise((resolve) => (lingerMs > 0 ? setTimeout(resolve, lingerMs) : setImmediate(resolve)));
    while (pending.length > 0) {
      const batch = pending.splice(0, maxBatchSize);
      try {
        const results = await options.flush(batch.map((waiting) => waiting.item));
        if (results.length !== batch.length) throw new Error(`A micro-batch flush returned ${results.length} results for ${batch.length} items.`);
        batch.forEach((waiting, i) => waiting.resolve(results[i] as R));
      } catch (error) {
        batch.forEach((waiting) => waiting.reject(error));
      }
    }
    // In the same synchronous step as the empty check: an item added from here on starts a new lane.
    active -= 1;
  };
  const startLane = (atOnce: boolean): void => {
    active += 1;
    const running: Promise<void> = lane(atOnce).finally(() => lanes.delete(running));
    lanes.add(running);
  };

  return {
    add(item) {
      const result = new Promise<R>((resolve, reject) => pending.push({ item, resolve, reject }));
      // Another lane starts only when every running one is past its tick, flushing (nothing else
      // waits in `pending`): the items of one tick go out together.
      if (active === 0) startLane(options.flushAtOnceWhenIdle === true);
      else if (active < maxConcurrentFlushes && pending.length === 1) startLane(false);
      return result;
    },
    async drain() {
      while (lanes.size > 0) await Promise.all(lanes);
    },
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}.`);
  return value;
}
