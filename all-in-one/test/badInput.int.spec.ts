/**
 * Every route of every API, sent what careless and hostile clients send: ids that do not exist or
 * are not ids, bodies of the wrong shape and type, broken JSON, query values out of range, odd
 * headers; with no token and as a buyer, a seller and an admin. The routes come from the OpenAPI
 * documents, so a new route is swept too. No answer may be a 5xx, and every refusal is a
 * problem+json a person can act on (a `detail`).
 */
import { randomUUID } from 'node:crypto';
import { loadCombinedDocument, type OpenApiDocument } from '@bdbazar/openapi';
import { describeWithServer, requireServerUrl } from '../../test/servers';
import type { Actor } from './marketplaceHarness';
import { addressBody, kycBody, TestMarketplace } from './marketplaceHarness';
import { OrderFixture, ok, type Command } from './orderFixture';

type Schema = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  body: Schema | null;
  /** Needs a token (no empty alternative among its security requirements). */
  secured: boolean;
}

interface Sent {
  actor: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * The only statuses that are right: a forged token on a secured route is a 401, or a 400 when the
   * body fails the schema (checked before the token). Anything else means the token was taken.
   */
  expectStatus?: readonly number[];
}

interface Wrong extends Sent {
  status: number;
  contentType: string | null;
  answer: string;
}

const NOT_IDS = ['not-an-id', '0', '-1', 'x'.repeat(300), '%00', '%FF', '..%2F..', 'null', '%20'];

/** Destructive operations last, so that they do not take the actors or the fixtures away from the rest. */
const DESTRUCTIVE = /^(DELETE \/v1\/admin\/users|PUT \/v1\/admin\/users\/\{id\}\/block|PUT \/v1\/admin\/shops\/\{id\}\/suspend|POST \/v1\/auth\/logout|PUT \/v1\/users\/\{id\}\/password)/;

function resolve(document: OpenApiDocument, node: unknown): Schema {
  let current = node as Schema;
  for (let depth = 0; typeof current?.['$ref'] === 'string' && depth < 10; depth++) {
    const path = (current['$ref'] as string).replace(/^#\//, '').split('/');
    current = path.reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], document) as Schema;
  }
  return current;
}

function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const operation = raw as { parameters?: unknown[]; requestBody?: unknown; security?: Array<Record<string, unknown>> };
      const parameters = [...((item['parameters'] as unknown[] | undefined) ?? []), ...(operation.parameters ?? [])].map((p) => resolve(document, p));
      const requestBody = operation.requestBody ? resolve(document, operation.requestBody) : null;
      const content = requestBody?.['content'] as Record<string, { schema?: unknown }> | undefined;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        queryParams: parameters.filter((p) => p['in'] === 'query').map((p) => p['name'] as string),
        body: content?.['application/json']?.schema ? resolve(document, content['application/json'].schema) : null,
        secured: (operation.security ?? []).length > 0 && (operation.security ?? []).every((requirement) => Object.keys(requirement).length > 0),
      });
    }
  }
  const key = (o: Operation) => `${o.method} ${o.path}`;
  return operations.sort((a, b) => Number(DESTRUCTIVE.test(key(a))) - Number(DESTRUCTIVE.test(key(b))));
}

/** A value of another JSON type than the schema asks for, and one far too large. */
function wrongValues(document: OpenApiDocument, schema: Schema): unknown[] {
  const resolved = resolve(document, schema);
  const type = resolved['type'];
  const wrongType = type === 'string' ? 12 : type === 'integer' || type === 'number' ? '12' : type === 'boolean' ? 'yes' : type === 'array' ? { not: 'an array' } : type === 'object' ? ['not', 'an', 'object'] : 'unexpected';
  return [wrongType, 'x'.repeat(10_000), -1, 1.5, 1e308, null, [], {}, '<script>alert(1)</script>', '\u0000'];
}

