import type { RecordedEvent } from '@bdbazar/shared-kernel';
import { checkoutRowOf } from './checkouts';
import { orderIntegrationEvents } from './integrationEvents';
import { partitionEvents, type CheckoutEvent, type OrderEvent } from './orderEvents';
import { evolveOrderRow, orderRowOf, type OrderRow } from './orders';
import { accountDeleted, at, bdt, checkoutEvents, id, orderEvents, type Built, type OrderSpec } from './testing/orderBuilders';

const address = {
  addressId: id(1, 'a'),
  recipient: 'Nusrat Jahan',
  phone: '+8801711000001',
  division: 'Dhaka',
  district: 'Dhaka',
  area: 'Dhanmondi',
  line1: 'House 12, Road 5',
  line2: null,
  postcode: '1205',
};

const order: OrderSpec = {
  orderId: id(1, '7'),
  checkoutId: id(1, '6'),
  buyerId: id(1, '9'),
  shopId: id(1, 'b'),
  shopName: 'Aarong Outlet',
  sellerId: id(1, 'e'),
  lines: [
    { productId: id(1, 'c'), sku: 'P1-M', title: 'Silk panjabi', price: 450_000, quantity: 1, options: { size: 'M' }, image: 'https://cdn.bdbazar.test/p1.jpg', weightGrams: 400 },
    { productId: id(1, 'c'), sku: 'P1-L', title: 'Silk panjabi', price: 480_000, quantity: 2, options: { size: 'L' } },
    { productId: id(2, 'c'), sku: 'P2', title: 'Clay mug', price: 25_000, quantity: 4 },
  ],
  shippingFee: 6_000,
  paymentMethod: 'bkash',
  shippingAddress: address,
  note: 'Call before coming.',
  placedAt: at(0),
  paymentDueBy: at(30),
};

const asOrderEvent = (built: Built) => built as unknown as OrderEvent;

/** Folds built events as the projector does, revision by revision. */
function fold(events: Built[], from: OrderRow | null = null, firstRevision = 0): OrderRow | null {
  return events.reduce<OrderRow | null>((row, event, i) => evolveOrderRow(row, asOrderEvent(event), firstRevision + i), from);
}

const placedRow: OrderRow = {
  order_id: order.orderId,
  checkout_id: order.checkoutId,
  buyer_id: order.buyerId,
  shop_id: order.shopId,
  shop_name: 'Aarong Outlet',
  seller_id: order.sellerId,
  status: 'pending',
  payment_method: 'bkash',
  lines: [
    { productId: id(1, 'c'), sku: 'P1-M', title: 'Silk panjabi', options: { size: 'M' }, image: 'https://cdn.bdbazar.test/p1.jpg', quantity: 1, unitPrice: bdt(450_000), lineTotal: bdt(450_000), weightGrams: 400 },
    { productId: id(1, 'c'), sku: 'P1-L', title: 'Silk panjabi', options: { size: 'L' }, image: null, quantity: 2, unitPrice: bdt(480_000), lineTotal: bdt(960_000), weightGrams: null },
    { productId: id(2, 'c'), sku: 'P2', title: 'Clay mug', options: {}, image: null, quantity: 4, unitPrice: bdt(25_000), lineTotal: bdt(100_000), weightGrams: null },
  ],
  items_total: 1_510_000,
  shipping_fee: 6_000,
  total: 1_516_000,
  shipping_address: address,
  note: 'Call before coming.',
  reserved_product_ids: [],
  refusals: [],
  status_reason: null,
  cancellation_cause: null,
  shipping_note: null,
  payment_due_by: at(30),
  placed_at: at(0),
  reserved_at: null,
  confirmed_at: null,
  shipped_at: null,
  delivered_at: null,
  closed_at: null,
  updated_at: at(0),
  revision: 0,
};

