/**
 * What every RateLimitStore does, whatever keeps its buckets: run by the in-memory store's unit
 * tests and by the database store's on PGlite and PostgreSQL.
 */
import { createRateLimiter, type RateLimitDecision, type RateLimitStore } from '../../src/auth/rateLimiter';

/** A clock the test moves by hand. */
export function fakeClock(start = new Date('2025-03-01T10:00:00.000Z')) {
  let now = start.getTime();
  return { clock: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

export const allowed: RateLimitDecision = { allowed: true, retryAfterSeconds: 0 };
export const refused = (retryAfterSeconds: number): RateLimitDecision => ({ allowed: false, retryAfterSeconds });

/** The token bucket's behaviour over a store `openStore` gives (a fresh one, or one with fresh keys). */
export function rateLimitStoreContract(openStore: () => Promise<RateLimitStore>): void {
  // Keys unique to each test, so that a store shared by the tests starts every one empty.
  let run = 0;
  let store: RateLimitStore;
  let key: (name: string) => string;
  beforeEach(async () => {
    store = await openStore();
    const prefix = `t${++run}-${Math.random().toString(36).slice(2)}:`;
    key = (name) => prefix + name;
  });
  const limiterOf = (rule: { limit: number; windowSeconds: number }, clock: () => Date) => {
    const limiter = createRateLimiter({ ...rule, clock, store });
    return { consume: (name: string) => limiter.consume(key(name)), reset: (name: string) => limiter.reset(key(name)) };
  };
  const consumeEach = async (limiter: { consume(name: string): Promise<RateLimitDecision> }, name: string, times: number) => {
    const decisions: RateLimitDecision[] = [];
    for (let i = 0; i < times; i += 1) decisions.push(await limiter.consume(name));
    return decisions;
  };

  describe('when a key uses up its allowance', () => {
    it('allows `limit` requests at once, then refuses with the wait until the next one', async () => {
      const { clock } = fakeClock();
      const limiter = limiterOf({ limit: 5, windowSeconds: 60 }, clock);

      expect(await consumeEach(limiter, 'k', 6)).toEqual([allowed, allowed, allowed, allowed, allowed, refused(12)]);
    });

    it('refills evenly: one more request each window / limit', async () => {
      const { clock, advance } = fakeClock();
      const limiter = limiterOf({ limit: 5, windowSeconds: 60 }, clock);
      await consumeEach(limiter, 'k', 5);

      advance(11);
      expect(await limiter.consume('k')).toEqual(refused(1));
      advance(1);
      expect(await limiter.consume('k')).toEqual(allowed);
      expect(await limiter.consume('k')).toEqual(refused(12));
    });

    it('is full again after a whole window', async () => {
      const { clock, advance } = fakeClock();
      const limiter = limiterOf({ limit: 3, windowSeconds: 900 }, clock);
      await consumeEach(limiter, 'k', 4);

      advance(900);
      expect(await consumeEach(limiter, 'k', 4)).toEqual([allowed, allowed, allowed, refused(300)]);
    });

    it('does not lengthen the wait for refused requests', async () => {
      const { clock, advance } = fakeClock();
      const limiter = limiterOf({ limit: 1, windowSeconds: 60 }, clock);
      await limiter.consume('k');

      advance(30);
      expect(await consumeEach(limiter, 'k', 10)).toEqual(Array(10).fill(refused(30)));
      advance(30);
      expect(await limiter.consume('k')).toEqual(allowed);
    });

    it('rounds a wait of less than a second up to one', async () => {
      const { clock, advance } = fakeClock();
      const limiter = limiterOf({ limit: 1, windowSeconds: 1 }, clock);
      await limiter.consume('k');
      advance(0.999);
      expect(await limiter.consume('k')).toEqual(refused(1));
    });
  });

  it('keeps keys apart', async () => {
    const { clock } = fakeClock();
    const limiter = limiterOf({ limit: 1, windowSeconds: 60 }, clock);

    expect(await limiter.consume('a')).toEqual(allowed);
    expect(await limiter.consume('b')).toEqual(allowed);
    expect(await limiter.consume('a')).toEqual(refused(60));
  });

  it('gives a key its full allowance back on reset', async () => {
    const { clock } = fakeClock();
    const limiter = limiterOf({ limit: 2, windowSeconds: 60 }, clock);
    await consumeEach(limiter, 'k', 3);

    await limiter.reset('k');

    expect(await consumeEach(limiter, 'k', 3)).toEqual([allowed, allowed, refused(30)]);
  });

}
