/**
 * What checkout read of a copy, kept for a while by key so that the next checkouts need not read
 * it again: served for at most `ttlMs` (another replica's change reaches this one within that
 * time), dropped as soon as this process learns its source changed. A read that began before a
 * change is not kept: it may hold what the change replaced.
 */
import { LRUCache } from 'lru-cache';

export interface KeptReads<V> {
  /** The value kept for the key, if still fresh. */
  get(key: string, now: number): V | undefined;
  /** Taken before reading; `keep` keeps the value only if nothing changed since. */
  mark(): number;
  keep(mark: number, key: string, value: V, now: number): void;
  /** The source changed: drops the key, or every value the predicate picks. */
  forget(which: string | ((value: V) => boolean)): void;
}

export function createKeptReads<V>(options: { ttlMs: number; size: number }): KeptReads<V> {
  const kept = new LRUCache<string, { value: V; at: number }>({ max: Math.max(1, options.size) });
  let changes = 0;
  return {
    get(key, now) {
      const entry = options.ttlMs > 0 ? kept.get(key) : undefined;
      return entry && now - entry.at < options.ttlMs ? entry.value : undefined;
    },
    mark: () => changes,
    keep(mark, key, value, now) {
      if (options.ttlMs <= 0 || mark !== changes) return;
      kept.set(key, { value, at: now });
    },
    forget(which) {
      changes++;
      if (typeof which === 'string') kept.delete(which);
      else for (const [key, entry] of [...kept.entries()]) if (which(entry.value)) kept.delete(key);
    },
  };
}
