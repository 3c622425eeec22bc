/**
 * A micro-batcher: calls made close together share one flush (one SQL statement, so one round
 * trip and one commit, instead of one each).
 *
 * Items added in the same tick of the event loop wait for it to end (`setImmediate`) and go out
 * together. At most one flush is in flight: items added meanwhile collect for the next one, which
 * starts as soon as it settles, so a busy caller gets big batches and a quiet one no delay beyond
 * the tick. Each caller learns its own item's result, or the error of the batch it was in.
 */
export interface MicroBatcherOptions<T, R> {
  /** Handles one batch; resolves with one result per item, in the items' order. */
  flush(items: readonly T[]): Promise<readonly R[]>;
  /** Items per flush at most; the rest wait for the next flush. Default 1,000. */
  maxBatchSize?: number;
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
  const maxBatchSize = options.maxBatchSize ?? 1_000;
  if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) throw new RangeError(`maxBatchSize must be a positive integer, not ${maxBatchSize}.`);
  const pending: Array<Waiting<T, R>> = [];
  let running: Promise<void> | null = null;

  const flushAll = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
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
    // In the same synchronous step as the empty check: an item added from here on starts a new run.
    running = null;
  };

  return {
    add(item) {
      const result = new Promise<R>((resolve, reject) => pending.push({ item, resolve, reject }));
      running ??= flushAll();
      return result;
    },
    async drain() {
      while (running) await running;
    },
  };
}
