/**
 * A token-bucket rate limiter: up to `limit` requests at once, refilled evenly so that `limit`
 * more are allowed per `windowSeconds`. A refused request takes nothing, so hammering does not
 * lengthen the wait.
 *
 * The state lives in a RateLimitStore. The in-memory store here is per process: with several
 * instances of a service behind a load balancer each keeps its own count, and the real limit is
 * `limit` times the number of instances. Several processes share one allowance through the
 * database store (databaseRateLimitStore.ts), which the account service uses.
 */

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** 0 when allowed; otherwise whole seconds until one more request would be (for `Retry-After`). */
  retryAfterSeconds: number;
}

export interface RateLimitStore {
  /** Takes one token from `key`'s bucket if there is one, as one atomic step. */
  take(key: string, rule: RateLimitRule, nowMs: number): Promise<RateLimitDecision>;
  /** Forgets `key`: its bucket is full again. */
  reset(key: string): Promise<void>;
}

/**
 * A take's decision from the credit its bucket is left with, in the stores' integer units (one
 * token is `windowSeconds * 1000` units, each millisecond refills `limit`): refused, the wait until
 * the credit makes one token again, in whole seconds rounded up.
 */
export function decisionOf(allowed: boolean, creditLeft: number, { limit, windowSeconds }: RateLimitRule): RateLimitDecision {
  if (allowed) return { allowed: true, retryAfterSeconds: 0 };
  const retryAfterMs = Math.ceil((windowSeconds * 1000 - creditLeft) / limit);
  return { allowed: false, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
}

export interface RateLimiter {
  consume(key: string): Promise<RateLimitDecision>;
  reset(key: string): Promise<void>;
}

export interface RateLimiterOptions extends RateLimitRule {
  clock?: () => Date;
  /** A fresh in-memory store by default. */
  store?: RateLimitStore;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, windowSeconds, clock = () => new Date(), store = createInMemoryRateLimitStore() } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`A rate limit must be a whole number of at least 1, not ${limit}.`);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
    throw new Error(`A rate-limit window must be a whole number of seconds of at least 1, not ${windowSeconds}.`);
  }
  const rule = { limit, windowSeconds };
  return {
    consume: (key) => store.take(key, rule, clock().getTime()),
    reset: (key) => store.reset(key),
  };
}

export interface InMemoryRateLimitStoreOptions {
  /** Beyond this many keys the least recently used are dropped (an attacker could otherwise fill memory). */
  maxKeys?: number;
}

export interface InMemoryRateLimitStore extends RateLimitStore {
  /** Keys currently held; for tests and metrics. */
  size(): number;
}

/**
 * Credit is counted in integer units so that no rounding creeps in: one token is `windowMs`
 * units, a full bucket `limit * windowMs`, and each millisecond refills `limit` units.
 */
interface Bucket {
  credit: number;
  atMs: number;
  /** When the bucket will be full again: from then on the key can be forgotten. */
  fullAtMs: number;
}

export function createInMemoryRateLimitStore(options: InMemoryRateLimitStoreOptions = {}): InMemoryRateLimitStore {
  const { maxKeys = 100_000 } = options;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new Error(`maxKeys must be a whole number of at least 1, not ${maxKeys}.`);
  // Map order is insertion order; re-inserting on every use keeps the least recently used first.
  const buckets = new Map<string, Bucket>();

  const evict = (nowMs: number) => {
    for (const [key, bucket] of buckets) {
      if (bucket.fullAtMs > nowMs && buckets.size <= maxKeys) break;
      buckets.delete(key); // full again (forgetting it changes nothing), or over the bound
    }
  };

  return {
    async take(key, rule, nowMs) {
      const { limit } = rule;
      const windowMs = rule.windowSeconds * 1000;
      const capacity = limit * windowMs;
      const previous = buckets.get(key);
      const elapsedMs = previous ? Math.max(0, nowMs - previous.atMs) : 0;
      const available = previous ? Math.min(capacity, previous.credit + elapsedMs * limit) : capacity;
      const allowed = available >= windowMs;
      const credit = allowed ? available - windowMs : available;

      buckets.delete(key);
      buckets.set(key, { credit, atMs: nowMs, fullAtMs: nowMs + Math.ceil((capacity - credit) / limit) });
      evict(nowMs);

      return decisionOf(allowed, credit, rule);
    },
    async reset(key) {
      buckets.delete(key);
    },
    size: () => buckets.size,
  };
}