describe('an order row', () => {
  describe('when the order is placed', () => {
    it('keeps the lines, the totals in poisha, the address and the deadline', () => {
      expect(fold([orderEvents.placed(order)])).toEqual(placedRow);
    });

    it('keeps a null address: the buyer was forgotten before the event was read', () => {
      expect(fold([orderEvents.placed({ ...order, shippingAddress: null })])).toEqual({ ...placedRow, shipping_address: null });
    });
  });

  describe('when its products hold their stock, it is paid, shipped and delivered', () => {
    it('records each product once, every step with its time, and the revision of the last event', () => {
      const row = fold([
        orderEvents.placed(order),
        orderEvents.productReserved(order, id(2, 'c'), at(1)),
        orderEvents.productReserved(order, id(1, 'c'), at(2)),
        // A product's answer delivered twice (the saga retried) counts once.
        orderEvents.productReserved(order, id(2, 'c'), at(2)),
        orderEvents.stockReserved(order, at(3)),
        orderEvents.confirmed(order, 'paid', at(10)),
        orderEvents.shipped(order, 'Pathao, tracking PT-1234', at(60)),
        orderEvents.delivered(order, at(120)),
      ]);
      expect(row).toEqual({
        ...placedRow,
        status: 'delivered',
        reserved_product_ids: [id(2, 'c'), id(1, 'c')],
        shipping_note: 'Pathao, tracking PT-1234',
        reserved_at: at(3),
        confirmed_at: at(10),
        shipped_at: at(60),
        delivered_at: at(120),
        updated_at: at(120),
        revision: 7,
      });
    });

    it('has no payment deadline once the stock of a cash-on-delivery order is held', () => {
      const cod = { ...order, paymentMethod: 'cash_on_delivery' as const };
      expect(fold([orderEvents.placed(cod), orderEvents.stockReserved(cod, at(3)), orderEvents.confirmed(cod, 'cash_on_delivery', at(3))])).toEqual({
        ...placedRow,
        payment_method: 'cash_on_delivery',
        status: 'confirmed',
        payment_due_by: null,
        reserved_at: at(3),
        confirmed_at: at(3),
        updated_at: at(3),
        revision: 2,
      });
    });
  });

  describe('when a product refuses its stock', () => {
    it('is rejected with the reason, the refusals and when', () => {
      const refusals = [{ productId: id(2, 'c'), reason: 'Not enough stock.', shortages: [{ sku: 'P2', requested: 4, available: 1 }] }];
      expect(fold([orderEvents.placed(order), orderEvents.rejected(order, 'Clay mug: only 1 left.', refusals, at(1))])).toEqual({
        ...placedRow,
        status: 'rejected',
        status_reason: 'Clay mug: only 1 left.',
        refusals,
        closed_at: at(1),
        updated_at: at(1),
        revision: 1,
      });
    });
  });

  describe('when it is cancelled', () => {
    it('keeps the reason and the cause', () => {
      const row = fold([orderEvents.placed(order), orderEvents.cancelled(order, 'Not paid in time.', 'payment_timeout', { id: 'system', role: 'system' }, at(31))]);
      expect(row).toEqual({ ...placedRow, status: 'cancelled', status_reason: 'Not paid in time.', cancellation_cause: 'payment_timeout', closed_at: at(31), updated_at: at(31), revision: 1 });
    });
  });

  it('ignores an event of an order it has not seen placed', () => {
    expect(evolveOrderRow(null, asOrderEvent(orderEvents.confirmed(order, 'paid', at(1))), 1)).toBeNull();
  });

  it('reads a row back from the driver as the fold keeps it', () => {
    const loaded = { ...placedRow, items_total: '1510000', shipping_fee: '6000', total: '1516000', placed_at: new Date(at(0)), updated_at: new Date(at(0)), payment_due_by: new Date(at(30)) };
    expect(orderRowOf(loaded)).toEqual(placedRow);
  });
});

describe('a checkout row', () => {
  it('keeps every order as it was placed, and the totals in poisha', () => {
    const other: OrderSpec = { ...order, orderId: id(2, '7'), shopId: id(2, 'b'), shopName: 'Dhaka Threads', sellerId: id(2, 'e'), lines: [{ productId: id(3, 'c'), sku: 'P3', title: 'Shirt', price: 120_000, quantity: 1 }], shippingFee: 8_000 };
    const event = checkoutEvents.placed({ checkoutId: order.checkoutId, buyerId: order.buyerId, paymentMethod: 'bkash', shippingAddress: address, orders: [order, other], placedAt: at(0), paymentDueBy: at(30) });
    expect(checkoutRowOf(event as unknown as CheckoutEvent, 0)).toEqual({
      checkout_id: order.checkoutId,
      buyer_id: order.buyerId,
      payment_method: 'bkash',
      source: 'cart',
      order_ids: [order.orderId, other.orderId],
      orders: [
        { orderId: order.orderId, shopId: order.shopId, shopName: 'Aarong Outlet', sellerId: order.sellerId, itemsTotal: 1_510_000, shippingFee: 6_000, total: 1_516_000 },
        { orderId: other.orderId, shopId: other.shopId, shopName: 'Dhaka Threads', sellerId: other.sellerId, itemsTotal: 120_000, shippingFee: 8_000, total: 128_000 },
      ],
      items_total: 1_630_000,
      shipping_fee: 14_000,
      total: 1_644_000,
      payment_due_by: at(30),
      placed_at: at(0),
      revision: 0,
    });
  });
});

