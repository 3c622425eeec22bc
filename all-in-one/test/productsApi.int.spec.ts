/**
 * The product service (products, stock, categories, reviews) and the catalogue's read routes over
 * HTTP, against the real PostgreSQL: every route, every role, every refusal; the access matrix (a
 * seller never touches another seller's shop, product or stock); bad input gives a 4xx problem,
 * never a 500, and writes nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describeWithServer, requireServerUrl } from '../../test/servers';
import type { Actor, Answer } from './marketplaceHarness';
import { TestMarketplace } from './marketplaceHarness';

const PROBLEM = 'application/problem+json';

interface Command {
  id: string;
  revision: number;
  position: string;
}

interface VariantView {
  sku: string;
  options: Record<string, string>;
  price: { amount: number; currency: string };
  available: number;
  [key: string]: unknown;
}

interface ProductView {
  id: string;
  title: string;
  status: string;
  variants: VariantView[];
  [key: string]: unknown;
}

interface ProductPage {
  items: Array<{ id: string; title: string; [key: string]: unknown }>;
  nextCursor: string | null;
  [key: string]: unknown;
}

const tag = () => randomBytes(3).toString('hex');

const shopBody = (name: string) => ({
  name,
  contact: { phone: '+8801811000000', email: 'hello@shop.com.bd' },
  location: { division: 'Dhaka', district: 'Dhaka', addressLine: 'Bashundhara City, Level 4' },
  pickupAddress: { label: 'Warehouse', recipient: 'Mim Akter', phone: '+8801811000000', division: 'Dhaka', district: 'Dhaka', line1: 'House 7, Road 3, Bashundhara R/A' },
});

describeWithServer('postgres', 'the products API', () => {
  let t: TestMarketplace;
  let admin: Actor;
  let seller: Actor;
  let other: Actor;
  let buyer: Actor;
  let buyer2: Actor;
  let unapproved: Actor;
  let shopId: string;
  let otherShopId: string;
  let categoryId: string;
  let subcategoryId: string;

  const expectProblem = (answer: Answer<unknown>, status: number) => {
    expect({ status: answer.status, type: answer.headers.get('content-type')?.split(';')[0] }).toEqual({ status, type: PROBLEM });
    expect(answer.body).toEqual(expect.objectContaining({ status, title: expect.any(String), detail: expect.any(String) }));
  };
  const ok = <T>(answer: Answer<T>, status = 200): T => {
    if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  /** An approved shop, once the product service has heard of it. */
  const approvedShop = async (owner: Actor): Promise<string> => {
    const opened = ok(await t.call<Command>('POST', '/v1/shops', { token: owner.accessToken, body: shopBody(`Shop ${tag()}`) }), 201);
    ok(await t.call('PUT', `/v1/admin/shops/${opened.id}/approve`, { token: admin.accessToken }));
    for (let i = 0; ; i++) {
      const known = await t.market.product.shops.get(opened.id).then(
        (shop) => shop.status === 'active',
        () => false,
      );
      if (known) return opened.id;
      if (i > 200) throw new Error('the product service never heard of the shop');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  const category = async (name: string, parentId: string | null = null) =>
    ok(await t.call<Command>('POST', '/v1/admin/categories', { token: admin.accessToken, body: { name: `${name} ${tag()}`, parentId } }), 201).id;

  const productBody = (overrides: Record<string, unknown> = {}) => ({
    shopId,
    title: `Cotton panjabi ${tag()}`,
    description: 'Hand-stitched cotton panjabi for Eid.',
    categoryId: subcategoryId,
    images: ['https://cdn.bdbazar.com.bd/panjabi/1.jpg'],
    brand: 'Aarong',
    attributes: { material: 'Cotton' },
    variants: [
      { sku: `PJ-${tag().toUpperCase()}-M`, options: { size: 'M' }, price: { amount: 185000, currency: 'BDT' }, compareAtPrice: { amount: 210000, currency: 'BDT' }, weightGrams: 400, stock: 5 },
      { sku: `PJ-${tag().toUpperCase()}-L`, options: { size: 'L' }, price: { amount: 195000, currency: 'BDT' }, weightGrams: 420, stock: 0 },
    ],
    ...overrides,
  });

  const list = async (owner: Actor = seller, overrides: Record<string, unknown> = {}) =>
    ok(await t.call<Command>('POST', '/v1/products', { token: owner.accessToken, body: productBody(overrides) }), 201);

  const read = (id: string, after: string, token?: string) => t.call<ProductView>('GET', `/v1/products/${id}`, { token, headers: { 'X-Consistent-After': after } });

  beforeAll(async () => {
    t = await TestMarketplace.start(requireServerUrl('postgres'));
    admin = await t.createAdmin();
    [seller, other, buyer, buyer2, unapproved] = await Promise.all([t.approvedSeller(admin), t.approvedSeller(admin), t.register('buyer'), t.register('buyer'), t.register('seller')]);
    [shopId, otherShopId] = await Promise.all([approvedShop(seller), approvedShop(other)]);
    categoryId = await category('Clothing');
    subcategoryId = await category('Panjabi', categoryId);
  }, 90_000);
  afterAll(async () => {
    await t?.stop();
  });

  describe('listing a product', () => {
    it('lists a draft: 201, Location, ETag; its seller sees it, the public does not until it is published', async () => {
      const body = productBody();
      const answer = await t.call<Command>('POST', '/v1/products', { token: seller.accessToken, body });
      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ id: expect.any(String), revision: 0, position: expect.stringMatching(/^\d{20}\/\d{20}$/) });
      expect(answer.headers.get('location')).toBe(`/v1/products/${answer.body.id}`);
      expect(answer.headers.get('etag')).toBe('"0"');

      const mine = ok(await read(answer.body.id, answer.body.position, seller.accessToken));
      expect(mine).toEqual(
        expect.objectContaining({
          id: answer.body.id,
          title: body.title,
          status: 'draft',
          brand: 'Aarong',
          images: ['https://cdn.bdbazar.com.bd/panjabi/1.jpg'],
          attributes: { material: 'Cotton' },
        }),
      );
      expect(mine.variants.map((v) => ({ sku: v.sku, price: v.price, available: v.available }))).toEqual([
        { sku: body.variants[0]!.sku, price: { amount: 185000, currency: 'BDT' }, available: 5 },
        { sku: body.variants[1]!.sku, price: { amount: 195000, currency: 'BDT' }, available: 0 },
      ]);
      expectProblem(await read(answer.body.id, answer.body.position), 404);
      expectProblem(await read(answer.body.id, answer.body.position, other.accessToken), 404);
      expect(ok(await read(answer.body.id, answer.body.position, admin.accessToken)).status).toBe('draft');

      const published = ok(await t.call<Command>('PUT', `/v1/products/${answer.body.id}/publish`, { token: seller.accessToken }));
      expect(published.revision).toBe(1);
      expect(ok(await read(answer.body.id, published.position)).status).toBe('published');
    });

    it('lists and publishes in one command with publish: true', async () => {
      const listed = await list(seller, { publish: true });
      expect(listed.revision).toBe(1);
      expect(ok(await read(listed.id, listed.position)).status).toBe('published');
    });

    it.each([
      ['anonymous', () => undefined, 401],
      ['a buyer', () => buyer.accessToken, 403],
      ['a seller not yet approved', () => unapproved.accessToken, 403],
      ['an admin (products belong to sellers)', () => admin.accessToken, 403],
    ])('refuses %s, writing nothing', async (_who, token, status) => {
      const before = await t.head();
      expectProblem(await t.call('POST', '/v1/products', { token: token(), body: productBody() }), status);
      expect(await t.head()).toBe(before);
    });

    it("refuses to list under another seller's shop with 403, writing nothing", async () => {
      const before = await t.head();
      const answer = await t.call<{ detail: string }>('POST', '/v1/products', { token: seller.accessToken, body: productBody({ shopId: otherShopId }) });
      expectProblem(answer, 403);
      expect(answer.body.detail).toMatch(/not yours/);
      expect(await t.head()).toBe(before);
    });

    it('refuses a shop that does not exist with 404, writing nothing', async () => {
      const before = await t.head();
      expectProblem(await t.call('POST', '/v1/products', { token: seller.accessToken, body: productBody({ shopId: randomUUID() }) }), 404);
      expect(await t.head()).toBe(before);
    });

    it('refuses a SKU another product of the shop uses (409), and frees it when that product is archived', async () => {
      const firstSku = productBody().variants[0]!.sku;
      const taken = await list(seller, { variants: [{ sku: firstSku, price: { amount: 1000, currency: 'BDT' } }] });
      // The SKU is the shop's: a second product with it is refused, whoever's product it is.
      const before = await t.head();
      const again = await t.call<{ detail: string }>('POST', '/v1/products', { token: seller.accessToken, body: productBody({ variants: [{ sku: firstSku.toLowerCase(), price: { amount: 1000, currency: 'BDT' } }] }) });
      expectProblem(again, 409);
      expect(again.body.detail).toMatch(new RegExp(`SKU ${firstSku} is already used`));
      expect(await t.head()).toBe(before);

      // Another shop may use the same SKU.
      await list(other, { shopId: otherShopId, variants: [{ sku: firstSku, price: { amount: 1000, currency: 'BDT' } }] });

      ok(await t.call('DELETE', `/v1/products/${taken.id}`, { token: seller.accessToken }));
      await list(seller, { variants: [{ sku: firstSku, price: { amount: 1000, currency: 'BDT' } }] });
    });

    it('replays a listing retried with its Idempotency-Key, and refuses the key with another body (422)', async () => {
      const key = randomUUID();
      const body = productBody();
      const first = await t.call<Command>('POST', '/v1/products', { token: seller.accessToken, body, headers: { 'Idempotency-Key': key } });
      const second = await t.call<Command>('POST', '/v1/products', { token: seller.accessToken, body, headers: { 'Idempotency-Key': key } });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expectProblem(await t.call('POST', '/v1/products', { token: seller.accessToken, body: productBody(), headers: { 'Idempotency-Key': key } }), 422);
    });
  });

  describe('importing products (POST /v1/products/bulk)', () => {
    interface ImportAnswer {
      listed: number;
      refused: number;
      position: string;
      results: Array<{ index: number; status: number; id?: string; revision?: number; position?: string; problem?: { status: number; detail: string; instance: string } }>;
    }
    const importing = (products: unknown[], token = seller.accessToken, headers: Record<string, string> = {}) =>
      t.call<ImportAnswer>('POST', '/v1/products/bulk', { token, body: { products }, headers });

    it('lists every product of an import: one 201 outcome each, in order, readable after the answer\'s position', async () => {
      const bodies = Array.from({ length: 30 }, (_, i) => productBody({ publish: i % 2 === 0 }));
      const answer = ok(await importing(bodies));
      expect({ listed: answer.listed, refused: answer.refused }).toEqual({ listed: 30, refused: 0 });
      expect(answer.results.map((r) => [r.index, r.status])).toEqual(bodies.map((_, i) => [i, 201]));
      const positions = answer.results.map((r) => r.position!);
      expect(answer.position).toBe([...positions].sort().at(-1));
      const seen = await Promise.all(answer.results.map((r) => read(r.id!, answer.position, seller.accessToken).then((a) => ok(a))));
      expect(seen.map((p) => [p.title, p.status])).toEqual(bodies.map((b, i) => [b.title, i % 2 === 0 ? 'published' : 'draft']));
      expect(answer.results.map((r) => r.revision)).toEqual(bodies.map((_, i) => (i % 2 === 0 ? 1 : 0)));
    });

    it('refuses a product on its own, writing nothing for it: the others are listed', async () => {
      const taken = productBody().variants[0]!.sku;
      await list(seller, { variants: [{ sku: taken, price: { amount: 1000, currency: 'BDT' } }] });
      const twice = `TWICE-${tag().toUpperCase()}`;
      const noCategory = productBody({ categoryId: randomUUID() });
      const bodies = [
        productBody(),
        productBody({ variants: [{ sku: taken, price: { amount: 1000, currency: 'BDT' } }] }),
        productBody({ shopId: otherShopId }),
        noCategory,
        productBody({ variants: [{ sku: twice, price: { amount: 1000, currency: 'BDT' } }] }),
        productBody({ variants: [{ sku: twice, price: { amount: 1000, currency: 'BDT' } }] }),
        productBody({ shopId: randomUUID() }),
      ];
      const answer = ok(await importing(bodies));
      const statuses = answer.results.map((r) => r.status);
      expect(statuses.slice(0, 4)).toEqual([201, 409, 403, 400]);
      // Two products of one import claiming one SKU: exactly one gets it.
      expect([...statuses.slice(4, 6)].sort()).toEqual([201, 409]);
      expect(statuses[6]).toBe(404);
      expect({ listed: answer.listed, refused: answer.refused }).toEqual({ listed: 2, refused: 5 });
      const refusal = answer.results[1]!.problem!;
      expect(refusal).toEqual(expect.objectContaining({ status: 409, instance: '/v1/products/bulk#/products/1' }));
      expect(refusal.detail).toMatch(new RegExp(`SKU ${taken} is already used`));
      expect(answer.results[2]!.problem!.detail).toMatch(/not yours/);
      expect(answer.results[3]!.problem!.detail).toMatch(/no category/);
      // Nothing of the refused product stays: its SKUs are free for the next listing.
      await list(seller, { variants: noCategory.variants });
      // Only the two listed are in the seller's catalogue.
      const titles = new Set<string>();
      for (let cursor: string | null = ''; cursor !== null; ) {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page: ProductPage = ok(await t.call<ProductPage>('GET', `/v1/vendors/${seller.id}/products?limit=50${query}`, { token: seller.accessToken, headers: { 'X-Consistent-After': answer.position } }));
        page.items.forEach((p) => titles.add(p.title));
        cursor = page.nextCursor;
      }
      expect(bodies.map((b) => titles.has(b.title))).toEqual(statuses.map((status) => status === 201));
    });

    it("refuses an import none of whose products could be listed: 403 for another seller's shops, else 422, each refusal in results", async () => {
      const before = await t.head();
      const theirs = await importing([productBody({ shopId: otherShopId }), productBody({ shopId: otherShopId })]);
      expectProblem(theirs, 403);
      expect(theirs.body).toEqual(expect.objectContaining({ listed: 0, refused: 2, results: [expect.objectContaining({ index: 0, status: 403 }), expect.objectContaining({ index: 1, status: 403 })] }));
      const mixed = await importing([productBody({ shopId: otherShopId }), productBody({ categoryId: randomUUID() })]);
      expectProblem(mixed, 422);
      expect((mixed.body as unknown as ImportAnswer).results.map((r) => r.status)).toEqual([403, 400]);
      expect(await t.head()).toBe(before);
    });

    it.each([
      ['a float price in one product', () => [productBody(), productBody({ variants: [{ sku: `F-${tag()}`, price: { amount: 10.5, currency: 'BDT' } }] })], 400],
      ['no products', () => [], 400],
      ['101 products', () => Array.from({ length: 101 }, () => productBody()), 400],
      ['an unknown field in one product', () => [productBody({ colour: 'red' })], 400],
    ])('refuses the whole import for %s, writing nothing', async (_what, products, status) => {
      const before = await t.head();
      expectProblem(await importing(products()), status);
      expect(await t.head()).toBe(before);
    });

    it.each([
      ['anonymous', () => undefined, 401],
      ['a buyer', () => buyer.accessToken, 403],
      ['a seller not yet approved', () => unapproved.accessToken, 403],
    ])('refuses %s, writing nothing', async (_who, token, status) => {
      const before = await t.head();
      expectProblem(await t.call('POST', '/v1/products/bulk', { token: token(), body: { products: [productBody()] } }), status);
      expect(await t.head()).toBe(before);
    });

    it('takes an import of 100 products larger than other bodies may be, and refuses one past its own limit (413)', async () => {
      const description = 'Hand-woven Tangail saree. '.repeat(150);
      const bodies = Array.from({ length: 100 }, () => productBody({ description }));
      expect(Buffer.byteLength(JSON.stringify({ products: bodies }))).toBeGreaterThan(300_000);
      const answer = ok(await importing(bodies));
      expect(answer.listed).toBe(100);
      // The other routes keep their own limit.
      expectProblem(await t.call('POST', '/v1/products', { token: seller.accessToken, rawBody: JSON.stringify({ ...productBody(), description: 'x'.repeat(150_000) }) }), 413);
      const before = await t.head();
      const huge = Array.from({ length: 100 }, () => productBody({ description: 'x'.repeat(5000), images: Array.from({ length: 10 }, (_, i) => `https://cdn.bdbazar.com.bd/${'p'.repeat(1900)}/${i}.jpg`) }));
      const tooLarge = await importing(huge);
      expectProblem(tooLarge, 413);
      expect(await t.head()).toBe(before);
    });

    it('answers an import retried with its Idempotency-Key as the first time, listing nothing more', async () => {
      const key = randomUUID();
      const bodies = [productBody(), productBody()];
      const first = ok(await importing(bodies, seller.accessToken, { 'Idempotency-Key': key }));
      const before = await t.head();
      const again = await importing(bodies, seller.accessToken, { 'Idempotency-Key': key });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first);
      expect(await t.head()).toBe(before);
      expectProblem(await importing([productBody()], seller.accessToken, { 'Idempotency-Key': key }), 422);
    });
  });

  describe('bad input: a 4xx problem, never a 500, nothing written', () => {
    const variant = (overrides: Record<string, unknown>) => [{ sku: `BAD-${tag().toUpperCase()}`, price: { amount: 1000, currency: 'BDT' }, ...overrides }];
    it.each([
      ['a negative price', () => ({ variants: variant({ price: { amount: -100, currency: 'BDT' } }) }), /price|amount/],
      ['a zero price', () => ({ variants: variant({ price: { amount: 0, currency: 'BDT' } }) }), /price|amount/],
      ['a float price', () => ({ variants: variant({ price: { amount: 1250.5, currency: 'BDT' } }) }), /integer|amount/],
      ['a price in another currency', () => ({ variants: variant({ price: { amount: 1000, currency: 'USD' } }) }), /currency/],
      ['a price as a string', () => ({ variants: variant({ price: { amount: '1000', currency: 'BDT' } }) }), /integer|amount/],
      ['a compare-at price below the price', () => ({ variants: variant({ compareAtPrice: { amount: 500, currency: 'BDT' } }) }), /compareAtPrice/],
      ['an http image', () => ({ images: ['http://cdn.example.com/a.jpg'] }), /https/],
      ['an image on a private network', () => ({ images: ['https://10.0.0.5/a.jpg'] }), /public host/],
      ['an image on localhost', () => ({ images: ['https://localhost/a.jpg'] }), /public host/],
      ['the cloud metadata address', () => ({ images: ['https://169.254.169.254/latest/meta-data'] }), /public host/],
      ['eleven images', () => ({ images: Array.from({ length: 11 }, (_, i) => `https://cdn.example.com/${i}.jpg`) }), /images|10/],
      ['a SKU twice in one product', () => ({ variants: [...variant({ sku: 'TWICE-1' }), ...variant({ sku: 'twice-1', options: { size: 'L' } })] }), /TWICE-1/],
      ['no variants', () => ({ variants: [] }), /variants/],
      ['a category that does not exist', () => ({ categoryId: randomUUID() }), /no category/],
      ['a title of two letters', () => ({ title: 'ab' }), /title/],
      ['an unknown field', () => ({ colour: 'red' }), /colour|additional/],
      ['a negative opening stock', () => ({ variants: variant({ stock: -1 }) }), /stock/],
    ])('refuses %s', async (_what, overrides, detail) => {
      const before = await t.head();
      const answer = await t.call<{ detail: string }>('POST', '/v1/products', { token: seller.accessToken, body: productBody(overrides()) });
      expectProblem(answer, 400);
      expect(JSON.stringify(answer.body)).toMatch(detail);
      expect(await t.head()).toBe(before);
    });

    it('refuses a body that is not JSON, and a malformed product id on every route', async () => {
      expectProblem(await t.call('POST', '/v1/products', { token: seller.accessToken, rawBody: '{"title": ' }), 400);
      for (const [method, path] of [
        ['PUT', '/v1/products/not-a-uuid'],
        ['DELETE', '/v1/products/not-a-uuid'],
        ['PUT', '/v1/products/not-a-uuid/publish'],
        ['PUT', '/v1/products/not-a-uuid/variants/A/stock'],
        ['GET', '/v1/products/not-a-uuid'],
        ['GET', '/v1/products/not-a-uuid/reviews'],
      ] as const) {
        expectProblem(await t.call(method, path, { token: seller.accessToken, body: method === 'PUT' ? {} : undefined }), 400);
      }
    });
  });

  describe('changing, publishing, archiving', () => {
    it('lets the seller change the details under If-Match; a stale one is a 412 that writes nothing', async () => {
      const listed = await list();
      const body = productBody({ title: 'Silk panjabi, changed' });
      delete (body as Record<string, unknown>)['shopId'];
      const changed = ok(await t.call<Command>('PUT', `/v1/products/${listed.id}`, { token: seller.accessToken, body, headers: { 'If-Match': '"0"' } }));
      expect(changed.revision).toBe(1);
      expect(ok(await read(listed.id, changed.position, seller.accessToken)).title).toBe('Silk panjabi, changed');
      const before = await t.head();
      expectProblem(await t.call('PUT', `/v1/products/${listed.id}`, { token: seller.accessToken, body, headers: { 'If-Match': '"0"' } }), 412);
      expect(await t.head()).toBe(before);
    });

    it('keeps the stock of a kept SKU, starts a new one at its stock, and frees a dropped one', async () => {
      const body = productBody();
      const listed = await list(seller, { variants: body.variants });
      const [m, l] = body.variants;
      const change = { ...body, variants: [{ ...m!, stock: 99 }, { sku: `NEW-${tag().toUpperCase()}`, options: { size: 'XL' }, price: { amount: 5000, currency: 'BDT' }, stock: 7 }] };
      delete (change as Record<string, unknown>)['shopId'];
      const changed = ok(await t.call<Command>('PUT', `/v1/products/${listed.id}`, { token: seller.accessToken, body: change }));
      const view = ok(await read(listed.id, changed.position, seller.accessToken));
      expect(view.variants.map((v) => [v.sku, v.available])).toEqual([
        [m!.sku, 5],
        [change.variants[1]!.sku, 7],
      ]);
      // The dropped SKU is the shop's to use again.
      await list(seller, { variants: [{ sku: l!.sku, price: { amount: 1000, currency: 'BDT' } }] });
    });

    it('lets only the seller who owns it (or an admin) change, publish, stock or delete it', async () => {
      const listed = await list();
      const body = productBody();
      delete (body as Record<string, unknown>)['shopId'];
      const sku = productBody().variants[0]!.sku;
      const attempts: Array<[string, string, unknown]> = [
        ['PUT', `/v1/products/${listed.id}`, body],
        ['PUT', `/v1/products/${listed.id}/publish`, undefined],
        ['PUT', `/v1/products/${listed.id}/unpublish`, undefined],
        ['PUT', `/v1/products/${listed.id}/variants/${sku}/stock`, { quantity: 50, reason: 'Counted the shelf' }],
        ['POST', `/v1/products/${listed.id}/variants/${sku}/stock-adjustments`, { change: 5, reason: 'Received from the tailor' }],
        ['DELETE', `/v1/products/${listed.id}`, undefined],
      ];
      for (const [method, path, payload] of attempts) {
        const before = await t.head();
        expectProblem(await t.call(method, path, { token: other.accessToken, body: payload }), 403);
        expectProblem(await t.call(method, path, { token: buyer.accessToken, body: payload }), 403);
        expectProblem(await t.call(method, path, { body: payload }), 401);
        expect(await t.head()).toBe(before);
      }
      ok(await t.call('PUT', `/v1/products/${listed.id}/publish`, { token: admin.accessToken }));
    });

    it("archives on its seller's DELETE: gone from the storefront for good", async () => {
      const listed = await list(seller, { publish: true });
      const archived = ok(await t.call<Command>('DELETE', `/v1/products/${listed.id}`, { token: seller.accessToken }));
      expectProblem(await read(listed.id, archived.position), 404);
      expect(ok(await read(listed.id, archived.position, seller.accessToken)).status).toBe('archived');
      const again = await t.call<{ detail: string }>('PUT', `/v1/products/${listed.id}/publish`, { token: seller.accessToken });
      expectProblem(again, 409);
    });

    it("removes on an admin's DELETE with a reason; without one it is a 400", async () => {
      const listed = await list(seller, { publish: true });
      expectProblem(await t.call('DELETE', `/v1/products/${listed.id}`, { token: admin.accessToken }), 400);
      const removed = ok(await t.call<Command>('DELETE', `/v1/products/${listed.id}?reason=${encodeURIComponent('Counterfeit brand reported')}`, { token: admin.accessToken }));
      expectProblem(await read(listed.id, removed.position), 404);
      expect(ok(await read(listed.id, removed.position, seller.accessToken))).toEqual(expect.objectContaining({ status: 'removed' }));
    });

    it('refuses a product that does not exist with 404', async () => {
      expectProblem(await t.call('PUT', `/v1/products/${randomUUID()}/publish`, { token: seller.accessToken }), 404);
    });
  });

  describe('stock', () => {
    it('sets and adjusts stock with a reason; never below zero', async () => {
      const body = productBody();
      const listed = await list(seller, { variants: body.variants, publish: true });
      const sku = body.variants[0]!.sku;
      const set = ok(await t.call<Command>('PUT', `/v1/products/${listed.id}/variants/${sku.toLowerCase()}/stock`, { token: seller.accessToken, body: { quantity: 12, reason: 'Counted the shelf' } }));
      expect((ok(await read(listed.id, set.position)).variants[0] as VariantView).available).toBe(12);
      const moved = ok(await t.call<Command>('POST', `/v1/products/${listed.id}/variants/${sku}/stock-adjustments`, { token: seller.accessToken, body: { change: -2, reason: 'Damaged in the rain' } }));
      expect((ok(await read(listed.id, moved.position)).variants[0] as VariantView).available).toBe(10);

      const before = await t.head();
      expectProblem(await t.call('POST', `/v1/products/${listed.id}/variants/${sku}/stock-adjustments`, { token: seller.accessToken, body: { change: -11, reason: 'Lost' } }), 409);
      expectProblem(await t.call('PUT', `/v1/products/${listed.id}/variants/${sku}/stock`, { token: seller.accessToken, body: { quantity: -1, reason: 'Lost' } }), 400);
      expectProblem(await t.call('PUT', `/v1/products/${listed.id}/variants/${sku}/stock`, { token: seller.accessToken, body: { quantity: 1.5, reason: 'Half' } }), 400);
      expectProblem(await t.call('PUT', `/v1/products/${listed.id}/variants/${sku}/stock`, { token: seller.accessToken, body: { quantity: 3 } }), 400);
      expectProblem(await t.call('PUT', `/v1/products/${listed.id}/variants/NO-SUCH-SKU/stock`, { token: seller.accessToken, body: { quantity: 3, reason: 'Count' } }), 404);
      expect(await t.head()).toBe(before);
    });

    it('holds stock for orders, once per order, never more than there is', async () => {
      const body = productBody();
      const listed = await list(seller, { variants: body.variants, publish: true });
      const sku = body.variants[0]!.sku; // 5 in stock
      const context = { correlationId: 'test', causationId: 'test', actor: { id: 'order-process', role: 'system' as const } };
      const orders = Array.from({ length: 8 }, () => randomUUID());
      await Promise.all(orders.map((orderId) => t.market.product.products.reserveStock(listed.id, orderId, [{ sku, quantity: 1 }], context)));
      // The same orders asking again change nothing.
      await Promise.all(orders.map((orderId) => t.market.product.products.reserveStock(listed.id, orderId, [{ sku, quantity: 1 }], context)));
      const { state } = await t.market.product.products.load(listed.id);
      if (state.status === 'none') throw new Error('no product');
      expect(state.stock[sku]).toEqual({ onHand: 5, reserved: 5 });
      expect([...state.reservations.values()].map((r) => r.state).sort()).toEqual(['held', 'held', 'held', 'held', 'held', 'refused', 'refused', 'refused']);
    });
  });

  describe('categories', () => {
    it('lets only admins create, rename, move and retire categories', async () => {
      const root = await category('Electronics');
      const child = await category('Phones', root);
      for (const token of [seller.accessToken, buyer.accessToken]) {
        expectProblem(await t.call('POST', '/v1/admin/categories', { token, body: { name: 'Nope' } }), 403);
        expectProblem(await t.call('PUT', `/v1/admin/categories/${child}`, { token, body: { name: 'Nope' } }), 403);
      }
      ok(await t.call('PUT', `/v1/admin/categories/${child}`, { token: admin.accessToken, body: { name: `Mobile phones ${tag()}` } }));
      // A category cannot move under its own child.
      expectProblem(await t.call('PUT', `/v1/admin/categories/${root}/move`, { token: admin.accessToken, body: { parentId: child } }), 409);
      ok(await t.call('PUT', `/v1/admin/categories/${child}/move`, { token: admin.accessToken, body: { parentId: null } }));
      // A retired category takes no new products.
      const retired = ok(await t.call<Command>('PUT', `/v1/admin/categories/${child}/retire`, { token: admin.accessToken }));
      expect(retired.id).toBe(child);
      const refused = await t.call<{ detail: string }>('POST', '/v1/products', { token: seller.accessToken, body: productBody({ categoryId: child }) });
      expectProblem(refused, 400);
      expect(refused.body.detail).toMatch(/retired/);
    });

    it('refuses a slug another category has (409) and a parent that does not exist (404)', async () => {
      const slug = `kitchen-${tag()}`;
      ok(await t.call('POST', '/v1/admin/categories', { token: admin.accessToken, body: { name: 'Kitchen', slug } }), 201);
      expectProblem(await t.call('POST', '/v1/admin/categories', { token: admin.accessToken, body: { name: 'Kitchen again', slug } }), 409);
      expectProblem(await t.call('POST', '/v1/admin/categories', { token: admin.accessToken, body: { name: 'Kitchen', slug: 'Not A Slug' } }), 400);
      expectProblem(await t.call('POST', '/v1/admin/categories', { token: admin.accessToken, body: { name: `Orphan ${tag()}`, parentId: randomUUID() } }), 404);
    });

    it('shows the tree, with the new categories under their parents', async () => {
      const tree = ok(await t.call<{ items: Array<{ id: string; children: Array<{ id: string }> }> }>('GET', '/v1/categories'));
      const clothing = tree.items.find((c) => c.id === categoryId);
      expect(clothing?.children.map((c) => c.id)).toContain(subcategoryId);
    });
  });

  describe('reviews', () => {
    it('lets a buyer review a published product once (writing again rewrites it), the seller reply, an admin hide it', async () => {
      const listed = await list(seller, { publish: true });
      const path = `/v1/products/${listed.id}/reviews`;
      const written = await t.call<Command>('POST', path, { token: buyer.accessToken, body: { rating: 4, text: 'Good cloth, stitching could be finer.' } });
      expect(written.status).toBe(201);
      const rewritten = await t.call<Command>('POST', path, { token: buyer.accessToken, body: { rating: 5, text: 'After a wash: excellent.' } });
      expect(rewritten.status).toBe(200);
      expect(rewritten.body.id).toBe(written.body.id);
      ok(await t.call('POST', path, { token: buyer2.accessToken, body: { rating: 2 } }), 201);

      const replied = ok(await t.call<Command>('PUT', `${path}/${written.body.id}/reply`, { token: seller.accessToken, body: { reply: 'Thank you!' } }));
      expectProblem(await t.call('PUT', `${path}/${written.body.id}/reply`, { token: other.accessToken, body: { reply: 'Not mine' } }), 403);

      type Reviews = { items: Array<{ id: string; rating: number; text: string; reply: { text: string } | null }>; summary: { average: number | null; count: number } };
      const reviews = ok(await t.call<Reviews>('GET', path, { headers: { 'X-Consistent-After': replied.position } }));
      expect(reviews.summary).toEqual(expect.objectContaining({ count: 2, average: 3.5 }));
      expect(reviews.items.find((r) => r.id === written.body.id)).toEqual(expect.objectContaining({ rating: 5, text: 'After a wash: excellent.', reply: expect.objectContaining({ text: 'Thank you!' }) }));

      expectProblem(await t.call('PUT', `/v1/admin/reviews/${written.body.id}/hide`, { token: seller.accessToken, body: { reason: 'Mine' } }), 403);
      const hidden = ok(await t.call<Command>('PUT', `/v1/admin/reviews/${written.body.id}/hide`, { token: admin.accessToken, body: { reason: 'Personal details in the text' } }));
      const after = ok(await t.call<Reviews>('GET', path, { headers: { 'X-Consistent-After': hidden.position } }));
      expect(after.items.map((r) => r.id)).not.toContain(written.body.id);
      expect(after.summary).toEqual(expect.objectContaining({ count: 1, average: 2 }));
    });

    it('refuses a review from a seller, of a draft, and with a rating out of 1..5, writing nothing', async () => {
      const draft = await list();
      const published = await list(seller, { publish: true });
      const before = await t.head();
      expectProblem(await t.call('POST', `/v1/products/${published.id}/reviews`, { token: other.accessToken, body: { rating: 5 } }), 403);
      expectProblem(await t.call('POST', `/v1/products/${draft.id}/reviews`, { token: buyer.accessToken, body: { rating: 5 } }), 404);
      for (const rating of [0, 6, 4.5, '5']) expectProblem(await t.call('POST', `/v1/products/${published.id}/reviews`, { token: buyer.accessToken, body: { rating } }), 400);
      expect(await t.head()).toBe(before);
    });
  });

  describe('the catalogue read routes', () => {
    it("lists a seller's catalogue: the public sees published products, the seller all of theirs", async () => {
      const draft = await list(other, { shopId: otherShopId });
      const published = await list(other, { shopId: otherShopId, publish: true });
      const after = { 'X-Consistent-After': published.position };
      const publicPage = ok(await t.call<ProductPage>('GET', `/v1/vendors/${other.id}/products`, { headers: after }));
      expect(publicPage.items.map((p) => p.id)).toContain(published.id);
      expect(publicPage.items.map((p) => p.id)).not.toContain(draft.id);
      const own = ok(await t.call<ProductPage>('GET', `/v1/vendors/${other.id}/products`, { token: other.accessToken, headers: after }));
      expect(own.items.map((p) => p.id)).toEqual(expect.arrayContaining([draft.id, published.id]));
    });

    it("hides a suspended shop's products from the storefront, and shows them again on reinstatement", async () => {
      const listed = await list(seller, { publish: true, title: `Jamdani saree ${tag()}` });
      const suspended = ok(await t.call<Command>('PUT', `/v1/admin/shops/${shopId}/suspend`, { token: admin.accessToken, body: { reason: 'Checking a complaint' } }));
      // The shop's event is on another stream: wait for the catalogue to have it.
      const hidden = await t.call('GET', `/v1/products/${listed.id}`, { headers: { 'X-Consistent-After': suspended.position } });
      expectProblem(hidden, 404);
      const reinstated = ok(await t.call<Command>('PUT', `/v1/admin/shops/${shopId}/reinstate`, { token: admin.accessToken }));
      expect(ok(await read(listed.id, reinstated.position)).id).toBe(listed.id);
    });

    it('finds a published product by a word of its title', async () => {
      const word = `zq${tag()}`;
      const listed = await list(seller, { publish: true, title: `Handloom ${word} gamchha` });
      const page = ok(await t.call<ProductPage>('GET', `/v1/products?q=${word}`, { headers: { 'X-Consistent-After': listed.position } }));
      expect(page.items.map((p) => p.id)).toEqual([listed.id]);
      // As a browser's search form sends it: a space as '+'.
      const form = ok(await t.call<ProductPage>('GET', `/v1/products?q=handloom+${word}`));
      expect(form.items.map((p) => p.id)).toEqual([listed.id]);
      // Served again from the answer cache until the catalogue changes; a change shows at once.
      const unpublished = ok(await t.call<Command>('PUT', `/v1/products/${listed.id}/unpublish`, { token: seller.accessToken }));
      expect(ok(await t.call<ProductPage>('GET', `/v1/products?q=${word}`, { headers: { 'X-Consistent-After': unpublished.position } })).items).toEqual([]);
      expect(ok(await t.call<ProductPage>('GET', `/v1/products?q=handloom+${word}`)).items).toEqual([]);
    });
  });
});
