/** The read model cache over a real runtime schema (PGlite): an answer is served again only while the read models stand still. */
import express, { type Request, type Response } from 'express';
import { openDatabase, type Database } from '../database/database';
import { migrateRuntimeSchema } from '../projections/runtimeSchema';
import { VALIDATES_RESPONSES } from './createHttpApp';
import { createReadModelCache, requestKey } from './readModelCache';

/** An Express app's own settings: its ETag function, and whether it validates responses. */
const settings = (validatesResponses: boolean) => {
  const app = express();
  app.set(VALIDATES_RESPONSES, validatesResponses);
  return app;
};
const request = (url: string, headers: Record<string, string> = {}, validatesResponses = false): Request =>
  ({ originalUrl: url, path: url.split('?')[0], get: (name: string) => headers[name.toLowerCase()], app: settings(validatesResponses) }) as unknown as Request;

/** A response that records what was sent, and how. */
function response() {
  const sent: Array<{ how: 'json' | 'send'; body: unknown; etag?: string }> = [];
  let etag: string | undefined;
  const res = {
    type: () => res,
    set: (name: string, value: string) => {
      if (name === 'ETag') etag = value;
      return res;
    },
    send: (body: unknown) => sent.push({ how: 'send', body: Buffer.isBuffer(body) ? body.toString('utf8') : body, etag }),
    json: (body: unknown) => sent.push({ how: 'json', body }),
  };
  return { res: res as unknown as Response, sent };
}

