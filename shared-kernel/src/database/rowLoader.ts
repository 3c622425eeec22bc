/**
 * Rows looked up by key, with the lookups made close together sharing one query (as DataLoader
 * does, on the micro-batcher): a read route under load then costs one round trip, one statement
 * for PostgreSQL to plan and one result to parse per batch rather than per request. A lookup made
 * while the database is idle goes out at once, alone; lookups made while a query is in flight
 * gather for the next one. Nothing is cached: every lookup reads rows at least as new as the
 * moment it was made, so a route that waited for a projector (X-Consistent-After) still reads
 * what the projector wrote.
 */
import { createMicroBatcher } from './microBatch';

export interface RowLoaderOptions<K, R> {
  /** Reads the rows of these keys (distinct, in no particular order); a key without a row is simply left out. */
  fetch(keys: readonly K[]): Promise<readonly R[]>;
  /** The key a fetched row answers. */
  keyOf(row: R): K;
  /** Queries in flight at once, at most (default 2: one gathers while the other waits on its round trip). */
  maxConcurrentQueries?: number;
  /** Keys per query at most (default 500). */
  maxKeysPerQuery?: number;
}

/** Loads one row by key: the row, or undefined when there is none. */
export type RowLoader<K, R> = (key: K) => Promise<R | undefined>;

export function createRowLoader<K, R>(options: RowLoaderOptions<K, R>): RowLoader<K, R> {
  /** The row of each key (undefined where none came back), matched by keyOf. */
  const rowsOf = (keys: readonly K[], rows: readonly R[]): Array<R | undefined> => {
    const byKey = new Map(rows.map((row) => [options.keyOf(row), row] as const));
    return keys.map((key) => byKey.get(key));
  };
  const batcher = createMicroBatcher<K, R | FailedLookup | undefined>({
    flush: async (keys) => {
      const distinct = [...new Set(keys)];
      try {
        return rowsOf(keys, await options.fetch(distinct));
      } catch (error) {
        if (distinct.length === 1) throw error;
        // One key the database refuses must not fail the lookups it happened to share a query
        // with: each is tried alone, and only the faulty one fails.
        const alone = await Promise.allSettled(distinct.map(async (key) => rowsOf([key], await options.fetch([key]))[0]));
        const settled = new Map(distinct.map((key, i) => [key, alone[i]!] as const));
        return keys.map((key) => {
          const outcome = settled.get(key)!;
          return outcome.status === 'fulfilled' ? outcome.value : new FailedLookup(outcome.reason);
        });
      }
    },
    maxConcurrentFlushes: options.maxConcurrentQueries ?? 2,
    maxBatchSize: options.maxKeysPerQuery ?? 500,
    flushAtOnceWhenIdle: true,
  });
  return async (key) => {
    const row = await batcher.add(key);
    if (row instanceof FailedLookup) throw row.reason;
    return row;
  };
}

/** The outcome of a key whose lookup failed when retried alone. */
class FailedLookup {
  constructor(readonly reason: unknown) {}
}
