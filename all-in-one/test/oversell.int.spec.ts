/**
 * Never oversold: 1,000 checkouts at once for a variant with 10 in stock, through the whole
 * process on the real PostgreSQL and RabbitMQ (integration events between the order and product
 * services cross the broker). Exactly 10 orders hold stock, 990 are rejected with a reason a
 * buyer understands, the stock ends with nothing available, and no event of the product ever
 * shows it below zero. Three rounds, each on a fresh product. And a checkout over three shops
 * where one line cannot be held leaves nothing reserved anywhere. Once more (one round) with the
 * projections service apart, over connections of its own, as docker-compose deploys it; and once
 * over two HTTP worker processes sharing the port, the checkouts spread over both.
 */
import { describeWithServer, requireServerUrl } from '../../test/servers';
import { TestMarketplace } from './marketplaceHarness';
import { eventually, OrderFixture, ok, tag } from './orderFixture';

const CHECKOUTS = 1_000;
const IN_STOCK = 10;
const BUYERS = 40;

interface Level {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

function oversellSuite(options: { projectionsApart: boolean; rounds: number; httpWorkers?: number }): void {
  let t: TestMarketplace;
  let f: OrderFixture;
  let shopId: string;
  let seller: Awaited<ReturnType<TestMarketplace['approvedSeller']>>;
  let buyers: Array<Awaited<ReturnType<OrderFixture['buyer']>>>;

  beforeAll(async () => {
    t = await TestMarketplace.start(requireServerUrl('postgres'), {
      rabbitmqUrl: requireServerUrl('rabbitmq'),
      projectionsApart: options.projectionsApart,
      ...(options.httpWorkers ? { httpWorkers: options.httpWorkers } : {}),
    });
    f = new OrderFixture(t, await t.createAdmin());
    seller = await t.approvedSeller(f.admin);
    shopId = await f.shop(seller);
    buyers = await Promise.all(Array.from({ length: BUYERS }, () => f.buyer()));
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  for (let round = 1; round <= options.rounds; round++) {
    it(`holds exactly ${IN_STOCK} and rejects the rest (round ${round})`, async () => {
      const [variant] = await f.product(seller, shopId, [{ stock: IN_STOCK }]);
      const line = { productId: variant!.productId, sku: variant!.sku, quantity: 1 };
      const answers = await Promise.all(
        Array.from({ length: CHECKOUTS }, (_, i) => {
          const { buyer, addressId } = buyers[i % BUYERS]!;
          return f.checkout(buyer, { addressId, paymentMethod: i % 2 === 0 ? 'cash_on_delivery' : 'bkash', items: [line] }, `oversell-${round}-${i}-${tag()}`);
        }),
      );
      expect(answers.filter((a) => a.status !== 201).map((a) => [a.status, a.body])).toEqual([]);
      const orderIds = answers.map((a) => ok(a, 201).orders[0]!.orderId);
      expect(new Set(orderIds).size).toBe(CHECKOUTS);

      // Every order has had its answer from the product once the product has recorded one per order.
      await eventually('the product to answer every order', async () => {
        const { state } = await t.market.product.products.load(variant!.productId);
        return state.status !== 'none' && state.reservations.size === CHECKOUTS;
      }, 120_000, 100);
      const statuses = await eventually(
        'every order to be answered',
        async () => {
          const states = await Promise.all(orderIds.map((id) => t.market.order.orders.loadOrder(id)));
          const orders = states.flatMap(({ state }) => (state.status === 'none' || state.status === 'pending' ? [] : [state]));
          return orders.length === CHECKOUTS ? orders : null;
        },
        120_000,
        500,
      );
      const held = statuses.filter((s) => s.status === 'confirmed' || s.status === 'awaiting_payment');
      const rejected = statuses.filter((s) => s.status === 'rejected');
      expect({ held: held.length, rejected: rejected.length }).toEqual({ held: IN_STOCK, rejected: CHECKOUTS - IN_STOCK });
      for (const order of held) expect(order.status).toBe(order.paymentMethod === 'cash_on_delivery' ? 'confirmed' : 'awaiting_payment');

      // Every rejection says why, in words a buyer understands.
      expect(new Set(rejected.map((o) => o.endReason?.replace(/has \d+ available/, 'has N available')))).toEqual(
        new Set([`Not enough stock to place this order: Stock of product ${variant!.productId} cannot be reserved: ${variant!.sku} has N available, 1 asked.`]),
      );

      expect((await f.stock(variant!.productId))[variant!.sku]).toEqual({ onHand: IN_STOCK, reserved: IN_STOCK });
      // Never below zero, at any point of the product's history.
      const history = await t.market.store.readStream(`product-${variant!.productId}`);
      const levels = history.flatMap((e) => (e.data as { levels?: Level[]; stock?: Level[] }).levels ?? (e.data as { stock?: Level[] }).stock ?? []);
      expect(levels.map((l) => l.available)).toEqual(Array.from({ length: IN_STOCK + 1 }, (_, i) => IN_STOCK - i));
      expect(levels.filter((l) => l.available < 0 || l.reserved < 0 || l.reserved > l.onHand)).toEqual([]);
    }, 180_000);
  }

  it('leaves nothing reserved when one line of a checkout over three shops cannot be held', async () => {
    const sellers = await Promise.all([t.approvedSeller(f.admin), t.approvedSeller(f.admin)]);
    const shops = [shopId, ...(await Promise.all(sellers.map((s, i) => f.shop(s, i === 0 ? { division: 'Chattogram', district: 'Chattogram' } : { division: 'Sylhet', district: 'Sylhet' }))))];
    const [a] = await f.product(seller, shops[0]!, [{ stock: 5 }]);
    const [b] = await f.product(sellers[0]!, shops[1]!, [{ stock: 5 }]);
    const [c] = await f.product(sellers[1]!, shops[2]!, [{ stock: 1 }]);
    const { buyer, addressId } = buyers[0]!;
    const items = [a!, b!, c!].map((v) => ({ productId: v.productId, sku: v.sku, quantity: 2 }));
    const checkout = ok(await f.checkout(buyer, { addressId, paymentMethod: 'bkash', items }, `three-shops-${tag()}`), 201);
    expect(checkout.orders.map((o) => o.shopId)).toEqual(shops);
    const statuses = await Promise.all(checkout.orders.map((o) => f.orderStatus(o.orderId, (s) => s === 'rejected')));
    expect(statuses).toEqual(['rejected', 'rejected', 'rejected']);
    await f.sellable(a!.productId, a!.sku, (v) => v.available === 5);
    await f.sellable(b!.productId, b!.sku, (v) => v.available === 5);
    expect([(await f.stock(a!.productId))[a!.sku], (await f.stock(b!.productId))[b!.sku], (await f.stock(c!.productId))[c!.sku]]).toEqual([
      { onHand: 5, reserved: 0 },
      { onHand: 5, reserved: 0 },
      { onHand: 1, reserved: 0 },
    ]);
  }, 60_000);
}

describeWithServer('postgres', 'on PostgreSQL', () =>
  describeWithServer('rabbitmq', 'a thousand checkouts for ten in stock, on RabbitMQ', () => {
    describe('with the projections in the marketplace process', () => oversellSuite({ projectionsApart: false, rounds: 3 }));
    describe('with the projections service apart, as deployed', () => oversellSuite({ projectionsApart: true, rounds: 1 }));
    describe('over two HTTP workers sharing the port (BDBAZAR_HTTP_WORKERS=2)', () => oversellSuite({ projectionsApart: false, rounds: 1, httpWorkers: 2 }));
  }),
);
