/**
 * The cart, checkout and orders over HTTP against the real PostgreSQL, through the whole process:
 * the order service's copies fed by the other services' integration events, the reservation
 * process through the product aggregates, compensation, status changes and their access rules;
 * bad input gives a 4xx problem and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { describeWithServer, requireServerUrl } from '../../test/servers';
import type { Actor, Answer } from './marketplaceHarness';
import { TestMarketplace } from './marketplaceHarness';
import { eventually, OrderFixture, ok, tag, type Command, type ListedVariant } from './orderFixture';

const PROBLEM = 'application/problem+json';

interface CartBody {
  buyerId: string;
  items: Array<{ itemId: string; sku: string; quantity: number; price: { amount: number } | null; priceWhenAdded: { amount: number }; available: number; warnings: Array<{ code: string; message: string }> }>;
  shops: Array<{ shopId: string; itemCount: number; itemsTotal: { amount: number } }>;
  itemsTotal: { amount: number };
  hasWarnings: boolean;
}

const expectProblem = (answer: Answer<unknown>, status: number) => {
  expect({ status: answer.status, type: answer.headers.get('content-type')?.split(';')[0] }).toEqual({ status, type: PROBLEM });
  expect(answer.body).toEqual(expect.objectContaining({ status, detail: expect.any(String) }));
};

describeWithServer('postgres', 'the cart and orders API', () => {
  let t: TestMarketplace;
  let f: OrderFixture;
  let admin: Actor;
  let seller: Actor;
  let seller2: Actor;
  let dhakaShop: string;
  let ctgShop: string;
  let panjabi: ListedVariant[];
  let saree: ListedVariant[];

  beforeAll(async () => {
    t = await TestMarketplace.start(requireServerUrl('postgres'));
    admin = await t.createAdmin();
    f = new OrderFixture(t, admin);
    [seller, seller2] = await Promise.all([t.approvedSeller(admin), t.approvedSeller(admin)]);
    [dhakaShop, ctgShop] = await Promise.all([f.shop(seller), f.shop(seller2, { division: 'Chattogram', district: 'Chattogram' })]);
    panjabi = await f.product(seller, dhakaShop, [{ stock: 20, price: 185_050, weightGrams: 400 }, { stock: 3, price: 195_000, weightGrams: 700 }]);
    saree = await f.product(seller2, ctgShop, [{ stock: 5, price: 520_000, weightGrams: null }]);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  describe('the cart', () => {
    it('adds, merges, changes, removes and clears items, showing today\'s prices and stock', async () => {
      const { buyer } = await f.buyer();
      const empty = ok(await t.call<CartBody>('GET', '/v1/cart', { token: buyer.accessToken }));
      expect(empty).toEqual({ buyerId: buyer.id, items: [], shops: [], itemsTotal: { amount: 0, currency: 'BDT' }, hasWarnings: false });

      const added = ok(await t.call<Command & { itemId: string }>('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: panjabi[0]!.productId, sku: panjabi[0]!.sku.toLowerCase(), quantity: 2 } }), 201);
      ok(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: panjabi[0]!.productId, sku: panjabi[0]!.sku } }), 201);
      ok(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: saree[0]!.productId, sku: saree[0]!.sku, quantity: 1 } }), 201);
      const cart = await t.call<CartBody>('GET', '/v1/cart', { token: buyer.accessToken });
      expect(cart.headers.get('etag')).toBe('"2"');
      expect(ok(cart).items.map(({ itemId, sku, quantity, price, warnings }) => ({ itemId, sku, quantity, price: price?.amount, warnings }))).toEqual([
        { itemId: added.itemId, sku: panjabi[0]!.sku, quantity: 3, price: 185_050, warnings: [] },
        { itemId: expect.any(String), sku: saree[0]!.sku, quantity: 1, price: 520_000, warnings: [] },
      ]);
      expect(ok(cart).itemsTotal).toEqual({ amount: 3 * 185_050 + 520_000, currency: 'BDT' });
      expect(ok(cart).shops.map((s) => [s.shopId, s.itemCount, s.itemsTotal.amount])).toEqual([
        [dhakaShop, 1, 3 * 185_050],
        [ctgShop, 1, 520_000],
      ]);

      ok(await t.call('PUT', `/v1/cart/items/${added.itemId}`, { token: buyer.accessToken, body: { quantity: 1 } }));
      const sareeItem = ok(cart).items[1]!.itemId;
      ok(await t.call('DELETE', `/v1/cart/items/${sareeItem}`, { token: buyer.accessToken }));
      expect(ok(await t.call<CartBody>('GET', '/v1/cart', { token: buyer.accessToken })).items.map((i) => [i.sku, i.quantity])).toEqual([[panjabi[0]!.sku, 1]]);
      ok(await t.call('DELETE', '/v1/cart', { token: buyer.accessToken }));
      expect(ok(await t.call<CartBody>('GET', '/v1/cart', { token: buyer.accessToken })).items).toEqual([]);
    });

    it('refuses what cannot go in a cart, with a problem, writing nothing', async () => {
      const { buyer } = await f.buyer();
      const before = await t.head();
      expectProblem(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: randomUUID(), sku: 'NOPE' } }), 404);
      expectProblem(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: panjabi[0]!.productId, sku: 'NOT-A-SKU' } }), 404);
      expectProblem(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: panjabi[1]!.productId, sku: panjabi[1]!.sku, quantity: 4 } }), 409);
      expectProblem(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: panjabi[0]!.productId, sku: panjabi[0]!.sku, quantity: 0 } }), 400);
      expectProblem(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: 'not-a-uuid', sku: 'X' } }), 400);
      expectProblem(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: panjabi[0]!.productId, sku: panjabi[0]!.sku, quantity: 1.5 } }), 400);
      expectProblem(await t.call('PUT', `/v1/cart/items/${randomUUID()}`, { token: buyer.accessToken, body: { quantity: 2 } }), 404);
      expectProblem(await t.call('DELETE', `/v1/cart/items/${randomUUID()}`, { token: buyer.accessToken }), 404);
      expectProblem(await t.call('GET', '/v1/cart', { token: seller.accessToken }), 403);
      expectProblem(await t.call('POST', '/v1/cart/items', { token: seller.accessToken, body: { productId: panjabi[0]!.productId, sku: panjabi[0]!.sku } }), 403);
      expectProblem(await t.call('GET', '/v1/cart'), 401);
      expect(await t.head()).toBe(before);
    });

    it('warns when a price changed since the item was added', async () => {
      const [variant] = await f.product(seller, dhakaShop, [{ stock: 4, price: 100_000 }]);
      const { buyer } = await f.buyer();
      ok(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: variant!.productId, sku: variant!.sku } }), 201);
      const { state } = await t.market.product.products.load(variant!.productId);
      if (state.status === 'none') throw new Error('no product');
      const details = state.details;
      const changed = { ...details, variants: details.variants.map((v) => ({ ...v, price: { amount: 125_050, currency: 'BDT' } })) };
      ok(await t.call('PUT', `/v1/products/${variant!.productId}`, { token: seller.accessToken, body: changed }));
      await f.sellable(variant!.productId, variant!.sku, (v) => v.price.amount === 125_050);
      const cart = ok(await t.call<CartBody>('GET', '/v1/cart', { token: buyer.accessToken }));
      expect(cart.items[0]!.warnings).toEqual([{ code: 'price_changed', message: expect.stringContaining('from ৳1,000.00 to ৳1,250.50') }]);
      expect(cart.hasWarnings).toBe(true);
    });
  });

  describe('checkout', () => {
    it('makes one order per shop with fixed prices, fees and totals, and empties the cart', async () => {
      const { buyer, addressId } = await f.buyer({ division: 'Dhaka', district: 'Dhaka' });
      ok(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: panjabi[0]!.productId, sku: panjabi[0]!.sku, quantity: 2 } }), 201);
      ok(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: panjabi[1]!.productId, sku: panjabi[1]!.sku, quantity: 1 } }), 201);
      ok(await t.call('POST', '/v1/cart/items', { token: buyer.accessToken, body: { productId: saree[0]!.productId, sku: saree[0]!.sku, quantity: 1 } }), 201);

      const checkout = ok(await f.checkout(buyer, { addressId, paymentMethod: 'bkash' }), 201);
      expect(checkout.orders.map((o) => ({ shop: o.shopId, lines: o.lines.map((l) => [l.sku, l.quantity, l.unitPrice.amount, l.lineTotal.amount]), items: o.itemsTotal.amount, fee: o.shippingFee.amount, total: o.total.amount }))).toEqual([
        // Dhaka to Dhaka: ৳60; 2×400 g + 700 g = 1.5 kg, one extra kilogram: ৳20.
        { shop: dhakaShop, lines: [[panjabi[0]!.sku, 2, 185_050, 370_100], [panjabi[1]!.sku, 1, 195_000, 195_000]], items: 565_100, fee: 8_000, total: 573_100 },
        // Chattogram to Dhaka: ৳130; no weight given counts 500 g.
        { shop: ctgShop, lines: [[saree[0]!.sku, 1, 520_000, 520_000]], items: 520_000, fee: 13_000, total: 533_000 },
      ]);
      expect(checkout.total).toEqual({ amount: 573_100 + 533_000, currency: 'BDT' });
      expect(ok(await t.call<CartBody>('GET', '/v1/cart', { token: buyer.accessToken })).items).toEqual([]);

      for (const order of checkout.orders) expect(await f.orderStatus(order.orderId)).toBe('awaiting_payment');
      expect((await f.stock(saree[0]!.productId))[saree[0]!.sku]).toEqual({ onHand: 5, reserved: 1 });
    });

    it('needs an Idempotency-Key, and the same key answers the same checkout again', async () => {
      const { buyer, addressId } = await f.buyer();
      const body = { addressId, paymentMethod: 'cash_on_delivery', items: [{ productId: panjabi[0]!.productId, sku: panjabi[0]!.sku, quantity: 1 }] };
      expectProblem(await t.call('POST', '/v1/orders', { token: buyer.accessToken, body }), 400);
      const key = `key-${tag()}`;
      const first = await f.checkout(buyer, body, key);
      const again = await f.checkout(buyer, body, key);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(ok(again, 201)).toEqual(ok(first, 201));
      expectProblem(await f.checkout(buyer, { ...body, paymentMethod: 'bkash' }, key), 422);
      expect(await f.orderStatus(ok(first, 201).orders[0]!.orderId)).toBe('confirmed');
      // The order moved on since (the reservation confirmed it): a retry still gets the first answer, position included.
      const later = await f.checkout(buyer, body, key);
      expect(later.headers.get('idempotent-replayed')).toBe('true');
      expect(ok(later, 201)).toEqual(ok(first, 201));
    });

    it('makes one checkout of the same request sent 20 times at once with one key', async () => {
      const [variant] = await f.product(seller, dhakaShop, [{ stock: 50 }]);
      const { buyer, addressId } = await f.buyer();
      const body = { addressId, paymentMethod: 'cash_on_delivery', items: [{ productId: variant!.productId, sku: variant!.sku, quantity: 2 }] };
      const key = `key-${tag()}`;
      const answers = await Promise.all(Array.from({ length: 20 }, () => f.checkout(buyer, body, key)));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
      expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
      const orderId = answers[0]!.body.orders[0]!.orderId;
      expect(await f.orderStatus(orderId)).toBe('confirmed');
      expect((await f.stock(variant!.productId))[variant!.sku]).toEqual({ onHand: 50, reserved: 2 });
    });

    it('rejects an order whose stock cannot be held and releases what its checkout held elsewhere', async () => {
      const seller3 = await t.approvedSeller(admin);
      const thirdShop = await f.shop(seller3, { division: 'Sylhet', district: 'Sylhet' });
      const [a] = await f.product(seller, dhakaShop, [{ stock: 5 }]);
      const [b] = await f.product(seller2, ctgShop, [{ stock: 5 }]);
      const [c] = await f.product(seller3, thirdShop, [{ stock: 1 }]);
      const { buyer, addressId } = await f.buyer();
      const checkout = ok(
        await f.checkout(buyer, {
          addressId,
          paymentMethod: 'bkash',
          items: [
            { productId: a!.productId, sku: a!.sku, quantity: 2 },
            { productId: b!.productId, sku: b!.sku, quantity: 2 },
            { productId: c!.productId, sku: c!.sku, quantity: 2 },
          ],
        }),
        201,
      );
      // The third shop's order cannot hold its stock; a checkout is placed whole or not at all.
      const statuses = await Promise.all(checkout.orders.map((o) => f.orderStatus(o.orderId, (s) => s === 'rejected')));
      expect(statuses).toEqual(['rejected', 'rejected', 'rejected']);
      await f.sellable(a!.productId, a!.sku, (v) => v.available === 5);
      await f.sellable(b!.productId, b!.sku, (v) => v.available === 5);
      expect([(await f.stock(a!.productId))[a!.sku], (await f.stock(b!.productId))[b!.sku], (await f.stock(c!.productId))[c!.sku]]).toEqual([
        { onHand: 5, reserved: 0 },
        { onHand: 5, reserved: 0 },
        { onHand: 1, reserved: 0 },
      ]);
    });

    it('refuses a checkout it cannot make, with a problem, writing nothing', async () => {
      const { buyer, addressId } = await f.buyer();
      const line = { productId: panjabi[0]!.productId, sku: panjabi[0]!.sku, quantity: 1 };
      const before = await t.head();
      expectProblem(await f.checkout(buyer, { addressId, paymentMethod: 'bkash' }), 422); // empty cart
      expectProblem(await f.checkout(buyer, { addressId: 'not-mine', paymentMethod: 'bkash', items: [line] }), 404);
      expectProblem(await f.checkout(buyer, { addressId, paymentMethod: 'cheque', items: [line] }), 400);
      expectProblem(await f.checkout(buyer, { addressId, paymentMethod: 'bkash', items: [{ ...line, quantity: -1 }] }), 400);
      expectProblem(await f.checkout(buyer, { addressId, paymentMethod: 'bkash', items: [{ ...line, sku: 'NOT-A-SKU' }] }), 422);
      expectProblem(await f.checkout(buyer, { addressId, paymentMethod: 'bkash', items: [] }), 400);
      expectProblem(await f.checkout(seller, { addressId, paymentMethod: 'bkash', items: [line] }), 403);
      expect(await t.head()).toBe(before);
    });
  });

  describe('the status of an order', () => {
    it('moves through its life by the hands allowed, refusing the rest', async () => {
      const { buyer, addressId } = await f.buyer();
      const other = await f.buyer();
      const checkout = ok(await f.checkout(buyer, { addressId, paymentMethod: 'bkash', items: [{ productId: panjabi[0]!.productId, sku: panjabi[0]!.sku, quantity: 1 }] }), 201);
      const orderId = checkout.orders[0]!.orderId;
      await f.orderStatus(orderId);
      const put = (actor: Actor, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
        t.call<Command>('PUT', `/v1/orders/${orderId}/status`, { token: actor.accessToken, body, headers });

      expectProblem(await put(seller, { status: 'shipped' }), 409); // awaiting payment
      expectProblem(await put(seller, { status: 'confirmed' }), 403); // only admins confirm by hand
      expectProblem(await put(seller2, { status: 'cancelled', reason: 'not mine' }), 403);
      expectProblem(await put(other.buyer, { status: 'cancelled' }), 403);
      expectProblem(await put(seller, { status: 'pending' }), 400);
      expectProblem(await put(admin, { status: 'confirmed' }, { 'If-Match': '"0"' }), 412);
      const confirmed = ok(await put(admin, { status: 'confirmed' }));
      expect(ok(await put(admin, { status: 'confirmed' }))).toEqual(confirmed); // the same status again changes nothing
      expectProblem(await put(seller, { status: 'cancelled' }), 400); // a seller says why
      expectProblem(await put(buyer, { status: 'shipped' }), 403);
      ok(await put(seller, { status: 'shipped', note: 'Pathao parcel' }));
      await f.sellable(panjabi[0]!.productId, panjabi[0]!.sku);
      expectProblem(await put(buyer, { status: 'cancelled' }), 409); // shipped: too late
      ok(await put(seller, { status: 'delivered' }));
      expect(await f.orderStatus(orderId, (s) => s === 'delivered')).toBe('delivered');
      expectProblem(await t.call('PUT', `/v1/orders/${randomUUID()}/status`, { token: admin.accessToken, body: { status: 'shipped' } }), 404);
    });

    it('gives the stock back when the buyer cancels, and takes it for good when shipped', async () => {
      const [variant] = await f.product(seller, dhakaShop, [{ stock: 6 }]);
      const { buyer, addressId } = await f.buyer();
      const line = { productId: variant!.productId, sku: variant!.sku, quantity: 2 };
      const cancelled = ok(await f.checkout(buyer, { addressId, paymentMethod: 'cash_on_delivery', items: [line] }), 201).orders[0]!.orderId;
      const shipped = ok(await f.checkout(buyer, { addressId, paymentMethod: 'cash_on_delivery', items: [line] }), 201).orders[0]!.orderId;
      expect(await f.orderStatus(cancelled)).toBe('confirmed');
      expect(await f.orderStatus(shipped)).toBe('confirmed');
      ok(await t.call('PUT', `/v1/orders/${cancelled}/status`, { token: buyer.accessToken, body: { status: 'cancelled' } }));
      ok(await t.call('PUT', `/v1/orders/${shipped}/status`, { token: seller.accessToken, body: { status: 'shipped' } }));
      await f.sellable(variant!.productId, variant!.sku, (v) => v.available === 4);
      expect((await f.stock(variant!.productId))[variant!.sku]).toEqual({ onHand: 4, reserved: 0 });

      // Its buyer's review now shows a verified purchase; another buyer's does not.
      const { buyer: stranger } = await f.buyer();
      ok(await t.call('POST', `/v1/products/${variant!.productId}/reviews`, { token: buyer.accessToken, body: { rating: 5, text: 'Fits well.' } }), 201);
      const last = ok(await t.call<Command>('POST', `/v1/products/${variant!.productId}/reviews`, { token: stranger.accessToken, body: { rating: 2, text: 'Never got one.' } }), 201);
      const reviews = await eventually('the order to show as shipped to the review', async () => {
        const page = ok(await t.call<{ items: Array<{ buyer: { id: string }; verifiedPurchase: boolean }> }>('GET', `/v1/products/${variant!.productId}/reviews`, { headers: { 'X-Consistent-After': last.position } }));
        return page.items.some((r) => r.verifiedPurchase) ? page.items : null;
      });
      expect(reviews.map((r) => [r.buyer.id, r.verifiedPurchase]).sort()).toEqual([[buyer.id, true], [stranger.id, false]].sort());
    });
  });
});

describeWithServer('postgres', 'an order not paid in time', () => {
  let t: TestMarketplace;
  let f: OrderFixture;

  beforeAll(async () => {
    t = await TestMarketplace.start(requireServerUrl('postgres'), { env: { BDBAZAR_ORDER_PAYMENT_TIMEOUT_SECONDS: '2' } });
    f = new OrderFixture(t, await t.createAdmin());
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('is cancelled at its deadline and its stock released; a cash on delivery order is not', async () => {
    const seller = await t.approvedSeller(f.admin);
    const shop = await f.shop(seller);
    const [variant] = await f.product(seller, shop, [{ stock: 3 }]);
    const { buyer, addressId } = await f.buyer();
    const line = { productId: variant!.productId, sku: variant!.sku, quantity: 1 };
    const unpaid = ok(await f.checkout(buyer, { addressId, paymentMethod: 'sslcommerz', items: [line] }), 201).orders[0]!.orderId;
    const cod = ok(await f.checkout(buyer, { addressId, paymentMethod: 'cash_on_delivery', items: [line] }), 201).orders[0]!.orderId;
    expect(await f.orderStatus(unpaid)).toBe('awaiting_payment');
    expect(await f.orderStatus(cod)).toBe('confirmed');
    expect(await f.orderStatus(unpaid, (s) => s === 'cancelled')).toBe('cancelled');
    await f.sellable(variant!.productId, variant!.sku, (v) => v.available === 2);
    expect((await f.stock(variant!.productId))[variant!.sku]).toEqual({ onHand: 3, reserved: 1 });
    expect((await t.market.order.orders.loadOrder(cod)).state.status).toBe('confirmed');
  });
});