function bodiesFor(document: OpenApiDocument, schema: Schema): string[] {
  const bodies = ['{}', '[]', '"text"', '42', 'null', '{', '{"a":', 'not json at all', `{"deep":${'['.repeat(5_000)}${']'.repeat(5_000)}}`, JSON.stringify({ unexpected: true })];
  const properties = (resolve(document, schema)['properties'] ?? {}) as Record<string, Schema>;
  for (const [name, property] of Object.entries(properties)) {
    for (const value of wrongValues(document, property)) bodies.push(JSON.stringify({ [name]: value }));
    // JSON.parse reads it as Infinity.
    bodies.push(`{${JSON.stringify(name)}:1e309}`);
  }
  return bodies;
}

/** Raw JSON texts to put where a valid body has `leaf`: wrong types, edges, hostile strings. */
function leafVariants(leaf: unknown): string[] {
  const variants = ['null', '"   "', '""', '{}', '[]', 'true', '1e309', '-1', '1.5', '9007199254740993', JSON.stringify('x'.repeat(10_000))];
  if (typeof leaf === 'string') {
    variants.push('12', JSON.stringify(`${leaf}\u0000`), JSON.stringify(`\u202e${leaf}`), JSON.stringify(`${leaf} 🛍️ শাড়ি`), JSON.stringify("' or 1=1 --"));
    variants.push(JSON.stringify('https://127.0.0.1/x.jpg'), JSON.stringify('http://cdn.bdbazar.com.bd/x.jpg'), JSON.stringify(leaf.toUpperCase()), JSON.stringify(` ${leaf} `));
    // A reference to something that does not exist, and a date no calendar has.
    variants.push(JSON.stringify(randomUUID()), JSON.stringify('2026-02-31T10:00:00.000Z'));
  }
  if (typeof leaf === 'number') variants.push('"12"', '0', String(-leaf), String(leaf * 1_000_000_000), '2147483648');
  return variants;
}

/** The valid body's text with one place replaced, removed, or one key added, for every place. */
function perturbed(body: unknown): string[] {
  const texts: string[] = [];
  const walk = (value: unknown, replace: (raw: string | undefined) => string): void => {
    if (Array.isArray(value)) {
      texts.push(replace('[]'), replace(JSON.stringify(Array.from({ length: 1_000 }, () => value[0] ?? null))));
      value.forEach((item, index) => walk(item, (raw) => replace(`[${value.map((v, i) => (i === index ? (raw ?? '') : JSON.stringify(v))).filter((t) => t !== '').join(',')}]`)));
      return;
    }
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      texts.push(replace(JSON.stringify({ ...value, unexpected: 'x' })));
      for (const [key] of entries) {
        walk((value as Record<string, unknown>)[key], (raw) => replace(`{${entries.flatMap(([k, v]) => (k !== key ? [`${JSON.stringify(k)}:${JSON.stringify(v)}`] : raw === undefined ? [] : [`${JSON.stringify(k)}:${raw}`])).join(',')}}`));
      }
      return;
    }
    texts.push(replace(undefined));
    for (const raw of leafVariants(value)) texts.push(replace(raw));
  };
  walk(body, (raw) => raw ?? '');
  return texts.filter((text) => text !== '');
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Authorization headers no one was given: malformed, another scheme, unsigned, signed by nobody we know, expired. */
const FORGED_AUTHORIZATIONS = [
  'Bearer',
  'Bearer ',
  'Bearer not.a.jwt',
  'Basic YWRtaW46YWRtaW4=',
  `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: '00000000-0000-0000-0000-000000000000', role: 'admin' })}.`,
  `Bearer ${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub: '00000000-0000-0000-0000-000000000000', role: 'admin', exp: 4_102_444_800 })}.c2lnbmF0dXJl`,
  `Bearer ${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url({ sub: '00000000-0000-0000-0000-000000000000', role: 'admin', exp: 1 })}.c2lnbmF0dXJl`,
  `Bearer ${'x'.repeat(8_000)}`,
];