describe('the read model cache', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openDatabase({ kind: 'pglite' });
    await migrateRuntimeSchema(db, 'bdbazar');
    await db.knex('bdbazar.projector_generations').insert({ projector: 'catalog', live_generation: 1 });
    await db.knex('bdbazar.projector_checkpoints').insert({ projector: 'catalog', generation: 1, version: 1, position: '00000000000000000001/00000000000000000001' });
  });
  afterAll(async () => {
    await db.close();
  });

  /** The projector applies a batch: the checkpoint moves, and so does the content version unless nothing visible changed. */
  const moveTo = (position: string, visibleChange = true) =>
    db
      .knex('bdbazar.projector_checkpoints')
      .where({ projector: 'catalog', generation: 1 })
      .update({ position, content_version: db.knex.raw('content_version + ?', [visibleChange ? 1 : 0]) });

  it('serves an answer again until the projector applies another event, then computes it afresh', async () => {
    const cache = createReadModelCache({ db, projectors: ['catalog'], versionTtlMs: 0 });
    let computed = 0;
    const compute = async () => ({ answer: ++computed });
    const req = request('/v1/products?q=shirt&sort=price_asc');
    expect(await cache.answer(req, requestKey(req), compute)).toEqual({ answer: 1 });
    expect(await cache.answer(req, requestKey(req), compute)).toEqual({ answer: 1 });
    await moveTo('00000000000000000001/00000000000000000002');
    expect(await cache.answer(req, requestKey(req), compute)).toEqual({ answer: 2 });
    expect(cache.stats()).toEqual({ hits: 1, misses: 2, entries: 1 });
  });

  it('keeps its answers while the projector applies batches that change nothing a reader sees', async () => {
    const cache = createReadModelCache({ db, projectors: ['catalog'], versionTtlMs: 0 });
    let computed = 0;
    const req = request('/v1/products?category=rice');
    await cache.answer(req, requestKey(req), async () => ++computed);
    await moveTo('00000000000000000001/00000000000000000007', false);
    await moveTo('00000000000000000001/00000000000000000008', false);
    expect(await cache.answer(req, requestKey(req), async () => ++computed)).toBe(1);
    await moveTo('00000000000000000001/00000000000000000009');
    expect(await cache.answer(req, requestKey(req), async () => ++computed)).toBe(2);
  });

  it('sees a rebuild going live as a change, even at the same position', async () => {
    const cache = createReadModelCache({ db, projectors: ['catalog'], versionTtlMs: 0 });
    let computed = 0;
    const req = request('/v1/categories');
    await cache.answer(req, requestKey(req), async () => ++computed);
    await db.knex('bdbazar.projector_checkpoints').insert({ projector: 'catalog', generation: 2, version: 2, position: '00000000000000000001/00000000000000000002' });
    await db.knex('bdbazar.projector_generations').where({ projector: 'catalog' }).update({ live_generation: 2 });
    expect(await cache.answer(req, requestKey(req), async () => ++computed)).toBe(2);
  });

  it('keys requests by path and parameters in any order, and skips the lookup for X-Consistent-After', async () => {
    const cache = createReadModelCache({ db, projectors: ['catalog'], versionTtlMs: 0 });
    let computed = 0;
    const a = request('/v1/products?brand=Aarong&q=panjabi');
    const b = request('/v1/products?q=panjabi&brand=Aarong');
    expect(requestKey(a)).toBe(requestKey(b));
    await cache.answer(a, requestKey(a), async () => ++computed);
    expect(await cache.answer(b, requestKey(b), async () => ++computed)).toBe(1);
    const fresh = request('/v1/products?q=panjabi&brand=Aarong', { 'x-consistent-after': '00000000000000000009/00000000000000000009' });
    expect(await cache.answer(fresh, requestKey(fresh), async () => ++computed)).toBe(2);
  });

  it('keeps at most maxEntries answers, dropping the least recently used', async () => {
    const cache = createReadModelCache({ db, projectors: ['catalog'], versionTtlMs: 0, maxEntries: 2 });
    let computed = 0;
    for (const q of ['a', 'b', 'a', 'c', 'a', 'b']) {
      const req = request(`/v1/products?q=${q}`);
      await cache.answer(req, requestKey(req), async () => ++computed);
    }
    // a (miss), b (miss), a (hit), c (miss, drops b), a (hit), b (miss again)
    expect(cache.stats()).toEqual({ hits: 2, misses: 4, entries: 2 });
  });

  it('reads the version at most once per versionTtlMs under load', async () => {
    const cache = createReadModelCache({ db, projectors: ['catalog'], versionTtlMs: 60_000 });
    const req = request('/v1/products?q=x');
    let computed = 0;
    await cache.answer(req, requestKey(req), async () => ++computed);
    await moveTo('00000000000000000001/00000000000000000003');
    // Within the TTL the old reading stands: the stored answer is served.
    expect(await cache.answer(req, requestKey(req), async () => ++computed)).toBe(1);
  });

  it('sends an answer serialized once for as long as it is stored, and through res.json where responses are validated', async () => {
    const cache = createReadModelCache({ db, projectors: ['catalog'], versionTtlMs: 60_000 });
    let serialized = 0;
    const value = { items: [1, 2], toJSON: () => (serialized++, { items: [1, 2] }) };
    const first = response();
    const second = response();
    await cache.send(request('/v1/categories'), first.res, async () => value);
    await cache.send(request('/v1/categories'), second.res, async () => value);
    // the app's own weak ETag of this body
    const etag = 'W/"f-ZwXk9bAPPXlMGulOJ4b4WDA1j8k"';
    expect([...first.sent, ...second.sent]).toEqual([
      { how: 'send', body: '{"items":[1,2]}', etag },
      { how: 'send', body: '{"items":[1,2]}', etag },
    ]);
    expect(serialized).toBe(1);
    const withoutETags = request('/v1/categories');
    withoutETags.app.set('etag', false);
    const plain = response();
    // a cache of its own: a stored answer keeps the ETag of the app it was first sent by
    await createReadModelCache({ db, projectors: ['catalog'], versionTtlMs: 60_000 }).send(withoutETags, plain.res, async () => value);
    expect(plain.sent).toEqual([{ how: 'send', body: '{"items":[1,2]}', etag: undefined }]);
    const validated = response();
    await cache.send(request('/v1/categories', {}, true), validated.res, async () => value);
    expect(validated.sent).toEqual([{ how: 'json', body: value }]);
  });
});
