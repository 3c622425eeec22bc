import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { consistentAfter, encodePosition, migrateRuntimeSchema, type Database } from '../../src';
import { onEachDatabase, type TestDatabase } from '../databases';
import { PROBLEM_JSON, thingsService } from './thingsApi';

const at = (n: number) => encodePosition(n, 0);

function consistentAfterSuite(kind: string, open: () => Promise<TestDatabase>): void {
  describe(`X-Consistent-After on ${kind}`, () => {
    let db: Database;
    let schema: string;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ db, schema, cleanup } = await open());
      await migrateRuntimeSchema(db, schema);
    });
    afterAll(() => cleanup());

    /** Two projectors: `things` rebuilt once (live generation 2, the old one far ahead), `stock` on its first. */
    beforeEach(async () => {
      await db.knex(`${schema}.projector_checkpoints`).delete();
      await db.knex(`${schema}.projector_generations`).delete();
      await db.knex(`${schema}.projector_generations`).insert([
        { projector: 'things', live_generation: 2 },
        { projector: 'stock', live_generation: 1 },
      ]);
      await db.knex(`${schema}.projector_checkpoints`).insert([
        { projector: 'things', generation: 1, version: 1, position: at(99) },
        { projector: 'things', generation: 2, version: 2, position: at(5) },
        { projector: 'stock', generation: 1, version: 1, position: at(5) },
      ]);
    });

    const moveCheckpoint = (projector: string, generation: number, position: number) =>
      db.knex(`${schema}.projector_checkpoints`).where({ projector, generation }).update({ position: at(position) });

    async function serviceWith(options: { projectors?: string[]; timeoutMs?: number } = {}) {
      const service = thingsService({
        beforeGet: [consistentAfter({ db, runtimeSchema: schema, projectors: options.projectors ?? ['things', 'stock'], timeoutMs: options.timeoutMs ?? 2000 })],
      });
      const created = await request(service.app).post('/v1/things').send({ name: 'lamp', quantity: 1 });
      return { app: service.app, path: `/v1/things/${created.body.id}` };
    }

    it('answers at once without the header, or when every projector has passed the position', async () => {
      const { app, path } = await serviceWith();
      expect((await request(app).get(path)).status).toBe(200);
      expect((await request(app).get(path).set('X-Consistent-After', at(5))).status).toBe(200);
      expect((await request(app).get(path).set('X-Consistent-After', at(3))).status).toBe(200);
    });

    it('waits until every projector has passed the position, then answers', async () => {
      const { app, path } = await serviceWith();
      const started = Date.now();
      const answers = Promise.all(Array.from({ length: 5 }, () => request(app).get(path).set('X-Consistent-After', at(7)).then((res) => res)));
      await sleep(100);
      await moveCheckpoint('things', 2, 7);
      await sleep(100);
      // `stock` is still behind.
      await moveCheckpoint('stock', 1, 8);
      for (const res of await answers) {
        expect(res.status).toBe(200);
        expect(res.body.name).toBe('lamp');
      }
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    });

    it('answers 503 with Retry-After when the read model has not caught up in time', async () => {
      const { app, path } = await serviceWith({ timeoutMs: 150 });
      const started = Date.now();
      const res = await request(app).get(path).set('X-Consistent-After', at(50));
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body).toMatchObject({
        type: 'https://bdbazar.dev/problems/read_model_behind',
        status: 503,
        detail: `The read model has not caught up with position ${at(50)} within 150 ms; retry shortly.`,
        position: at(50),
      });
    });

    it('looks at the live generation only, and counts a projector without a checkpoint as behind', async () => {
      // The old generation of `things` is at 99, the live one at 5.
      expect((await request((await serviceWith({ projectors: ['things'], timeoutMs: 100 })).app).get('/v1/things/thing-1').set('X-Consistent-After', at(50))).status).toBe(503);
      await db.knex(`${schema}.projector_checkpoints`).where({ projector: 'stock' }).update({ position: null });
      const stock = await serviceWith({ projectors: ['stock'], timeoutMs: 100 });
      expect((await request(stock.app).get(stock.path).set('X-Consistent-After', at(0))).status).toBe(503);
      const never = await serviceWith({ projectors: ['never_ran'], timeoutMs: 100 });
      expect((await request(never.app).get(never.path).set('X-Consistent-After', at(0))).status).toBe(503);
    });

    it.each(['5', '00000000000000000005', `${at(5)}0`, 'latest', '00000000000000000005-00000000000000000000'])(
      'refuses a malformed position %j with a 400 problem',
      async (position) => {
        const { app, path } = await serviceWith();
        const res = await request(app).get(path).set('X-Consistent-After', position);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(res.body).toMatchObject({ type: 'https://bdbazar.dev/problems/validation', header: 'X-Consistent-After' });
      },
    );
  });
}

onEachDatabase('http_consistency', consistentAfterSuite);