/** Cursors of the right JSON shape (base64url of an array of strings and numbers) with the wrong things in them. */
const TAMPERED_CURSORS = [
  '["x","y"]',
  '["2026-01-01T00:00:00.000Z","not-a-uuid"]',
  '["not a date","00000000-0000-0000-0000-000000000000"]',
  '["2026-02-31T10:00:00.000Z","00000000-0000-0000-0000-000000000000"]',
  '["x","2026-02-31T10:00:00.000Z","00000000-0000-0000-0000-000000000000"]',
  '["x","2026-01-01T00:00:00.000Z","00000000-0000-0000-0000-000000000000"]',
  '["x",1e309,"00000000-0000-0000-0000-000000000000"]',
  '["x",-1,"y"]',
  '["\\u0000","y"]',
  '["x"]',
  '[]',
  '{}',
  '[["x"],{"y":1}]',
].map((json) => Buffer.from(json).toString('base64url'));

const QUERY_VALUES = ['', '-1', 'abc', '1e309', 'Infinity', 'NaN', '2026-02-31', '2026-02-31T10:00:00.000Z', '[]', '%FF', 'x'.repeat(2_000), '0', '99999999999999999999'];

/** The sweep, on a marketplace `start` gives: PostgreSQL, and the embedded default a newcomer runs. */
function sweepSuite(name: string, start: () => Promise<TestMarketplace>): void {
  describe(name, () => {
    let t: TestMarketplace;
    let actors: Record<'anonymous' | 'buyer' | 'seller' | 'admin', Actor | null>;
    /** A real id for each path parameter, by path and name: so that bodies and queries reach the handlers. */
    let realParam: (path: string, name: string, actor: Actor | null) => string;
    /** A body each operation accepts (as the actor `actorOf` picks), and who sends it. */
    let validBodies: Record<string, { actor: keyof typeof actors; body: Record<string, unknown> }>;
    /** For what a buyer, a seller or an admin owns: who else tries it (another of the same role, and one of another role). */
    let intruders: Record<'buyer' | 'seller' | 'admin', Actor[]>;
    const document = loadCombinedDocument();

    beforeAll(async () => {
      t = await start();
      const admin = await t.createAdmin();
      const f = new OrderFixture(t, admin);
      const seller = await t.approvedSeller(admin);
      const shopId = await f.shop(seller);
      const [variant] = await f.product(seller, shopId, [{ stock: 50 }]);
      const { buyer, addressId } = await f.buyer();
      const item = ok(await t.call<Command & { itemId: string }>('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: variant!.productId, sku: variant!.sku, quantity: 1 } }), 201);
      const checkout = ok(await f.checkout(buyer, { addressId, paymentMethod: 'cash_on_delivery', items: [{ productId: variant!.productId, sku: variant!.sku, quantity: 1 }] }), 201);
      const review = ok(await t.call<Command>('POST', `/v1/products/${variant!.productId}/reviews`, { token: buyer.accessToken, body: { rating: 4, text: 'Fine cloth.' } }), 201);
      const categoryId = ok(await t.call<Command>('POST', '/v1/admin/categories', { token: admin.accessToken, body: { name: 'Sweep', parentId: null } }), 201).id;
      await t.call('POST', `/v1/users/${buyer.id}/addresses`, { token: buyer.accessToken, body: addressBody('House 1, Road 1, Banani') });
      actors = { anonymous: null, buyer, seller, admin };
      const otherSeller = await t.approvedSeller(admin);
      await f.shop(otherSeller);
      // Not the seller for the buyer's things: the buyer's order is from the seller's shop, which the seller may read.
      intruders = { buyer: [await t.register('buyer'), otherSeller], seller: [otherSeller, buyer], admin: [buyer, seller] };
      const place = { division: 'Dhaka', district: 'Dhaka' };
      const address = { ...addressBody(), ...place, area: 'Dhanmondi', line2: null, postcode: '1209' };
      const shopBody = {
        name: 'Sweep Shop',
        description: 'Cotton and silk.',
        branding: { logoUrl: 'https://cdn.bdbazar.com.bd/logo.png', bannerUrl: null },
        contact: { phone: '+8801811000000', email: 'hello@shop.com.bd' },
        location: { ...place, addressLine: 'Level 4, City Centre' },
        pickupAddress: { label: 'Warehouse', recipient: 'Mim Akter', phone: '+8801811000000', ...place, area: null, line1: 'House 7, Road 3', line2: null, postcode: null },
      };
      const productBody = {
        title: 'Cotton panjabi',
        description: 'Hand-stitched.',
        categoryId,
        images: ['https://cdn.bdbazar.com.bd/panjabi/1.jpg'],
        brand: 'Aarong',
        attributes: { fabric: 'cotton' },
        variants: [{ sku: variant!.sku, options: { size: 'M' }, price: { amount: 150_000, currency: 'BDT' }, compareAtPrice: null, weightGrams: 400, stock: 50 }],
      };
      validBodies = {
        'POST /v1/auth/register': { actor: 'anonymous', body: { email: 'sweep@example.com.bd', password: 'a good password', name: 'Sweep', phone: '+8801711000000', role: 'buyer' } },
        'POST /v1/auth/login': { actor: 'anonymous', body: { email: buyer.email, password: buyer.password } },
        'POST /v1/auth/refresh': { actor: 'anonymous', body: { refreshToken: 'not a token' } },
        'POST /v1/auth/logout': { actor: 'buyer', body: { refreshToken: 'not a token' } },
        'PUT /v1/users/{id}': { actor: 'buyer', body: { name: 'Rahim Uddin', phone: '+8801711000000' } },
        'PUT /v1/users/{id}/password': { actor: 'buyer', body: { currentPassword: 'not the password', newPassword: 'another good password' } },
        'POST /v1/users/{id}/addresses': { actor: 'buyer', body: { ...address, makeDefault: false } },
        'PUT /v1/users/{id}/addresses/{addressId}': { actor: 'buyer', body: address },
        'PUT /v1/users/{id}/default-address': { actor: 'buyer', body: { addressId } },
        'POST /v1/vendors/{id}/kyc': { actor: 'seller', body: kycBody() },
        'PUT /v1/admin/kyc/{id}/reject': { actor: 'admin', body: { reason: 'The licence is unreadable.' } },
        'PUT /v1/admin/users/{id}/block': { actor: 'admin', body: { reason: 'Fraud.' } },
        'POST /v1/shops': { actor: 'seller', body: shopBody },
        'PUT /v1/shops/{id}': { actor: 'seller', body: shopBody },
        'PUT /v1/admin/shops/{id}/suspend': { actor: 'admin', body: { reason: 'Counterfeits.' } },
        'POST /v1/products': { actor: 'seller', body: { ...productBody, shopId, publish: false, variants: [{ ...productBody.variants[0], sku: 'SWEEP-1' }] } },
        'POST /v1/products/bulk': {
          actor: 'seller',
          body: { products: [1, 2].map((n) => ({ ...productBody, shopId, publish: true, variants: [{ ...productBody.variants[0], sku: `SWEEP-BULK-${n}` }] })) },
        },
        'PUT /v1/products/{id}': { actor: 'seller', body: productBody },
        'PUT /v1/products/{id}/variants/{sku}/stock': { actor: 'seller', body: { quantity: 50, reason: 'Counted.' } },
        'POST /v1/products/{id}/variants/{sku}/stock-adjustments': { actor: 'seller', body: { change: 1, reason: 'Found one.' } },
        'POST /v1/admin/categories': { actor: 'admin', body: { name: 'Sweep child', slug: null, parentId: categoryId } },
        'PUT /v1/admin/categories/{id}': { actor: 'admin', body: { name: 'Sweep', slug: 'sweep' } },
        'PUT /v1/admin/categories/{id}/move': { actor: 'admin', body: { parentId: null } },
        'POST /v1/products/{productId}/reviews': { actor: 'buyer', body: { rating: 4, text: 'Fine cloth.' } },
        'PUT /v1/products/{productId}/reviews/{reviewId}/reply': { actor: 'seller', body: { reply: 'Thank you!' } },
        'PUT /v1/admin/reviews/{reviewId}/hide': { actor: 'admin', body: { reason: 'Abusive.' } },
        'POST /v1/cart/items': { actor: 'buyer', body: { productId: variant!.productId, sku: variant!.sku, quantity: 1 } },
        'PUT /v1/cart/items/{itemId}': { actor: 'buyer', body: { quantity: 2 } },
        'POST /v1/orders': { actor: 'buyer', body: { addressId, paymentMethod: 'bkash', note: 'Call first.', items: [{ productId: variant!.productId, sku: variant!.sku, quantity: 1 }] } },
        'PUT /v1/orders/{id}/status': { actor: 'seller', body: { status: 'shipped', reason: null, note: null } },
      };

      const byName: Record<string, string> = {
        productId: variant!.productId,
        sku: variant!.sku,
        reviewId: review.id,
        addressId,
        itemId: item.itemId,
        checkoutId: checkout.checkoutId,
        vendorId: seller.id,
        userId: buyer.id,
      };
      realParam = (path, name, actor) => {
        if (byName[name]) return byName[name];
        if (/^\/v1\/(shops|admin\/shops)\//.test(path)) return shopId;
        if (/^\/v1\/products\//.test(path)) return variant!.productId;
        if (/^\/v1\/admin\/categories\//.test(path)) return categoryId;
        if (/^\/v1\/orders\//.test(path)) return checkout.orders[0]!.orderId;
        // Account routes: the actor's own account, or the seller's for an admin's and anyone else's.
        return actor && actor !== admin ? actor.id : seller.id;
      };
    }, 180_000);

    afterAll(async () => {
      await t?.stop();
    });

    async function send(request: Sent, token: string | undefined): Promise<Wrong | null> {
      const headers: Record<string, string> = { ...request.headers };
      if (token) headers['authorization'] = `Bearer ${token}`;
      if (request.body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(`${t.market.url}${request.url}`, { method: request.method, headers, body: request.body });
      const answer = await response.text();
      const contentType = response.headers.get('content-type');
      if (request.expectStatus === undefined && response.status < 400) return null;
      if (response.status < 500 && (request.expectStatus === undefined || request.expectStatus.includes(response.status)) && contentType?.startsWith('application/problem+json')) {
        const problem = JSON.parse(answer) as { status?: number; detail?: unknown };
        if (problem.status === response.status && typeof problem.detail === 'string' && problem.detail.length > 0) return null;
      }
      return { ...request, body: request.body?.slice(0, 200), status: response.status, contentType, answer: answer.slice(0, 500) };
    }

    /** Sends all, a few at a time, and keeps what went wrong. */
    async function sweep(requests: Sent[]): Promise<Wrong[]> {
      const wrong: Wrong[] = [];
      let next = 0;
      const worker = async () => {
        while (next < requests.length) {
          const request = requests[next++]!;
          const token = actors[request.actor as keyof typeof actors]?.accessToken;
          const result = await send(request, token);
          if (result) wrong.push(result);
        }
      };
      await Promise.all(Array.from({ length: 6 }, worker));
      return wrong;
    }

    /** The operation's path with each parameter given by `value`. */
    const withParams = (operation: Operation, value: (name: string) => string): string =>
      operation.pathParams.reduce((path, name) => path.replace(`{${name}}`, value(name)), operation.path);
    /** The operation's path with the real ids of what `actor` has (or may reach). */
    const realUrl = (operation: Operation, actor: Actor | null): string => withParams(operation, (name) => encodeURIComponent(realParam(operation.path, name, actor)));

    function requestsFor(operation: Operation, actor: keyof typeof actors): Sent[] {
      const real = realUrl(operation, actors[actor]);
      const minimalBody = operation.body ? '{}' : undefined;
      const sent: Sent[] = [];
      const add = (url: string, extra: Partial<Sent> = {}) => sent.push({ actor, method: operation.method, url, body: minimalBody, ...extra });

      add(real);
      for (const candidate of [...NOT_IDS, randomUUID()]) if (operation.pathParams.length > 0) add(withParams(operation, () => candidate));
      if (operation.body) for (const body of bodiesFor(document, operation.body)) add(real, { body });
      for (const name of operation.queryParams) {
        for (const value of QUERY_VALUES) add(`${real}?${name}=${value}`);
        add(`${real}?${name}=a&${name}=b`);
      }
      add(`${real}?limit=0&cursor=bm90IGEgY3Vyc29y`);
      if (operation.queryParams.includes('cursor')) for (const cursor of TAMPERED_CURSORS) add(`${real}?cursor=${cursor}`);
      add(real, { headers: { 'If-Match': 'W/"1"' } });
      add(real, { headers: { 'If-Match': 'garbage' } });
      add(real, { headers: { 'If-Match': '"99999999999999999999"' } });
      add(real, { headers: { 'Idempotency-Key': 'x'.repeat(300) } });
      add(real, { headers: { 'Idempotency-Key': '"' } });
      add(real, { headers: { 'X-Consistent-After': 'garbage' } });
      add(real, { headers: { 'X-Consistent-After': '1/2/3' } });
      if (operation.method !== 'GET') {
        add(real, { headers: { 'content-type': 'text/plain' }, body: 'plain text' });
        add(real, { headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{}' });
        add(real, { headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' });
        add(real, { body: JSON.stringify({ padding: 'x'.repeat(200_000) }) });
      }
      if (actor === 'anonymous') {
        for (const authorization of FORGED_AUTHORIZATIONS) add(real, { headers: { authorization }, expectStatus: operation.secured ? [400, 401] : undefined });
      }
      return sent;
    }

    const operations = operationsOf(document);

    it('finds every route in the documents', () => {
      expect(operations.length).toBeGreaterThanOrEqual(60);
      expect(operations.filter((o) => o.secured).length).toBeGreaterThanOrEqual(45);
      expect(operations.filter((o) => o.body).length).toBeGreaterThanOrEqual(29);
    });

    for (const actor of ['anonymous', 'buyer', 'seller', 'admin'] as const) {
      it(`answers every bad request of ${actor === 'anonymous' ? 'a client without a token' : actor === 'admin' ? 'an admin' : `a ${actor}`} with a 4xx problem, never a 5xx`, async () => {
        const requests = operations.flatMap((operation) => requestsFor(operation, actor));
        const wrong = await sweep(requests);
        expect({ sent: requests.length, wrong: wrong.slice(0, 40), wrongCount: wrong.length }).toEqual({ sent: requests.length, wrong: [], wrongCount: 0 });
      }, 300_000);
    }

    it("refuses everyone but the owner (or an admin) what belongs to another, with a 4xx problem", async () => {
      // What anyone of the role may do whatever the ids: their own cart, their own new shop, a review of any product.
      const anyonesOwn = new Set(['GET /v1/cart', 'DELETE /v1/cart', 'POST /v1/cart/items', 'PUT /v1/cart/items/{itemId}', 'DELETE /v1/cart/items/{itemId}', 'POST /v1/shops', 'POST /v1/products/{productId}/reviews']);
      const ownerOf = (operation: Operation): keyof typeof intruders => {
        const given = validBodies[`${operation.method} ${operation.path}`]?.actor;
        if (given && given !== 'anonymous') return given;
        if (operation.path.startsWith('/v1/admin/')) return 'admin';
        return /^\/v1\/(users|orders|checkouts|cart)/.test(operation.path) ? 'buyer' : 'seller';
      };
      const wrong: Array<{ request: string; as: string; status: number; answer: string }> = [];
      let tried = 0;
      for (const operation of operations.filter((o) => o.secured && !anyonesOwn.has(`${o.method} ${o.path}`))) {
        const owner = ownerOf(operation);
        const url = realUrl(operation, actors[owner]);
        const body = validBodies[`${operation.method} ${operation.path}`]?.body;
        for (const intruder of intruders[owner]) {
          tried += 1;
          const response = await fetch(`${t.market.url}${url}`, {
            method: operation.method,
            headers: { authorization: `Bearer ${intruder.accessToken}`, ...(body ? { 'content-type': 'application/json' } : {}), ...(operation.path === '/v1/orders' ? { 'Idempotency-Key': randomUUID() } : {}) },
            body: body ? JSON.stringify(body) : undefined,
          });
          const answer = await response.text();
          const problem = response.headers.get('content-type')?.startsWith('application/problem+json');
          if (response.status < 400 || response.status >= 500 || !problem) {
            wrong.push({ request: `${operation.method} ${url}`, as: `${intruder.email} (not the ${owner} who owns it)`, status: response.status, answer: answer.slice(0, 300) });
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(tried).toBeGreaterThan(80);
    }, 120_000);

    // Last: its valid bodies block the seller, suspend the shop and log the buyer out.
    it('changes every field of a valid body of every operation, races every command, and gets a 2xx or a 4xx problem, never a 5xx', async () => {
      const withBodies = operations.filter((o) => o.body);
      expect(withBodies.map((o) => `${o.method} ${o.path}`).filter((key) => !validBodies[key])).toEqual([]);
      const refusedByTheSchema: Array<{ request: string; status: number; answer: unknown }> = [];
      const wrong: Wrong[] = [];
      let sent = 0;
      // One command after another, the destructive ones last. One with a body: first its valid body, then every change of
      // it, then the valid body racing itself. One without (approve, publish, retire, unblock, delete...): six at once as
      // its owner or an admin. Repeats are no-ops or refusals of the state they find, never a 5xx.
      for (const operation of operations.filter((o) => o.method !== 'GET')) {
        if (!operation.body) {
          const actor = operation.path.startsWith('/v1/admin/') || /\/approve$/.test(operation.path) ? 'admin' : /^\/v1\/(users|cart)/.test(operation.path) ? 'buyer' : 'seller';
          const url = realUrl(operation, actors[actor]);
          const query = operation.queryParams.includes('reason') ? '?reason=Counterfeit' : '';
          const raced = await Promise.all(Array.from({ length: 6 }, () => send({ actor, method: operation.method, url: `${url}${query}` }, actors[actor]?.accessToken)));
          wrong.push(...raced.filter((answer): answer is Wrong => answer !== null));
          continue;
        }
        const { actor, body } = validBodies[`${operation.method} ${operation.path}`]!;
        const url = realUrl(operation, actors[actor]);
        const headers = () => (operation.path === '/v1/orders' ? { 'Idempotency-Key': randomUUID() } : undefined);
        const token = actors[actor]?.accessToken;
        const response = await fetch(`${t.market.url}${url}`, {
          method: operation.method,
          headers: { 'content-type': 'application/json', ...headers(), ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
        const answer = (await response.json().catch(() => null)) as { errors?: unknown } | null;
        // A refusal of what the body asks in the state it finds is fine; the schema refusing it means the changes below test nothing.
        if (response.status >= 500 || (response.status === 400 && Array.isArray(answer?.errors))) refusedByTheSchema.push({ request: `${operation.method} ${url}`, status: response.status, answer });
        const requests = perturbed(body).map((text) => ({ actor, method: operation.method, url, body: text, headers: headers() }));
        sent += requests.length;
        wrong.push(...(await sweep(requests)));
        // The valid body a dozen times at once: racing writers get a 409 or 412 at worst, never a 5xx.
        const sameKey = headers();
        const racing = Array.from({ length: 12 }, (_, i) => ({ actor, method: operation.method, url, body: JSON.stringify(body), headers: i % 2 === 0 ? sameKey : headers() }));
        const raced = await Promise.all(racing.map((request) => send(request, token)));
        wrong.push(...raced.filter((answer): answer is Wrong => answer !== null));
      }
      expect(refusedByTheSchema).toEqual([]);
      expect({ wrong: wrong.slice(0, 40), wrongCount: wrong.length }).toEqual({ wrong: [], wrongCount: 0 });
      expect(sent).toBeGreaterThan(2_000);
    }, 300_000);
  });
}

describeWithServer('postgres', 'bad input on every route, on PostgreSQL', () => {
  sweepSuite('(the API tests\' server)', () => TestMarketplace.start(requireServerUrl('postgres')));
});

sweepSuite('bad input on every route, on the embedded default (PGlite)', () => TestMarketplace.startEmbedded());
