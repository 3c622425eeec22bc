import { allowed, fakeClock, rateLimitStoreContract, refused } from '../../test/auth/rateLimitStoreContract';
import { createInMemoryRateLimitStore, createRateLimiter } from './rateLimiter';

describe('rate limiter', () => {
  describe('in memory', () => {
    rateLimitStoreContract(async () => createInMemoryRateLimitStore());
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
