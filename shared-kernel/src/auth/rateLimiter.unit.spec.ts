import { createInMemoryRateLimitStore, createRateLimiter, type RateLimitDecision } from './rateLimiter';

/** A clock the test moves by hand. */
function fakeClock(start = new Date('2025-03-01T10:00:00.000Z')) {
  let now = start.getTime();
  return { clock: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

const allowed: RateLimitDecision = { allowed: true, retryAfterSeconds: 0 };
const refused = (retryAfterSeconds: number): RateLimitDecision => ({ allowed: false, retryAfterSeconds });

async function consumeTimes(limiter: ReturnType<typeof createRateLimiter>, key: string, times: number) {
  const decisions: RateLimitDecision[] = [];
  for (let i = 0; i < times; i += 1) decisions.push(await limiter.consume(key));
  return decisions;
}

describe('rate limiter', () => {
  describe('when a key uses up its allowance', () => {
    it('allows `limit` requests at once, then refuses with the wait until the next one', async () => {
      const { clock } = fakeClock();
      const limiter = createRateLimiter({ limit: 5, windowSeconds: 60, clock });

      expect(await consumeTimes(limiter, 'k', 6)).toEqual([allowed, allowed, allowed, allowed, allowed, refused(12)]);
    });

    it('refills evenly: one more request each window / limit', async () => {
      const { clock, advance } = fakeClock();
      const limiter = createRateLimiter({ limit: 5, windowSeconds: 60, clock });
      await consumeTimes(limiter, 'k', 5);

      advance(11);
      expect(await limiter.consume('k')).toEqual(refused(1));
      advance(1);
      expect(await limiter.consume('k')).toEqual(allowed);
      expect(await limiter.consume('k')).toEqual(refused(12));
    });

    it('is full again after a whole window', async () => {
      const { clock, advance } = fakeClock();
      const limiter = createRateLimiter({ limit: 3, windowSeconds: 900, clock });
      await consumeTimes(limiter, 'k', 4);

      advance(900);
      expect(await consumeTimes(limiter, 'k', 4)).toEqual([allowed, allowed, allowed, refused(300)]);
    });

    it('does not lengthen the wait for refused requests', async () => {
      const { clock, advance } = fakeClock();
      const limiter = createRateLimiter({ limit: 1, windowSeconds: 60, clock });
      await limiter.consume('k');

      advance(30);
      expect(await consumeTimes(limiter, 'k', 10)).toEqual(Array(10).fill(refused(30)));
      advance(30);
      expect(await limiter.consume('k')).toEqual(allowed);
    });

    it('rounds a wait of less than a second up to one', async () => {
      const { clock, advance } = fakeClock();
      const limiter = createRateLimiter({ limit: 1, windowSeconds: 1, clock });
      await limiter.consume('k');
      advance(0.999);
      expect(await limiter.consume('k')).toEqual(refused(1));
    });
  });

  it('keeps keys apart', async () => {
    const { clock } = fakeClock();
    const limiter = createRateLimiter({ limit: 1, windowSeconds: 60, clock });

    expect(await limiter.consume('a')).toEqual(allowed);
    expect(await limiter.consume('b')).toEqual(allowed);
    expect(await limiter.consume('a')).toEqual(refused(60));
  });

  it('gives a key its full allowance back on reset', async () => {
    const { clock } = fakeClock();
    const limiter = createRateLimiter({ limit: 2, windowSeconds: 60, clock });
    await consumeTimes(limiter, 'k', 3);

    await limiter.reset('k');

    expect(await consumeTimes(limiter, 'k', 3)).toEqual([allowed, allowed, refused(30)]);
  });

  it('refuses a nonsensical rule', () => {
    expect(() => createRateLimiter({ limit: 0, windowSeconds: 60 })).toThrow(/at least 1/);
    expect(() => createRateLimiter({ limit: 5, windowSeconds: 0.5 })).toThrow(/whole number of seconds/);
  });

  describe('memory', () => {
    it('forgets keys whose bucket has refilled', async () => {
      const { clock, advance } = fakeClock();
      const store = createInMemoryRateLimitStore();
      const limiter = createRateLimiter({ limit: 2, windowSeconds: 60, clock, store });
      await limiter.consume('a');
      await limiter.consume('b');
      expect(store.size()).toBe(2);

      advance(30); // a and b are full again (one token back each 30 s)
      await limiter.consume('c');

      expect(store.size()).toBe(1);
    });

    it('holds at most maxKeys, dropping the least recently used', async () => {
      const { clock } = fakeClock();
      const store = createInMemoryRateLimitStore({ maxKeys: 3 });
      const limiter = createRateLimiter({ limit: 1, windowSeconds: 60, clock, store });
      for (const key of ['a', 'b', 'c']) await limiter.consume(key);
      await limiter.consume('a'); // a is now the most recently used

      await limiter.consume('d');

      expect(store.size()).toBe(3);
      expect(await limiter.consume('b')).toEqual(allowed); // b was dropped: it starts afresh
      expect(await limiter.consume('a')).toEqual(refused(60));
    });
  });
});
