import request from 'supertest';
import type { RequestHandler } from 'express';
import {
  idempotency,
  migrateIdempotencyTable,
  purgeExpiredIdempotencyKeys,
  silentLogger,
  startHttpServer,
  startIdempotencyHousekeeping,
  type Database,
  type IdempotencyOptions,
} from '../../src';
import { uniqueSchema } from '../../../test/servers';
import { onEachDatabase, type TestDatabase } from '../databases';
import { PROBLEM_JSON, thingsService } from './thingsApi';

/** Stands in for the auth middleware: the subject a key is scoped by. */
const testAuth: RequestHandler = (req, res, next) => {
  const user = req.get('X-Test-User');
  if (user) res.locals['auth'] = { userId: user };
  next();
};

const lamp = { name: 'lamp', quantity: 2, tags: ['a', 'b'] };

function idempotencySuite(kind: string, open: () => Promise<TestDatabase>): void {
  describe(`Idempotency-Key on ${kind}`, () => {
    let db: Database;
    let schema: string;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ db, schema, cleanup } = await open());
      await migrateIdempotencyTable(db, schema);
      // A second run (another process starting) changes nothing.
      await migrateIdempotencyTable(db, schema);
    });
    afterAll(() => cleanup());

    let keyCount = 0;
    const newKey = () => `key-${Date.now()}-${keyCount++}`;
    const service = (options: Partial<IdempotencyOptions> & { createDelayMs?: number } = {}) => {
      const { createDelayMs, ...rest } = options;
      return thingsService({ createDelayMs, beforeCreate: [testAuth, idempotency({ db, schema, logger: silentLogger(), ...rest })] });
    };
    const rows = (key: string) => db.knex(`${schema}.idempotency_keys`).where({ key });

    it('replays the first answer to a retry without running the command again', async () => {
      const { app, creations } = service();
      const key = newKey();
      const first = await request(app).post('/v1/things').set('Idempotency-Key', key).send(lamp);
      const retry = await request(app).post('/v1/things').set('Idempotency-Key', key).send({ tags: ['a', 'b'], quantity: 2, name: 'lamp' });
      expect(creations()).toBe(1);
      expect(first.status).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.text).toBe(first.text);
      for (const header of ['etag', 'location', 'content-type']) expect(retry.headers[header]).toBe(first.headers[header]);
      expect(await rows(key)).toEqual([
        expect.objectContaining({
          scope: 'anonymous POST /v1/things',
          status: 201,
          headers: { etag: '"0"', location: `/v1/things/${first.body.id}`, 'content-type': 'application/json; charset=utf-8' },
          body: first.text,
          completed_at: expect.any(Date),
        }),
      ]);
    });

    it('runs without a key, and refuses a malformed key', async () => {
      const { app, creations } = service();
      expect((await request(app).post('/v1/things').send(lamp)).status).toBe(201);
      expect((await request(app).post('/v1/things').send(lamp)).status).toBe(201);
      expect(creations()).toBe(2);
      for (const key of ['has space', 'x'.repeat(201), 'tab\there', '']) {
        const res = await request(app).post('/v1/things').set('Idempotency-Key', key).send(lamp);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(res.body).toMatchObject({ type: 'https://bdbazar.dev/problems/validation', header: 'Idempotency-Key' });
      }
      expect(creations()).toBe(2);
    });

    it('refuses a request without a key where the route requires one', async () => {
      const { app, creations } = service({ required: true });
      const res = await request(app).post('/v1/things').send(lamp);
      expect(res.status).toBe(400);
      expect(res.body.detail).toMatch(/^This request needs an Idempotency-Key header/);
      expect((await request(app).post('/v1/things').set('Idempotency-Key', newKey()).send(lamp)).status).toBe(201);
      expect(creations()).toBe(1);
    });

    it('takes a key in quotes (the IETF draft form) as the same key', async () => {
      const { app, creations } = service();
      const key = newKey();
      await request(app).post('/v1/things').set('Idempotency-Key', key).send(lamp);
      const quoted = await request(app).post('/v1/things').set('Idempotency-Key', `"${key}"`).send(lamp);
      expect(quoted.headers['idempotent-replayed']).toBe('true');
      expect(creations()).toBe(1);
    });

    it('answers 422 when the key comes back with another body', async () => {
      const { app, creations } = service();
      const key = newKey();
      await request(app).post('/v1/things').set('Idempotency-Key', key).send(lamp);
      const other = await request(app).post('/v1/things').set('Idempotency-Key', key).send({ ...lamp, quantity: 3 });
      expect(other.status).toBe(422);
      expect(other.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(other.body).toMatchObject({ type: 'https://bdbazar.dev/problems/idempotency_key_reused', status: 422, idempotencyKey: key });
      expect(creations()).toBe(1);
    });

    it('keeps keys of different subjects apart', async () => {
      const { app, creations } = service();
      const key = newKey();
      const alice = await request(app).post('/v1/things').set('X-Test-User', 'alice').set('Idempotency-Key', key).send(lamp);
      const bob = await request(app).post('/v1/things').set('X-Test-User', 'bob').set('Idempotency-Key', key).send({ ...lamp, quantity: 9 });
      expect([alice.status, bob.status]).toEqual([201, 201]);
      expect(bob.headers['idempotent-replayed']).toBeUndefined();
      expect(creations()).toBe(2);
      expect((await rows(key)).map((row: { scope: string }) => row.scope).sort()).toEqual(['user:alice POST /v1/things', 'user:bob POST /v1/things']);
    });

    it('runs the command once for 20 identical requests at the same time, and gives all of them its answer', async () => {
      const { app, creations } = service({ createDelayMs: 200 });
      const running = await startHttpServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger() });
      try {
        const key = newKey();
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => request(`http://127.0.0.1:${running.port}`).post('/v1/things').set('Idempotency-Key', key).send(lamp)),
        );
        expect(creations()).toBe(1);
        expect(answers.map((res) => res.status)).toEqual(Array(20).fill(201));
        expect(new Set(answers.map((res) => res.text)).size).toBe(1);
        expect(new Set(answers.map((res) => res.headers['etag'])).size).toBe(1);
        expect(answers.filter((res) => res.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
      } finally {
        await running.close();
      }
    });

    it('answers 409 with Retry-After when the first request outlasts the wait, and replays once it is done', async () => {
      const { app, creations } = service({ createDelayMs: 600, waitForConcurrentMs: 100 });
      const running = await startHttpServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger() });
      try {
        const base = `http://127.0.0.1:${running.port}`;
        const key = newKey();
        const first = request(base).post('/v1/things').set('Idempotency-Key', key).send(lamp);
        const firstDone = first.then((res) => res);
        while (creations() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        const early = await request(base).post('/v1/things').set('Idempotency-Key', key).send(lamp);
        expect(early.status).toBe(409);
        expect(early.headers['retry-after']).toBe('1');
        expect(early.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(early.body.type).toBe('https://bdbazar.dev/problems/idempotency_key_in_progress');
        expect((await firstDone).status).toBe(201);
        const late = await request(base).post('/v1/things').set('Idempotency-Key', key).send(lamp);
        expect(late.status).toBe(201);
        expect(late.headers['idempotent-replayed']).toBe('true');
        expect(creations()).toBe(1);
      } finally {
        await running.close();
      }
    });

    it('forgets a 5xx answer, so that a retry runs again', async () => {
      const { app, creations } = service();
      const key = newKey();
      const first = await request(app).post('/v1/things').set('Idempotency-Key', key).send({ name: 'explode', quantity: 1 });
      expect(first.status).toBe(500);
      expect(await rows(key)).toEqual([]);
      const retry = await request(app).post('/v1/things').set('Idempotency-Key', key).send({ name: 'explode', quantity: 1 });
      expect(retry.status).toBe(500);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(creations()).toBe(2);
    });

    it('keeps a 4xx answer: the same input gets the same refusal', async () => {
      const { app, creations } = service();
      const key = newKey();
      const first = await request(app).post('/v1/things').set('Idempotency-Key', key).send({ name: 'taken', quantity: 1 });
      const retry = await request(app).post('/v1/things').set('Idempotency-Key', key).send({ name: 'taken', quantity: 1 });
      expect(first.status).toBe(409);
      expect(retry.status).toBe(409);
      expect(retry.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(creations()).toBe(1);
    });

    it('treats a key past its TTL, or one left in progress by a dead process, as new', async () => {
      const { app, creations } = service({ ttlHours: 24, abandonedAfterMs: 60_000 });
      const expired = newKey();
      await request(app).post('/v1/things').set('Idempotency-Key', expired).send(lamp);
      await rows(expired).update({ created_at: db.knex.raw(`now() - interval '25 hours'`) });
      const again = await request(app).post('/v1/things').set('Idempotency-Key', expired).send({ ...lamp, quantity: 5 });
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBeUndefined();

      const abandoned = newKey();
      await db.knex(`${schema}.idempotency_keys`).insert({
        scope: 'anonymous POST /v1/things',
        key: abandoned,
        request_hash: 'of a request whose process died',
        created_at: db.knex.raw(`now() - interval '2 minutes'`),
      });
      const takenOver = await request(app).post('/v1/things').set('Idempotency-Key', abandoned).send(lamp);
      expect(takenOver.status).toBe(201);
      expect(creations()).toBe(3);

      await rows(abandoned).update({ created_at: db.knex.raw(`now() - interval '30 hours'`) });
      expect(await purgeExpiredIdempotencyKeys(db, schema, 24)).toBeGreaterThanOrEqual(1);
      expect(await rows(abandoned)).toEqual([]);
    });

    /** Keys of a scope of their own, created `hoursAgo` hours ago. */
    const keysCreated = async (count: number, hoursAgo: number): Promise<string[]> => {
      const keys = Array.from({ length: count }, () => newKey());
      await db.knex(`${schema}.idempotency_keys`).insert(
        keys.map((key) => ({ scope: 'housekeeping', key, request_hash: 'h', created_at: db.knex.raw(`now() - make_interval(hours => ?)`, [hoursAgo]) })),
      );
      return keys;
    };
    const present = async (keys: readonly string[]): Promise<string[]> =>
      (await db.knex(`${schema}.idempotency_keys`).whereIn('key', keys).select<Array<{ key: string }>>('key')).map((row) => row.key).sort();

    it('purges the keys past the TTL a batch a statement, and no other', async () => {
      await purgeExpiredIdempotencyKeys(db, schema, 24);
      const expired = await keysCreated(7, 30);
      const fresh = await keysCreated(2, 23);
      let deletes = 0;
      const listener = (query: { sql: string }) => {
        if (/^delete from/i.test(query.sql) && query.sql.includes('idempotency_keys')) deletes += 1;
      };
      db.knex.on('query', listener);
      try {
        expect(await purgeExpiredIdempotencyKeys(db, schema, 24, { batchSize: 3 })).toBe(7);
      } finally {
        db.knex.removeListener('query', listener);
      }
      expect(deletes).toBe(3);
      expect(await present([...expired, ...fresh])).toEqual([...fresh].sort());
    });

    it('housekeeping purges on its own every interval until stopped', async () => {
      const expired = await keysCreated(4, 25);
      const fresh = await keysCreated(1, 1);
      const housekeeping = await startIdempotencyHousekeeping({ db, schemas: [schema], intervalMs: 20, logger: silentLogger() });
      try {
        await eventuallyTrue(async () => (await present(expired)).length === 0);
        expect(housekeeping.purged()).toBeGreaterThanOrEqual(expired.length);
        expect(await present(fresh)).toEqual(fresh);
      } finally {
        await housekeeping.stop();
      }
      const later = await keysCreated(1, 25);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await present(later)).toEqual(later);
    });

    it('housekeeping creates the table of a schema that has none yet, and refuses a TTL that is not positive', async () => {
      const other = uniqueSchema('hk_new');
      try {
        const housekeeping = await startIdempotencyHousekeeping({ db, schemas: [other], logger: silentLogger() });
        await housekeeping.stop();
        expect(await db.knex(`${other}.idempotency_keys`).count<Array<{ count: string | number }>>('* as count')).toEqual([{ count: expect.anything() }]);
      } finally {
        await db.knex.raw(`drop schema if exists ${other} cascade`);
      }
      await expect(startIdempotencyHousekeeping({ db, schemas: [schema], ttlHours: 0, logger: silentLogger() })).rejects.toThrow(/ttlHours must be a positive number/);
    });
  });
}

async function eventuallyTrue(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for housekeeping to purge.');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

onEachDatabase('http_idempotency', idempotencySuite);