describe('a batch', () => {
  it('is sorted into orders, checkouts and erasures by stream category, anything else left out', () => {
    const raw = (streamId: string, built: Built, revision = 0) => ({ ...built, streamId, revision });
    const placed = orderEvents.placed(order);
    const checkout = checkoutEvents.placed({ checkoutId: order.checkoutId, buyerId: order.buyerId, paymentMethod: 'bkash', shippingAddress: address, orders: [order], placedAt: at(0), paymentDueBy: at(30) });
    const deleted = accountDeleted(order.buyerId, at(200));
    const batch = partitionEvents([
      raw(`checkout-${order.checkoutId}`, checkout),
      raw(`order-${order.orderId}`, placed),
      raw(`account-${order.buyerId}`, { type: 'ProfileUpdated', data: { accountId: order.buyerId } }, 3),
      raw(`account-${order.buyerId}`, deleted, 4),
      raw(`product-${id(1, 'c')}`, { type: 'OrderPlaced', data: {} }),
    ]);
    expect(batch).toEqual({
      orders: [{ event: placed, revision: 0 }],
      checkouts: [{ event: checkout, revision: 0 }],
      erasures: [{ event: deleted, revision: 4 }],
    });
  });
});

describe('the integration events', () => {
  const recorded = (streamId: string, built: Built, revision = 0): RecordedEvent =>
    ({ id: id(revision, 'f'), ...built, metadata: {}, streamId, revision, position: '00000000000000000001/00000000000000000001', createdAt: new Date(at(500)) }) as unknown as RecordedEvent;
  const published = (built: Built, streamId = `order-${order.orderId}`) => orderIntegrationEvents(recorded(streamId, built));
  const facts = { orderId: order.orderId, checkoutId: order.checkoutId, buyerId: order.buyerId, shopId: order.shopId, sellerId: order.sellerId };

  it('publish a checkout with its orders, method and total', () => {
    const event = checkoutEvents.placed({ checkoutId: order.checkoutId, buyerId: order.buyerId, paymentMethod: 'bkash', shippingAddress: address, orders: [order], placedAt: at(0), paymentDueBy: at(30) });
    expect(published(event, `checkout-${order.checkoutId}`)).toEqual([
      { type: 'order.CheckoutPlaced.v1', data: { checkoutId: order.checkoutId, buyerId: order.buyerId, orderIds: [order.orderId], paymentMethod: 'bkash', total: bdt(1_516_000), at: at(0) } },
    ]);
  });

  it('publish a placed order with its lines and prices, without the address or the note', () => {
    expect(published(orderEvents.placed(order))).toEqual([
      {
        type: 'order.OrderPlaced.v1',
        data: {
          ...facts,
          paymentMethod: 'bkash',
          lines: [
            { productId: id(1, 'c'), sku: 'P1-M', quantity: 1, unitPrice: bdt(450_000) },
            { productId: id(1, 'c'), sku: 'P1-L', quantity: 2, unitPrice: bdt(480_000) },
            { productId: id(2, 'c'), sku: 'P2', quantity: 4, unitPrice: bdt(25_000) },
          ],
          itemsTotal: bdt(1_510_000),
          shippingFee: bdt(6_000),
          total: bdt(1_516_000),
          paymentDueBy: at(30),
          at: at(0),
        },
      },
    ]);
  });

  it('publish every later step with the facts of the order and its time', () => {
    const refusals = [{ productId: id(2, 'c'), reason: 'Not enough stock.', shortages: [{ sku: 'P2', requested: 4, available: 1 }] }];
    const productIds = [id(1, 'c'), id(2, 'c')];
    expect(
      [
        orderEvents.productReserved(order, id(1, 'c'), at(1)),
        orderEvents.stockReserved(order, at(2)),
        orderEvents.confirmed(order, 'paid', at(3)),
        orderEvents.rejected(order, 'Out of stock.', refusals, at(4)),
        orderEvents.cancelled(order, 'Changed my mind.', 'buyer', { id: order.buyerId, role: 'buyer' }, at(5)),
        orderEvents.shipped(order, 'Pathao', at(6)),
        orderEvents.delivered(order, at(7)),
      ].flatMap((event) => published(event)),
    ).toEqual([
      { type: 'order.OrderStockReserved.v1', data: { ...facts, paymentMethod: 'bkash', total: bdt(1_516_000), paymentDueBy: at(30), at: at(2) } },
      { type: 'order.OrderConfirmed.v1', data: { ...facts, paymentMethod: 'bkash', total: bdt(1_516_000), why: 'paid', at: at(3) } },
      { type: 'order.OrderRejected.v1', data: { ...facts, reason: 'Out of stock.', productIds, at: at(4) } },
      { type: 'order.OrderCancelled.v1', data: { ...facts, reason: 'Changed my mind.', cause: 'buyer', productIds, at: at(5) } },
      { type: 'order.OrderShipped.v1', data: { ...facts, productIds, at: at(6) } },
      { type: 'order.OrderDelivered.v1', data: { ...facts, at: at(7) } },
    ]);
  });

  it('publish nothing for an account event or an event of another kind', () => {
    expect(published(accountDeleted(order.buyerId, at(9)), `account-${order.buyerId}`)).toEqual([]);
    expect(published({ type: 'OrderNoted', data: { ...facts } })).toEqual([]);
  });
});
