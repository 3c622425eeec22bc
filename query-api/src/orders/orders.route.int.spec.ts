/**
 * The order routes through HTTP, as the query API serves them alone (createQueryApp, every
 * response checked against openapi/query.yaml), over the read model the orders projector builds
 * from the orders fixture on the real PostgreSQL: whole answers, who sees what, filters, pages,
 * and a 4xx problem for every bad input.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
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
import { caughtUpTo } from '../../../projections/src/catalog/testing/caughtUp';
import { createTestDatabase, type TestDatabase } from '../../../projections/src/catalog/testing/testDatabase';
import { bdt, itemsTotalOf, lineOf, type OrderSpec } from '../../../projections/src/orders/testing/orderBuilders';
import { appendOrders, BUYERS, buyerId, checkoutId, orderId, ORDERS, REFUSALS, sellerId, SHOPS, shopId, UNWRITTEN } from '../../../projections/src/orders/testing/ordersFixture';
import { describeWithServer, requireServerUrl } from '../../../test/servers';
import { createQueryApp } from '../app';

const PROBLEM = 'application/problem+json';
const n = (id: string): number => Number(id.slice(-11));

interface Answer {
  status: number;
  type: string | null;
  etag: string | null;
  body: Record<string, unknown> & { items?: Array<Record<string, unknown>>; nextCursor?: string | null; detail?: string };
}

const minutesAfter = (o: OrderSpec, minutes: number) => new Date(Date.parse(o.placedAt) + minutes * 60_000).toISOString();

describeWithServer('postgres', 'the order routes of the query API', () => {
  let database: TestDatabase;
  let store: EventStore;
  let db: Database;
  let worker: ProjectorWorker;
  let server: RunningHttpServer;
  let token: (role: UserRole, userId?: string) => string;
  let lastPosition: string;

  const definition = projectors.find((p) => p.name === 'orders') as ProjectorDefinition;

  beforeAll(async () => {
    database = await createTestDatabase(requireServerUrl('postgres'), 'bdbazar_order_routes');
    store = await createPostgresEventStore({ connectionString: database.url });
    db = await openDatabase({ kind: 'postgres', connectionString: database.url });
    lastPosition = await appendOrders(store);
    worker = startProjectorWorker({ store, db, runtimeSchema: 'bdbazar', definition, logger: silentLogger(), checkIntervalMs: 50 });
    await caughtUpTo({ db, store, runtimeSchema: 'bdbazar', definition, position: lastPosition });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = keyIdOf(publicKey);
    const issuer = createTokenIssuer({ privateKey, kid, issuer: 'bdbazar', audience: 'bdbazar' });
    token = (role, userId = randomUUID()) => issuer.issueAccessToken({ userId, role, sessionId: randomUUID(), sellerApproved: role === 'seller' }).token;
    const verifier = createTokenVerifier({ publicKeys: { [kid]: publicKey }, issuer: 'bdbazar', audience: 'bdbazar' });
    server = await startHttpServer(createQueryApp({ db, verifier, runtimeSchema: 'bdbazar', logger: silentLogger(), validateResponses: true }), { port: 0, logger: silentLogger() });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await worker?.stop();
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
  const numbers = (answer: Answer) => {
    expect({ status: answer.status, detail: answer.body.detail }).toEqual({ status: 200, detail: undefined });
    return answer.body.items!.map((item) => n(item['id'] as string));
  };
  const expectProblem = (answer: Answer, status: number, detail?: RegExp) => {
    expect({ status: answer.status, type: answer.type }).toEqual({ status, type: PROBLEM });
    expect(answer.body).toEqual(expect.objectContaining({ status, title: expect.any(String), detail: detail ? expect.stringMatching(detail) : expect.any(String) }));
  };
  const buyer = (b: number) => token('buyer', buyerId(b));
  const seller = (s: number) => token('seller', sellerId(s));
  const admin = () => token('admin');

  const money = (o: OrderSpec) => ({ itemsTotal: bdt(itemsTotalOf(o)), shippingFee: bdt(o.shippingFee), total: bdt(itemsTotalOf(o) + o.shippingFee) });
  const summary = (o: OrderSpec, status: string, updatedAt: string) => ({
    id: o.orderId,
    checkoutId: o.checkoutId,
    buyerId: o.buyerId,
    sellerId: o.sellerId,
    shop: { id: o.shopId, name: o.shopName },
    status,
    paymentMethod: o.paymentMethod,
    itemCount: o.lines.reduce((sum, l) => sum + l.quantity, 0),
    firstItem: { title: o.lines[0]!.title, image: o.lines[0]!.image ?? null },
    ...money(o),
    placedAt: o.placedAt,
    updatedAt,
  });

  describe('GET /v1/orders/{id}', () => {
    const delivered = {
      id: orderId(1),
      checkoutId: checkoutId(1),
      buyerId: buyerId(1),
      sellerId: sellerId(1),
      shop: { id: shopId(1), name: 'Aarong Outlet' },
      status: 'delivered',
      paymentMethod: 'bkash',
      lines: ORDERS[1].lines.map(lineOf),
      itemsTotal: bdt(550_000),
      shippingFee: bdt(6_000),
      total: bdt(556_000),
      shippingAddress: BUYERS.nusrat.address,
      note: 'Call before coming.',
      paymentDueBy: minutesAfter(ORDERS[1], 30),
      reservedProductIds: [ORDERS[1].lines[0]!.productId, ORDERS[1].lines[1]!.productId],
      statusReason: null,
      cancellationCause: null,
      refusals: [],
      shippingNote: 'Pathao, tracking PT-1234',
      placedAt: '2025-03-01T04:00:00.000Z',
      reservedAt: minutesAfter(ORDERS[1], 1),
      confirmedAt: minutesAfter(ORDERS[1], 5),
      shippedAt: minutesAfter(ORDERS[1], 120),
      deliveredAt: minutesAfter(ORDERS[1], 1440),
      closedAt: null,
      updatedAt: minutesAfter(ORDERS[1], 1440),
      revision: 6,
    };

    it('shows the whole order, with its address, to its buyer, its seller and admins', async () => {
      for (const bearer of [buyer(1), seller(1), admin()]) {
        expect(await get(`/v1/orders/${orderId(1)}`, { bearer })).toEqual({ status: 200, type: 'application/json', etag: '"6"', body: delivered });
      }
    });

    it("hides it (404) from another buyer and another shop's seller, and asks for a token without one", async () => {
      expectProblem(await get(`/v1/orders/${orderId(1)}`, { bearer: buyer(2) }), 404, /no order/);
      expectProblem(await get(`/v1/orders/${orderId(1)}`, { bearer: seller(2) }), 404, /no order/);
      expectProblem(await get(`/v1/orders/${orderId(99)}`, { bearer: admin() }), 404, /no order/);
      expectProblem(await get(`/v1/orders/${orderId(1)}`), 401);
    });

    it('shows why an order was rejected, and no address for a buyer whose account was deleted', async () => {
      expect((await get(`/v1/orders/${orderId(2)}`, { bearer: buyer(1) })).body).toEqual({
        ...delivered,
        id: orderId(2),
        sellerId: sellerId(2),
        shop: { id: shopId(2), name: 'Dhaka Threads' },
        status: 'rejected',
        lines: ORDERS[2].lines.map(lineOf),
        itemsTotal: bdt(240_000),
        shippingFee: bdt(8_000),
        total: bdt(248_000),
        note: null,
        reservedProductIds: [],
        statusReason: 'Cotton shirt: only 1 left.',
        refusals: REFUSALS,
        shippingNote: null,
        reservedAt: null,
        confirmedAt: null,
        shippedAt: null,
        deliveredAt: null,
        closedAt: minutesAfter(ORDERS[2], 1),
        updatedAt: minutesAfter(ORDERS[2], 1),
        revision: 1,
      });
      expect((await get(`/v1/orders/${orderId(7)}`, { bearer: seller(1) })).body).toEqual(
        expect.objectContaining({ status: 'shipped', buyerId: buyerId(3), shippingAddress: null, shippingNote: null, shippedAt: minutesAfter(ORDERS[7], 60) }),
      );
    });

    it('shows a cash-on-delivery order confirmed with no deadline, and a cancelled one with its cause', async () => {
      expect((await get(`/v1/orders/${orderId(3)}`, { bearer: buyer(2) })).body).toEqual(
        expect.objectContaining({ status: 'confirmed', paymentMethod: 'cash_on_delivery', paymentDueBy: null, confirmedAt: minutesAfter(ORDERS[3], 1) }),
      );
      expect((await get(`/v1/orders/${orderId(5)}`, { bearer: seller(2) })).body).toEqual(
        expect.objectContaining({ status: 'cancelled', statusReason: 'Not paid in time.', cancellationCause: 'payment_timeout', closedAt: minutesAfter(ORDERS[5], 31) }),
      );
    });

    it('refuses an id that is not a UUID with a 400', async () => {
      expectProblem(await get('/v1/orders/42', { bearer: admin() }), 400, /uuid/);
    });
  });

  describe('GET /v1/users/{userId}/orders', () => {
    it("lists a buyer's orders, newest first, as whole summaries, to them and to admins", async () => {
      const expected = {
        status: 200,
        type: 'application/json',
        etag: expect.anything(),
        body: {
          items: [
            summary(ORDERS[6], 'pending', ORDERS[6].placedAt),
            summary(ORDERS[4], 'awaiting_payment', minutesAfter(ORDERS[4], 1)),
            summary(ORDERS[2], 'rejected', minutesAfter(ORDERS[2], 1)),
            summary(ORDERS[1], 'delivered', minutesAfter(ORDERS[1], 1440)),
          ],
          nextCursor: null,
        },
      };
      expect(await get(`/v1/users/${buyerId(1)}/orders`, { bearer: buyer(1) })).toEqual(expected);
      expect(await get(`/v1/users/${buyerId(1)}/orders`, { bearer: admin() })).toEqual(expected);
    });

    it("refuses (403) another buyer's or a seller's look at someone's history, and asks for a token", async () => {
      expectProblem(await get(`/v1/users/${buyerId(1)}/orders`, { bearer: buyer(2) }), 403, /your own orders/);
      expectProblem(await get(`/v1/users/${buyerId(1)}/orders`, { bearer: seller(1) }), 403);
      expectProblem(await get(`/v1/users/${buyerId(1)}/orders`), 401);
    });

    it('filters by one status or several, and by days in Bangladesh or instants', async () => {
      const list = (query: string) => get(`/v1/users/${buyerId(1)}/orders?${query}`, { bearer: buyer(1) });
      expect(numbers(await list('status=pending'))).toEqual([6]);
      expect(numbers(await list('status=delivered,rejected'))).toEqual([2, 1]);
      expect(numbers(await list('status=shipped'))).toEqual([]);
      expect(numbers(await list('from=2025-03-02'))).toEqual([6, 4]);
      expect(numbers(await list('to=2025-03-01'))).toEqual([2, 1]);
      expect(numbers(await list('from=2025-03-02&to=2025-03-02'))).toEqual([4]);
      // Both instants included; an offset written as %2B.
      expect(numbers(await list('from=2025-03-02T12:00:00%2B06:00&to=2025-03-03T05:00:00Z'))).toEqual([6, 4]);
      expect(numbers(await list('status=awaiting_payment,pending&from=2025-03-03'))).toEqual([6]);
    });

    it('pages with the cursor it gave, and refuses that cursor with other filters', async () => {
      const first = await get(`/v1/users/${buyerId(1)}/orders?limit=3`, { bearer: buyer(1) });
      expect(numbers(first)).toEqual([6, 4, 2]);
      // Orders 1 and 2 were placed at the same moment: the page breaks between them, and neither is lost.
      const second = await get(`/v1/users/${buyerId(1)}/orders?limit=3&cursor=${first.body.nextCursor!}`, { bearer: buyer(1) });
      expect(numbers(second)).toEqual([1]);
      expect(second.body.nextCursor).toBeNull();
      expectProblem(await get(`/v1/users/${buyerId(1)}/orders?limit=3&status=pending&cursor=${first.body.nextCursor!}`, { bearer: buyer(1) }), 400, /another list/);
    });

    it.each([
      ['an unknown status', 'status=paid', /status/],
      ['a page too long', 'limit=101', /limit/],
      ['an empty page', 'limit=0', /limit/],
      ['a cursor not given out', 'cursor=bm9wZQ', /cursor/],
      ['a day the calendar does not have', 'from=2025-02-30', /from/],
      ['a date that is neither a date nor a date-time', 'to=yesterday', /to/],
      ['a start after the end', 'from=2025-03-03&to=2025-03-01', /from \(2025-03-03\) is after to/],
      ['a parameter of the vendor list', `shopId=${shopId(1)}`, /shopId/],
    ])('refuses %s with a 400 problem', async (_what, query, detail) => {
      expectProblem(await get(`/v1/users/${buyerId(1)}/orders?${query}`, { bearer: buyer(1) }), 400, detail);
    });

    it('refuses a user id that is not a UUID with a 400', async () => {
      expectProblem(await get('/v1/users/nusrat/orders', { bearer: admin() }), 400, /uuid/);
    });
  });

  describe('GET /v1/vendors/{vendorId}/orders', () => {
    it("lists the orders of all a seller's shops, newest first, to them and to admins", async () => {
      const expected = {
        items: [
          summary(ORDERS[7], 'shipped', minutesAfter(ORDERS[7], 60)),
          summary(ORDERS[6], 'pending', ORDERS[6].placedAt),
          summary(ORDERS[4], 'awaiting_payment', minutesAfter(ORDERS[4], 1)),
          summary(ORDERS[3], 'confirmed', minutesAfter(ORDERS[3], 1)),
          summary(ORDERS[1], 'delivered', minutesAfter(ORDERS[1], 1440)),
        ],
        nextCursor: null,
      };
      expect((await get(`/v1/vendors/${sellerId(1)}/orders`, { bearer: seller(1) })).body).toEqual(expected);
      expect((await get(`/v1/vendors/${sellerId(1)}/orders`, { bearer: admin() })).body).toEqual(expected);
      expect(numbers(await get(`/v1/vendors/${sellerId(2)}/orders`, { bearer: seller(2) }))).toEqual([5, 2]);
    });

    it("refuses (403) another seller's or a buyer's look, and asks for a token", async () => {
      expectProblem(await get(`/v1/vendors/${sellerId(1)}/orders`, { bearer: seller(2) }), 403, /your own/);
      expectProblem(await get(`/v1/vendors/${sellerId(1)}/orders`, { bearer: buyer(1) }), 403);
      expectProblem(await get(`/v1/vendors/${sellerId(1)}/orders`), 401);
    });

    it('filters by shop, status and days (order 3, at 02:00 in Dhaka, belongs to 2 March)', async () => {
      const list = (query: string) => get(`/v1/vendors/${sellerId(1)}/orders?${query}`, { bearer: seller(1) });
      expect(numbers(await list(`shopId=${SHOPS.crafts.shopId}`))).toEqual([7, 4]);
      expect(numbers(await list(`shopId=${SHOPS.aarong.shopId}&status=confirmed,delivered`))).toEqual([3, 1]);
      // Another seller's shop is not theirs to list: nothing.
      expect(numbers(await list(`shopId=${SHOPS.threads.shopId}`))).toEqual([]);
      expect(numbers(await list('from=2025-03-02'))).toEqual([7, 6, 4, 3]);
      expect(numbers(await list('to=2025-03-01'))).toEqual([1]);
      expect(numbers(await list('from=2025-03-01T20:00:00Z&to=2025-03-01T20:00:00Z'))).toEqual([3]);
    });

    it('pages with the cursor it gave, to the end', async () => {
      const seen: number[] = [];
      let cursor: string | null | undefined = undefined;
      do {
        const answer: Answer = await get(`/v1/vendors/${sellerId(1)}/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { bearer: seller(1) });
        const page = numbers(answer);
        expect(page.length).toBeLessThanOrEqual(2);
        seen.push(...page);
        cursor = answer.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([7, 6, 4, 3, 1]);
      const first = await get(`/v1/vendors/${sellerId(1)}/orders?limit=2`, { bearer: seller(1) });
      expectProblem(await get(`/v1/vendors/${sellerId(1)}/orders?limit=2&shopId=${shopId(3)}&cursor=${first.body.nextCursor!}`, { bearer: seller(1) }), 400, /another list/);
      // A buyer's cursor is not a seller's.
      const history = await get(`/v1/users/${buyerId(1)}/orders?limit=1`, { bearer: buyer(1) });
      expectProblem(await get(`/v1/vendors/${sellerId(1)}/orders?limit=1&cursor=${history.body.nextCursor!}`, { bearer: seller(1) }), 400, /another list/);
    });

    it.each([
      ['a shop that is not an id', 'shopId=aarong', /shopId/],
      ['an unknown status among known ones', 'status=confirmed,lost', /status/],
      ['a page too long', 'limit=500', /limit/],
      ['a cursor not given out', 'cursor=WyJ4Il0', /cursor/],
    ])('refuses %s with a 400 problem', async (_what, query, detail) => {
      expectProblem(await get(`/v1/vendors/${sellerId(1)}/orders?${query}`, { bearer: seller(1) }), 400, detail);
    });
  });

  describe('GET /v1/checkouts/{checkoutId}', () => {
    it('shows its buyer and admins every order of the checkout as it stands, and the totals to pay', async () => {
      const expected = {
        id: checkoutId(1),
        buyerId: buyerId(1),
        paymentMethod: 'bkash',
        source: 'cart',
        orders: [
          { id: orderId(1), shop: { id: shopId(1), name: 'Aarong Outlet' }, sellerId: sellerId(1), status: 'delivered', ...money(ORDERS[1]) },
          { id: orderId(2), shop: { id: shopId(2), name: 'Dhaka Threads' }, sellerId: sellerId(2), status: 'rejected', ...money(ORDERS[2]) },
        ],
        itemsTotal: bdt(790_000),
        shippingFee: bdt(14_000),
        total: bdt(804_000),
        paymentDueBy: minutesAfter(ORDERS[1], 30),
        placedAt: '2025-03-01T04:00:00.000Z',
        revision: 0,
      };
      expect(await get(`/v1/checkouts/${checkoutId(1)}`, { bearer: buyer(1) })).toEqual({ status: 200, type: 'application/json', etag: '"0"', body: expected });
      expect((await get(`/v1/checkouts/${checkoutId(1)}`, { bearer: admin() })).body).toEqual(expected);
    });

    it('shows an order the checkout made but whose record is not written yet as pending', async () => {
      expect((await get(`/v1/checkouts/${UNWRITTEN.checkoutId}`, { bearer: buyer(2) })).body).toEqual(
        expect.objectContaining({
          source: 'lines',
          orders: [{ id: UNWRITTEN.orderId, shop: { id: shopId(2), name: 'Dhaka Threads' }, sellerId: sellerId(2), status: 'pending', ...money(UNWRITTEN) }],
          total: bdt(246_000),
        }),
      );
    });

    it("hides it (404) from anyone but its buyer and admins, sellers of its orders included", async () => {
      expectProblem(await get(`/v1/checkouts/${checkoutId(1)}`, { bearer: buyer(2) }), 404, /no checkout/);
      expectProblem(await get(`/v1/checkouts/${checkoutId(1)}`, { bearer: seller(1) }), 404, /no checkout/);
      expectProblem(await get(`/v1/checkouts/${checkoutId(99)}`, { bearer: admin() }), 404, /no checkout/);
      expectProblem(await get(`/v1/checkouts/${checkoutId(1)}`), 401);
      expectProblem(await get('/v1/checkouts/not-a-uuid', { bearer: admin() }), 400, /uuid/);
    });
  });

  describe('X-Consistent-After', () => {
    it.each([
      ['an order', `/v1/orders/${orderId(1)}`],
      ['a history', `/v1/users/${buyerId(1)}/orders`],
      ['a seller list', `/v1/vendors/${sellerId(1)}/orders`],
      ['a checkout', `/v1/checkouts/${checkoutId(1)}`],
    ])('is waited for on %s, and refused when it is not a position', async (_what, path) => {
      expect((await get(path, { bearer: admin(), headers: { 'X-Consistent-After': lastPosition } })).status).toBe(200);
      expectProblem(await get(path, { bearer: admin(), headers: { 'X-Consistent-After': 'yesterday' } }), 400);
    });

    it('answers 503 with Retry-After for a position the read model has not reached', async () => {
      const ahead = `${'9'.repeat(20)}/${'9'.repeat(20)}`;
      const response = await fetch(`http://127.0.0.1:${server.port}/v1/orders/${orderId(1)}`, { headers: { authorization: `Bearer ${admin()}`, 'X-Consistent-After': ahead } });
      expect({ status: response.status, retryAfter: response.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '1' });
    }, 10_000);
  });
});
