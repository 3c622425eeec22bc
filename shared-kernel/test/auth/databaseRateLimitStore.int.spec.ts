import { createRateLimiter, openDatabaseRateLimitStore, type RateLimitStore } from '../../src';
import { onEachDatabase, type TestDatabase } from '../databases';
import { allowed, fakeClock, rateLimitStoreContract, refused } from './rateLimitStoreContract';

function suite(kind: string, openDb: () => Promise<TestDatabase>): void {
  describe(`rate limits in the database, on ${kind}`, () => {
    let env: TestDatabase;
    let store: RateLimitStore;

    beforeAll(async () => {
      env = await openDb();
      store = await openDatabaseRateLimitStore(env.db, { schema: env.schema });
    });
    afterAll(async () => {
      await env.cleanup();
    });

    rateLimitStoreContract(async () => store);

    it('counts one allowance for every store on the database (the processes of a cluster, the replicas of a service)', async () => {
      const { clock } = fakeClock();
      const other = await openDatabaseRateLimitStore(env.db, { schema: env.schema });
      const here = createRateLimiter({ limit: 3, windowSeconds: 60, clock, store });
      const there = createRateLimiter({ limit: 3, windowSeconds: 60, clock, store: other });

      expect([await here.consume('shared'), await there.consume('shared'), await here.consume('shared'), await there.consume('shared')]).toEqual([
        allowed,
        allowed,
        allowed,
        refused(20),
      ]);
      await there.reset('shared');
      expect(await here.consume('shared')).toEqual(allowed);
    });

    it('allows exactly `limit` of many takes at once', async () => {
      const { clock } = fakeClock();
      const limiter = createRateLimiter({ limit: 10, windowSeconds: 60, clock, store });

      const decisions = await Promise.all(Array.from({ length: 40 }, () => limiter.consume('burst')));

      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
      expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds === 6)).toBe(true);
    });

    it('forgets the rows of buckets that are full again, every `sweepEvery` takes', async () => {
      const { clock, advance } = fakeClock(new Date('2031-01-01T00:00:00.000Z'));
      const sweeping = await openDatabaseRateLimitStore(env.db, { schema: env.schema, sweepEvery: 3 });
      const limiter = createRateLimiter({ limit: 2, windowSeconds: 60, clock, store: sweeping });
      const rows = async (key: string) => Number((await env.db.knex.raw(`select count(*) as n from ${env.schema}.rate_limits where key = ?`, [key])).rows[0].n);
      await limiter.consume('sweep-a');
      await limiter.consume('sweep-b');
      expect(await rows('sweep-a')).toBe(1);

      advance(30); // a and b are full again (one token back each 30 s)
      await limiter.consume('sweep-c'); // the third take sweeps

      expect([await rows('sweep-a'), await rows('sweep-b'), await rows('sweep-c')]).toEqual([0, 0, 1]);
    });
  });
}

onEachDatabase('rl', suite);
