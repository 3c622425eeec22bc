/**
 * The catalogue's routes through HTTP, as the query API serves them alone (createQueryApp, every
 * response checked against openapi/query.yaml), over read models the catalog and accounts
 * projectors build from the storefront fixture on the real PostgreSQL: whole answers, who sees
 * what, and a 4xx problem for every bad input.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { projectors } from '@bdbazar/projections';
import {
  createPostgresEventStore,
  createTokenIssuer,
  createTokenVerifier,
  keyIdOf,
  openDatabase,
  silentLogger,
  startHttpServer,
  startProjectorWorker,
  type Database,
  type EventStore,
  type ProjectorDefinition,
  type ProjectorWorker,
  type RunningHttpServer,
  type UserRole,
} from '@bdbazar/shared-kernel';
import { at } from '../../../projections/src/catalog/testing/catalogBuilders';
import { caughtUpTo } from '../../../projections/src/catalog/testing/caughtUp';
import { appendStorefront, buyerId, CATEGORIES, productId, SAREE_DECOMPOSED, sellerId, shopId } from '../../../projections/src/catalog/testing/storefrontFixture';
import { createTestDatabase, type TestDatabase } from '../../../projections/src/catalog/testing/testDatabase';
import { describeWithServer, requireServerUrl } from '../../../test/servers';
import { createQueryApp } from '../app';

const PROBLEM = 'application/problem+json';
const money = (amount: number) => ({ amount, currency: 'BDT' });
const named = (key: keyof typeof CATEGORIES) => ({ id: CATEGORIES[key].categoryId, name: CATEGORIES[key].name, slug: CATEGORIES[key].slug });
const SHOP_NAMES: Record<number, [string, string]> = { 1: ['Aarong Outlet', 'aarong-outlet'], 2: ['Dhaka Threads', 'dhaka-threads'], 3: ['Sylhet Home', 'sylhet-home'] };
const shopRef = (n: number) => ({ id: shopId(n), name: SHOP_NAMES[n]![0], slug: SHOP_NAMES[n]![1] });
const n = (id: string): number => Number(id.slice(-11));

interface Answer {
  status: number;
  type: string | null;
  etag: string | null;
  body: Record<string, unknown> & { items?: Array<Record<string, unknown>>; nextCursor?: string | null; detail?: string };
}

describeWithServer('postgres', 'the catalogue routes of the query API', () => {
  let database: TestDatabase;
  let store: EventStore;
  let db: Database;
  let workers: ProjectorWorker[];
  let server: RunningHttpServer;
  let unvalidated: Express;
  let token: (role: UserRole, userId?: string) => string;
  let lastPosition: string;

  const definitions = ['catalog', 'accounts', 'orders'].map((name) => projectors.find((p) => p.name === name) as ProjectorDefinition);

  beforeAll(async () => {
    database = await createTestDatabase(requireServerUrl('postgres'), 'bdbazar_catalog_routes');
    store = await createPostgresEventStore({ connectionString: database.url });
    db = await openDatabase({ kind: 'postgres', connectionString: database.url });
    const positions = await appendStorefront(store, { buyers: true });
    lastPosition = positions.catalog;
    workers = definitions.map((definition) => startProjectorWorker({ store, db, runtimeSchema: 'bdbazar', definition, logger: silentLogger(), checkIntervalMs: 50 }));
    await caughtUpTo({ db, store, runtimeSchema: 'bdbazar', definition: definitions[0]!, position: positions.catalog });
    await caughtUpTo({ db, store, runtimeSchema: 'bdbazar', definition: definitions[1]!, position: positions.accounts! });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = keyIdOf(publicKey);
    const issuer = createTokenIssuer({ privateKey, kid, issuer: 'bdbazar', audience: 'bdbazar' });
    token = (role, userId = randomUUID()) => issuer.issueAccessToken({ userId, role, sessionId: randomUUID(), sellerApproved: role === 'seller' }).token;
    const verifier = createTokenVerifier({ publicKeys: { [kid]: publicKey }, issuer: 'bdbazar', audience: 'bdbazar' });
    server = await startHttpServer(createQueryApp({ db, verifier, runtimeSchema: 'bdbazar', logger: silentLogger(), validateResponses: true }), { port: 0, logger: silentLogger() });
    // as in production: the read model cache sends its stored bytes itself, not through res.json
    unvalidated = createQueryApp({ db, verifier, runtimeSchema: 'bdbazar', logger: silentLogger() });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    for (const worker of workers ?? []) await worker.stop();
    await store?.close();
    await db?.close();
    await database?.drop();
  });

  const get = async (path: string, options: { bearer?: string; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.bearer) headers['authorization'] = `Bearer ${options.bearer}`;
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers });
    return { status: response.status, type: response.headers.get('content-type')?.split(';')[0] ?? null, etag: response.headers.get('etag'), body: (await response.json()) as Answer['body'] };
  };
  const numbers = (answer: Answer) => answer.body.items!.map((item) => n(item['id'] as string));
  const expectProblem = (answer: Answer, status: number, detail?: RegExp) => {
    expect({ status: answer.status, type: answer.type }).toEqual({ status, type: PROBLEM });
    expect(answer.body).toEqual(expect.objectContaining({ status, title: expect.any(String), detail: detail ? expect.stringMatching(detail) : expect.any(String) }));
  };
  const seller = (s: number) => token('seller', sellerId(s));

  describe('GET /v1/products', () => {
    it('answers a search with whole summaries and facets', async () => {
      const answer = await get(`/v1/products?${new URLSearchParams({ q: SAREE_DECOMPOSED })}`);
      expect(answer).toEqual({
        status: 200,
        type: 'application/json',
        etag: expect.anything(),
        body: {
          items: [
            {
              id: productId(7),
              title: 'লাল শা\u09dcিটি',
              brand: null,
              image: 'https://cdn.bdbazar.test/p7/1.jpg',
              priceMin: money(300_000),
              priceMax: money(300_000),
              inStock: true,
              rating: { average: null, count: 0 },
              shop: shopRef(2),
              category: named('saree'),
            },
            {
              id: productId(6),
              title: `জামদানি ${SAREE_DECOMPOSED}`,
              brand: 'Aarong',
              image: 'https://cdn.bdbazar.test/p6/1.jpg',
              priceMin: money(800_000),
              priceMax: money(800_000),
              inStock: true,
              rating: { average: 3.5, count: 2 },
              shop: shopRef(1),
              category: named('saree'),
            },
          ],
          facets: { categories: [{ ...named('clothing'), count: 2 }], brands: [{ brand: 'Aarong', count: 1 }] },
          nextCursor: null,
        },
      });
    });

    it('shows the struck-through price of the cheapest variant, and pages with the cursor it gave', async () => {
      const first = await get('/v1/products?sort=price_asc&limit=5&inStock=true');
      expect(numbers(first)).toEqual([9, 20, 19, 1, 11]);
      expect(first.body.items![3]).toEqual(expect.objectContaining({ id: productId(1), priceMin: money(120_000), compareAtPrice: money(150_000) }));
      const second = await get(`/v1/products?sort=price_asc&limit=5&inStock=true&cursor=${first.body.nextCursor!}`);
      expect(numbers(second)).toEqual([15, 16, 5, 12, 2]);
      expectProblem(await get(`/v1/products?sort=price_desc&limit=5&inStock=true&cursor=${first.body.nextCursor!}`), 400, /another list, search or sort/);
    });

    it.each([
      ['a minimum price above the maximum', 'minPrice=5&maxPrice=1', /minPrice \(5 poisha\) is above maxPrice \(1 poisha\)/],
      ['a rating above 5', 'minRating=6', /minRating/],
      ['an unknown sort', 'sort=cheapest', /sort/],
      ['a page too long', 'limit=51', /limit/],
      ['a category that is not an id', 'category=shirts', /category/],
      ['an unknown parameter', 'colour=red', /colour/],
      ['words without a letter', 'q=%21%3F', /q has no word/],
      ['relevance without words', 'sort=relevance', /sort=relevance/],
      ['a cursor not given out', 'cursor=bm9wZQ', /cursor/],
      ['a stock flag that is not a boolean', 'inStock=maybe', /inStock/],
      ['a negative price', 'minPrice=-1', /minPrice/],
    ])('refuses %s with a 400 problem', async (_what, query, detail) => {
      expectProblem(await get(`/v1/products?${query}`), 400, detail);
    });

    it('waits for X-Consistent-After, and refuses one that is not a position', async () => {
      expect((await get('/v1/products?limit=1', { headers: { 'X-Consistent-After': lastPosition } })).status).toBe(200);
      expectProblem(await get('/v1/products?limit=1', { headers: { 'X-Consistent-After': 'yesterday' } }), 400);
    });
  });

  describe('GET /v1/products/{id}', () => {
    const silkPanjabi = {
      id: productId(4),
      sellerId: sellerId(1),
      title: 'Silk panjabi for Eid',
      description: 'Pure silk, embroidered by hand.',
      brand: 'Aarong',
      images: ['https://cdn.bdbazar.test/p4/1.jpg'],
      attributes: { material: 'Silk' },
      variants: [
        { sku: 'P4-M', options: { size: 'M' }, price: money(450_000), compareAtPrice: null, weightGrams: 400, available: 2, inStock: true },
        { sku: 'P4-L', options: { size: 'L' }, price: money(480_000), compareAtPrice: money(520_000), weightGrams: 420, available: 0, inStock: false },
      ],
      priceMin: money(450_000),
      priceMax: money(480_000),
      inStock: true,
      status: 'published',
      shop: { ...shopRef(1), active: true },
      category: { ...named('panjabi'), path: [named('clothing'), named('men'), named('panjabi')] },
      rating: { average: 5, count: 1 },
      listedAt: at(14),
      publishedAt: at(104),
      updatedAt: at(104),
      revision: 1,
    };

    it('shows a public product to anyone, with its category path, and its stock details to its seller', async () => {
      expect(await get(`/v1/products/${productId(4)}`)).toEqual({ status: 200, type: 'application/json', etag: '"1"', body: silkPanjabi });
      expect((await get(`/v1/products/${productId(4)}`, { bearer: seller(1) })).body).toEqual({
        ...silkPanjabi,
        variants: [
          { ...silkPanjabi.variants[0], onHand: 2, reserved: 0 },
          { ...silkPanjabi.variants[1], onHand: 0, reserved: 0 },
        ],
        removedReason: null,
      });
    });

    it('shows a product that is not public to its seller and admins only', async () => {
      for (const bearer of [undefined, token('buyer'), seller(2)]) expectProblem(await get(`/v1/products/${productId(21)}`, { bearer }), 404);
      for (const bearer of [seller(1), token('admin')]) {
        expect((await get(`/v1/products/${productId(21)}`, { bearer })).body).toEqual(expect.objectContaining({ status: 'draft', publishedAt: null, revision: 0 }));
      }
      expect((await get(`/v1/products/${productId(24)}`, { bearer: seller(2) })).body).toEqual(expect.objectContaining({ status: 'removed', removedReason: 'Counterfeit goods.' }));
      // Published, but its shop is suspended.
      expectProblem(await get(`/v1/products/${productId(25)}`), 404);
      expect((await get(`/v1/products/${productId(25)}`, { bearer: seller(4) })).body).toEqual(
        expect.objectContaining({ status: 'published', shop: { id: shopId(4), name: 'Shady Deals', slug: 'shady-deals', active: false } }),
      );
    });

    it('answers 404 for an unknown product and 400 for a malformed id', async () => {
      expectProblem(await get(`/v1/products/${randomUUID()}`), 404);
      expectProblem(await get('/v1/products/not-a-uuid'), 400);
    });
  });

  describe('GET /v1/vendors/{vendorId}/products', () => {
    it("shows anyone a seller's public products, newest listing first", async () => {
      const answer = await get(`/v1/vendors/${sellerId(1)}/products`);
      expect(numbers(answer)).toEqual([17, 15, 14, 8, 6, 4, 1]);
      expect(answer.body.items!.every((item) => !('status' in item))).toBe(true);
      expect(numbers(await get(`/v1/vendors/${sellerId(1)}/products?status=published`, { bearer: seller(2) }))).toEqual([17, 15, 14, 8, 6, 4, 1]);
      expectProblem(await get(`/v1/vendors/${sellerId(1)}/products?status=draft`), 403, /Only the seller and admins/);
    });

    it('shows the seller and admins every status, with a status filter, page by page', async () => {
      for (const bearer of [seller(1), token('admin')]) expect(numbers(await get(`/v1/vendors/${sellerId(1)}/products`, { bearer }))).toEqual([22, 21, 17, 15, 14, 8, 6, 4, 1]);
      expect((await get(`/v1/vendors/${sellerId(1)}/products?status=unpublished`, { bearer: seller(1) })).body).toEqual({
        items: [
          {
            id: productId(22),
            title: 'Cotton shirt, unpublished',
            brand: 'Aarong',
            image: 'https://cdn.bdbazar.test/p22/1.jpg',
            priceMin: money(100_000),
            priceMax: money(100_000),
            inStock: true,
            rating: { average: null, count: 0 },
            shop: shopRef(1),
            category: named('shirts'),
            status: 'unpublished',
          },
        ],
        nextCursor: null,
      });
      const pages: number[][] = [];
      let cursor = '';
      do {
        const answer = await get(`/v1/vendors/${sellerId(1)}/products?limit=4${cursor ? `&cursor=${cursor}` : ''}`, { bearer: seller(1) });
        pages.push(numbers(answer));
        cursor = answer.body.nextCursor ?? '';
      } while (cursor);
      expect(pages).toEqual([[22, 21, 17, 15], [14, 8, 6, 4], [1]]);
    });
  });

  describe('GET /v1/shops/{id}/products', () => {
    it("lists an active shop's public products newest first, page by page", async () => {
      const first = await get(`/v1/shops/${shopId(3)}/products?limit=2`);
      expect(first.body).toEqual({
        items: [
          {
            id: productId(20),
            title: 'Old cotton lamp',
            brand: null,
            image: 'https://cdn.bdbazar.test/p20/1.jpg',
            priceMin: money(50_000),
            priceMax: money(50_000),
            inStock: true,
            rating: { average: null, count: 0 },
            shop: shopRef(3),
            category: named('oldStuff'),
          },
          {
            id: productId(19),
            title: 'Steel tiffin box',
            brand: 'Pran',
            image: 'https://cdn.bdbazar.test/p19/1.jpg',
            priceMin: money(70_000),
            priceMax: money(70_000),
            inStock: true,
            rating: { average: null, count: 0 },
            shop: shopRef(3),
            category: named('kitchen'),
          },
        ],
        nextCursor: expect.any(String),
      });
      expect(numbers(await get(`/v1/shops/${shopId(3)}/products?limit=2&cursor=${first.body.nextCursor!}`))).toEqual([13, 11]);
    });

    it('answers 404 for a suspended, pending or unknown shop', async () => {
      for (const id of [shopId(4), shopId(5), randomUUID()]) expectProblem(await get(`/v1/shops/${id}/products`), 404);
    });
  });

  describe('GET /v1/categories', () => {
    const leaf = (key: keyof typeof CATEGORIES, productCount: number) => ({ ...named(key), retired: false, productCount, children: [] });
    const open = [
      {
        ...named('clothing'),
        retired: false,
        productCount: 14,
        children: [
          { ...named('men'), retired: false, productCount: 11, children: [leaf('panjabi', 3), leaf('shirts', 7)] },
          { ...named('women'), retired: false, productCount: 3, children: [leaf('saree', 3)] },
        ],
      },
      { ...named('home'), retired: false, productCount: 5, children: [leaf('kitchen', 4)] },
    ];

    it('answers the open tree with counts of public products, subcategories included', async () => {
      expect((await get('/v1/categories')).body).toEqual({ items: open });
    });

    it('gives the answer an ETag, and a client that holds it a 304, with responses validated or not', async () => {
      const plain = await request(unvalidated).get('/v1/categories');
      expect(plain.body).toEqual({ items: open });
      expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
      expect((await request(unvalidated).get('/v1/categories').set('If-None-Match', plain.headers['etag']!)).status).toBe(304);

      const first = await get('/v1/categories');
      expect(first.etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
      expect((await get('/v1/categories')).etag).toBe(first.etag);
      // fetch adds Cache-Control: no-cache to a conditional request unless it has one
      const again = await fetch(`http://127.0.0.1:${server.port}/v1/categories`, { headers: { 'if-none-match': first.etag!, 'cache-control': 'max-age=0' } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    });

    it('shows retired categories to admins who ask, and refuses others', async () => {
      expect((await get('/v1/categories?includeRetired=true', { bearer: token('admin') })).body).toEqual({
        items: [...open, { ...named('oldStuff'), retired: true, productCount: 1, children: [] }],
      });
      expectProblem(await get('/v1/categories?includeRetired=true', { bearer: token('buyer') }), 403);
      expectProblem(await get('/v1/categories?includeRetired=true'), 401);
    });
  });

  describe('GET /v1/products/{productId}/reviews', () => {
    const lovely = { id: id(5), buyer: { id: buyerId(3), name: null }, rating: 4, text: 'Lovely saree.', reply: null, writtenAt: at(304), editedAt: null, verifiedPurchase: false };
    const colour = {
      id: id(4),
      buyer: { id: buyerId(1), name: 'Rahim Uddin' },
      rating: 3,
      text: 'Colour not as shown.',
      reply: { text: 'Sorry! Photos are taken in daylight.', repliedAt: at(353) },
      writtenAt: at(303),
      editedAt: null,
      verifiedPurchase: false,
    };
    const summary = { average: 3.5, count: 2, histogram: { '1': 0, '2': 0, '3': 1, '4': 1, '5': 0 } };
    function id(review: number) {
      return `00000000-0000-4000-8000-f${String(review).padStart(11, '0')}`;
    }

    it('lists visible reviews newest first, with buyer names (null once deleted), replies and the summary', async () => {
      expect((await get(`/v1/products/${productId(6)}/reviews`)).body).toEqual({ items: [lovely, colour], summary, nextCursor: null });
      const first = await get(`/v1/products/${productId(6)}/reviews?limit=1`);
      expect(first.body.items).toEqual([lovely]);
      expect((await get(`/v1/products/${productId(6)}/reviews?limit=1&cursor=${first.body.nextCursor!}`)).body).toEqual({ items: [colour], summary, nextCursor: null });
    });

    it('shows hidden reviews to admins who ask, and refuses others', async () => {
      expect((await get(`/v1/products/${productId(6)}/reviews?includeHidden=true`, { bearer: token('admin') })).body).toEqual({
        items: [
          { id: id(6), buyer: { id: buyerId(2), name: 'Karima Begum' }, rating: 1, text: 'Buy from my shop instead!', reply: null, writtenAt: at(305), editedAt: null, verifiedPurchase: false, hidden: true, hiddenReason: 'Advertising.' },
          { ...lovely, hidden: false, hiddenReason: null },
          { ...colour, hidden: false, hiddenReason: null },
        ],
        summary,
        nextCursor: null,
      });
      expectProblem(await get(`/v1/products/${productId(6)}/reviews?includeHidden=true`, { bearer: token('buyer') }), 403);
      expectProblem(await get(`/v1/products/${productId(6)}/reviews?includeHidden=true`), 401);
    });

    it('answers 404 for a product that is not public, but to its seller', async () => {
      expectProblem(await get(`/v1/products/${productId(21)}/reviews`), 404);
      expect((await get(`/v1/products/${productId(21)}/reviews`, { bearer: seller(1) })).body).toEqual({
        items: [],
        summary: { average: null, count: 0, histogram: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } },
        nextCursor: null,
      });
      expectProblem(await get(`/v1/products/${randomUUID()}/reviews`), 404);
    });
  });
});
