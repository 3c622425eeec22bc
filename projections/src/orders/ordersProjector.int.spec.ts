/**
 * The orders read model and its integration events, on the real PostgreSQL, fed through the event
 * store as the services write it: personal data (the shipping address) encrypted under the
 * buyer's key, read by the projector through a decrypting store, as null once the buyer is forgotten.
 */
import {
  createPostgresEventStore,
  decryptingEventStore,
  openDatabase,
  openPersonalDataVault,
  protectPersonalData,
  rebuildProjector,
  silentLogger,
  startProjectorWorker,
  type Database,
  type EventStore,
  type PersonalDataVault,
  type ProjectorWorker,
  type RecordedEvent,
} from '@bdbazar/shared-kernel';
import type { AccountEvent as ServiceAccountEvent } from '../../../command-services/account/src/account';
import type { CheckoutEvent as ServiceCheckoutEvent } from '../../../command-services/order/src/checkout/checkout';
import type { OrderEvent as ServiceOrderEvent } from '../../../command-services/order/src/order';
import { describeWithServer, requireServerUrl } from '../../../test/servers';
import { caughtUpTo } from '../catalog/testing/caughtUp';
import { createTestDatabase, type TestDatabase } from '../catalog/testing/testDatabase';
import type { AccountDeletedEvent, CheckoutEvent, OrderEvent, ShippingAddress } from './orderEvents';
import { ordersProjector } from './ordersProjector';
import { accountDeleted, append as appendTo, at, bdt, checkoutEvents, id, orderEvents, type Built, type CheckoutSpec, type OrderSpec } from './testing/orderBuilders';

/** Compile-time: the services' own events still carry everything the projector reads. */
type Fits<Contract, Written extends Contract> = Written;
export type _ServicesKeepTheContract = [
  Fits<OrderEvent, ServiceOrderEvent>,
  Fits<CheckoutEvent, ServiceCheckoutEvent>,
  Fits<AccountDeletedEvent, Extract<ServiceAccountEvent, { type: 'AccountDeleted' }>>,
];

const RUNTIME = 'bdbazar';
/** What the order service encrypts under the buyer's key. */
const ORDER_PERSONAL_DATA = { OrderPlaced: ['shippingAddress'], CheckoutPlaced: ['shippingAddress'] };

const address = (n: number, recipient: string): ShippingAddress => ({
  addressId: id(n, 'a'),
  recipient,
  phone: `+88017110000${String(n).padStart(2, '0')}`,
  division: 'Dhaka',
  district: 'Dhaka',
  area: 'Dhanmondi',
  line1: `House ${n}, Road 5`,
  line2: null,
  postcode: '1205',
});

const nusrat = { buyerId: id(1, '9'), address: address(1, 'Nusrat Jahan') };
const rafiq = { buyerId: id(2, '9'), address: address(2, 'Rafiq Islam') };
const aarong = { shopId: id(1, 'b'), shopName: 'Aarong Outlet', sellerId: id(1, 'e') };
const threads = { shopId: id(2, 'b'), shopName: 'Dhaka Threads', sellerId: id(2, 'e') };

const panjabi = { productId: id(1, 'c'), sku: 'P1-M', title: 'Silk panjabi', price: 450_000, quantity: 1, options: { size: 'M' }, image: 'https://cdn.bdbazar.test/p1.jpg', weightGrams: 400 };
const mug = { productId: id(2, 'c'), sku: 'P2', title: 'Clay mug', price: 25_000, quantity: 4 };
const shirt = { productId: id(3, 'c'), sku: 'P3-L', title: 'Cotton shirt', price: 120_000, quantity: 2, options: { size: 'L' } };

const orderOf = (n: number, buyer: typeof nusrat, checkoutId: string, shop: typeof aarong, lines: OrderSpec['lines'], placedAt: string, extra: Partial<OrderSpec> = {}): OrderSpec => ({
  orderId: id(n, '7'),
  checkoutId,
  buyerId: buyer.buyerId,
  ...shop,
  lines,
  shippingFee: 6_000,
  paymentMethod: 'bkash',
  shippingAddress: buyer.address,
  note: null,
  placedAt,
  paymentDueBy: at(30),
  ...extra,
});

// Nusrat's checkout of two shops: Aarong's order is paid, shipped and delivered; Dhaka Threads refuses its stock.
const checkout1 = id(1, '6');
const paid = orderOf(1, nusrat, checkout1, aarong, [panjabi, mug], at(0), { note: 'Call before coming.' });
const refused = orderOf(2, nusrat, checkout1, threads, [shirt], at(0), { shippingFee: 8_000 });
const firstCheckout: CheckoutSpec = { checkoutId: checkout1, buyerId: nusrat.buyerId, paymentMethod: 'bkash', shippingAddress: nusrat.address, note: 'Call before coming.', orders: [paid, refused], placedAt: at(0), paymentDueBy: at(30) };
// Rafiq's checkout, cash on delivery, one shop, then cancelled by the seller; Nusrat's second one never paid.
const cod = orderOf(3, rafiq, id(2, '6'), aarong, [mug], at(40), { paymentMethod: 'cash_on_delivery', paymentDueBy: at(70) });
const unpaid = orderOf(4, nusrat, id(3, '6'), threads, [shirt], at(50), { paymentDueBy: at(80) });

describeWithServer('postgres', 'the orders projector', () => {
  let database: TestDatabase;
  let raw: EventStore;
  let writer: EventStore;
  let reader: EventStore;
  let vault: PersonalDataVault;
  let db: Database;
  let worker: ProjectorWorker;

  beforeAll(async () => {
    database = await createTestDatabase(requireServerUrl('postgres'), 'bdbazar_orders_projector');
    raw = await createPostgresEventStore({ connectionString: database.url });
    db = await openDatabase({ kind: 'postgres', connectionString: database.url });
    vault = await openPersonalDataVault(db, { schema: RUNTIME, cacheTtlMs: 0 });
    writer = protectPersonalData(raw, vault, { fields: ORDER_PERSONAL_DATA, subjectOf: (event) => event.data['buyerId'] as string });
    reader = decryptingEventStore(raw, vault);
    worker = startProjectorWorker({ store: reader, db, runtimeSchema: RUNTIME, definition: ordersProjector, logger: silentLogger(), checkIntervalMs: 50 });
  });
  afterAll(async () => {
    await worker.stop();
    await raw.close();
    await db.close();
    await database.drop();
  });

  let last = '';
  const append = async (streamId: string, events: Built[]) => {
    last = (await appendTo(writer, streamId, events)).position;
  };
  const caughtUp = () => caughtUpTo({ db, store: reader, runtimeSchema: RUNTIME, definition: ordersProjector, position: last });
  const row = async (orderId: string) => db.knex('orders.orders').where({ order_id: orderId }).first();
  const everything = async () => ({
    orders: await db.knex('orders.orders').orderBy('order_id'),
    checkouts: await db.knex('orders.checkouts').orderBy('checkout_id'),
  });
  const outboxOf = async (orderIds: string[], checkoutId: string) =>
    (await db.knex(`${RUNTIME}.outbox`).orderBy('id').select('payload'))
      .map((r: { payload: { type: string; data: Record<string, unknown> } }) => r.payload)
      .filter((p) => orderIds.includes(p.data['orderId'] as string) || (p.type === 'order.CheckoutPlaced.v1' && p.data['checkoutId'] === checkoutId))
      .map(({ type, data }) => ({ type, data }));
  const facts = (o: OrderSpec) => ({ orderId: o.orderId, checkoutId: o.checkoutId, buyerId: o.buyerId, shopId: o.shopId, sellerId: o.sellerId });

  const placedRow = (o: OrderSpec, itemsTotal: number) => ({
    order_id: o.orderId,
    checkout_id: o.checkoutId,
    buyer_id: o.buyerId,
    shop_id: o.shopId,
    shop_name: o.shopName,
    seller_id: o.sellerId,
    status: 'pending',
    payment_method: o.paymentMethod,
    lines: o.lines.map((l) => ({
      productId: l.productId,
      sku: l.sku,
      title: l.title,
      options: l.options ?? {},
      image: l.image ?? null,
      quantity: l.quantity,
      unitPrice: bdt(l.price),
      lineTotal: bdt(l.price * l.quantity),
      weightGrams: l.weightGrams ?? null,
    })),
    items_total: itemsTotal,
    shipping_fee: o.shippingFee,
    total: itemsTotal + o.shippingFee,
    shipping_address: o.shippingAddress,
    note: o.note ?? null,
    reserved_product_ids: [],
    refusals: [],
    status_reason: null,
    cancellation_cause: null,
    shipping_note: null,
    payment_due_by: new Date(o.paymentDueBy),
    placed_at: new Date(o.placedAt),
    reserved_at: null,
    confirmed_at: null,
    shipped_at: null,
    delivered_at: null,
    closed_at: null,
    updated_at: new Date(o.placedAt),
    revision: 0,
  });
  const refusals = [{ productId: shirt.productId, reason: 'Not enough stock.', shortages: [{ sku: 'P3-L', requested: 2, available: 1 }] }];

  describe('when a checkout of two shops is placed, and its orders go their ways', () => {
    it('keeps the checkout with every order as placed, and each order with its lines, totals and address', async () => {
      await append(`checkout-${checkout1}`, [checkoutEvents.placed(firstCheckout)]);
      await append(`order-${paid.orderId}`, [orderEvents.placed(paid)]);
      await append(`order-${refused.orderId}`, [orderEvents.placed(refused)]);
      await caughtUp();
      expect(await db.knex('orders.checkouts').where({ checkout_id: checkout1 }).first()).toEqual({
        checkout_id: checkout1,
        buyer_id: nusrat.buyerId,
        payment_method: 'bkash',
        source: 'cart',
        order_ids: [paid.orderId, refused.orderId],
        orders: [
          { orderId: paid.orderId, ...aarong, itemsTotal: 550_000, shippingFee: 6_000, total: 556_000 },
          { orderId: refused.orderId, ...threads, itemsTotal: 240_000, shippingFee: 8_000, total: 248_000 },
        ],
        items_total: 790_000,
        shipping_fee: 14_000,
        total: 804_000,
        payment_due_by: new Date(at(30)),
        placed_at: new Date(at(0)),
        revision: 0,
      });
      expect(await row(paid.orderId)).toEqual(placedRow(paid, 550_000));
      expect(await row(refused.orderId)).toEqual(placedRow(refused, 240_000));
    });

    it('follows reservations, payment, shipping and delivery, and a refusal', async () => {
      await append(`order-${paid.orderId}`, [orderEvents.productReserved(paid, mug.productId, at(1)), orderEvents.productReserved(paid, panjabi.productId, at(2)), orderEvents.stockReserved(paid, at(2))]);
      await append(`order-${refused.orderId}`, [orderEvents.rejected(refused, 'Cotton shirt: only 1 left.', refusals, at(1))]);
      await caughtUp();
      expect(await row(paid.orderId)).toEqual({
        ...placedRow(paid, 550_000),
        status: 'awaiting_payment',
        reserved_product_ids: [mug.productId, panjabi.productId],
        reserved_at: new Date(at(2)),
        updated_at: new Date(at(2)),
        revision: 3,
      });
      expect(await row(refused.orderId)).toEqual({
        ...placedRow(refused, 240_000),
        status: 'rejected',
        status_reason: 'Cotton shirt: only 1 left.',
        refusals,
        closed_at: new Date(at(1)),
        updated_at: new Date(at(1)),
        revision: 1,
      });

      await append(`order-${paid.orderId}`, [orderEvents.confirmed(paid, 'paid', at(10))]);
      await append(`order-${paid.orderId}`, [orderEvents.shipped(paid, 'Pathao, tracking PT-1234', at(60)), orderEvents.delivered(paid, at(120))]);
      await caughtUp();
      expect(await row(paid.orderId)).toEqual({
        ...placedRow(paid, 550_000),
        status: 'delivered',
        reserved_product_ids: [mug.productId, panjabi.productId],
        shipping_note: 'Pathao, tracking PT-1234',
        reserved_at: new Date(at(2)),
        confirmed_at: new Date(at(10)),
        shipped_at: new Date(at(60)),
        delivered_at: new Date(at(120)),
        updated_at: new Date(at(120)),
        revision: 6,
      });
    });

    it('publishes every step other services act on, without the address, the note or a single product answer', async () => {
      const productIds = [panjabi.productId, mug.productId];
      expect(await outboxOf([paid.orderId, refused.orderId], checkout1)).toEqual([
        { type: 'order.CheckoutPlaced.v1', data: { checkoutId: checkout1, buyerId: nusrat.buyerId, orderIds: [paid.orderId, refused.orderId], paymentMethod: 'bkash', total: bdt(804_000), at: at(0) } },
        {
          type: 'order.OrderPlaced.v1',
          data: {
            ...facts(paid),
            paymentMethod: 'bkash',
            lines: [
              { productId: panjabi.productId, sku: 'P1-M', quantity: 1, unitPrice: bdt(450_000) },
              { productId: mug.productId, sku: 'P2', quantity: 4, unitPrice: bdt(25_000) },
            ],
            itemsTotal: bdt(550_000),
            shippingFee: bdt(6_000),
            total: bdt(556_000),
            paymentDueBy: at(30),
            at: at(0),
          },
        },
        {
          type: 'order.OrderPlaced.v1',
          data: {
            ...facts(refused),
            paymentMethod: 'bkash',
            lines: [{ productId: shirt.productId, sku: 'P3-L', quantity: 2, unitPrice: bdt(120_000) }],
            itemsTotal: bdt(240_000),
            shippingFee: bdt(8_000),
            total: bdt(248_000),
            paymentDueBy: at(30),
            at: at(0),
          },
        },
        { type: 'order.OrderStockReserved.v1', data: { ...facts(paid), paymentMethod: 'bkash', total: bdt(556_000), paymentDueBy: at(30), at: at(2) } },
        { type: 'order.OrderRejected.v1', data: { ...facts(refused), reason: 'Cotton shirt: only 1 left.', productIds: [shirt.productId], at: at(1) } },
        { type: 'order.OrderConfirmed.v1', data: { ...facts(paid), paymentMethod: 'bkash', total: bdt(556_000), why: 'paid', at: at(10) } },
        { type: 'order.OrderShipped.v1', data: { ...facts(paid), productIds, at: at(60) } },
        { type: 'order.OrderDelivered.v1', data: { ...facts(paid), at: at(120) } },
      ]);
    });
  });

  describe('when cash-on-delivery and unpaid orders are placed and cancelled', () => {
    it('confirms one as soon as its stock is held, with no deadline, and keeps who cancelled the other and why', async () => {
      const codCheckout: CheckoutSpec = { checkoutId: cod.checkoutId, buyerId: rafiq.buyerId, paymentMethod: 'cash_on_delivery', shippingAddress: rafiq.address, source: 'lines', orders: [cod], placedAt: at(40), paymentDueBy: at(70) };
      const unpaidCheckout: CheckoutSpec = { checkoutId: unpaid.checkoutId, buyerId: nusrat.buyerId, paymentMethod: 'bkash', shippingAddress: nusrat.address, orders: [unpaid], placedAt: at(50), paymentDueBy: at(80) };
      // All in one batch: a checkout, its order placed and moved on, in the same round.
      await append(`checkout-${cod.checkoutId}`, [checkoutEvents.placed(codCheckout)]);
      await append(`checkout-${unpaid.checkoutId}`, [checkoutEvents.placed(unpaidCheckout)]);
      for (const o of [cod, unpaid]) await append(`order-${o.orderId}`, [orderEvents.placed(o)]);
      await append(`order-${cod.orderId}`, [orderEvents.productReserved(cod, mug.productId, at(41)), orderEvents.stockReserved(cod, at(41)), orderEvents.confirmed(cod, 'cash_on_delivery', at(41))]);
      await append(`order-${cod.orderId}`, [orderEvents.cancelled(cod, 'Out of stock after all.', 'seller', { id: aarong.sellerId, role: 'seller' }, at(45))]);
      await append(`order-${unpaid.orderId}`, [orderEvents.productReserved(unpaid, shirt.productId, at(51)), orderEvents.stockReserved(unpaid, at(51))]);
      await append(`order-${unpaid.orderId}`, [orderEvents.cancelled(unpaid, 'Not paid in time.', 'payment_timeout', { id: 'system', role: 'system' }, at(81))]);
      await caughtUp();
      expect(await row(cod.orderId)).toEqual({
        ...placedRow(cod, 100_000),
        status: 'cancelled',
        reserved_product_ids: [mug.productId],
        status_reason: 'Out of stock after all.',
        cancellation_cause: 'seller',
        payment_due_by: null,
        reserved_at: new Date(at(41)),
        confirmed_at: new Date(at(41)),
        closed_at: new Date(at(45)),
        updated_at: new Date(at(45)),
        revision: 4,
      });
      expect(await row(unpaid.orderId)).toEqual({
        ...placedRow(unpaid, 240_000),
        status: 'cancelled',
        reserved_product_ids: [shirt.productId],
        status_reason: 'Not paid in time.',
        cancellation_cause: 'payment_timeout',
        reserved_at: new Date(at(51)),
        closed_at: new Date(at(81)),
        updated_at: new Date(at(81)),
        revision: 3,
      });
      expect(await db.knex('orders.checkouts').where({ checkout_id: cod.checkoutId }).first()).toEqual(
        expect.objectContaining({ payment_method: 'cash_on_delivery', source: 'lines', order_ids: [cod.orderId], total: 106_000, revision: 0 }),
      );
      expect(await outboxOf([cod.orderId], cod.checkoutId)).toEqual([
        { type: 'order.CheckoutPlaced.v1', data: { checkoutId: cod.checkoutId, buyerId: rafiq.buyerId, orderIds: [cod.orderId], paymentMethod: 'cash_on_delivery', total: bdt(106_000), at: at(40) } },
        expect.objectContaining({ type: 'order.OrderPlaced.v1' }),
        { type: 'order.OrderStockReserved.v1', data: { ...facts(cod), paymentMethod: 'cash_on_delivery', total: bdt(106_000), paymentDueBy: null, at: at(41) } },
        { type: 'order.OrderConfirmed.v1', data: { ...facts(cod), paymentMethod: 'cash_on_delivery', total: bdt(106_000), why: 'cash_on_delivery', at: at(41) } },
        { type: 'order.OrderCancelled.v1', data: { ...facts(cod), reason: 'Out of stock after all.', cause: 'seller', productIds: [mug.productId], at: at(45) } },
      ]);
    });
  });

  describe('when events are applied again', () => {
    it('changes nothing, whether the whole history or an old part of it is replayed', async () => {
      const before = await everything();
      expect(before.orders).toHaveLength(4);
      const history = (await reader.readAll({ filter: ordersProjector.filter })) as RecordedEvent[];
      const replay = (events: RecordedEvent[]) => db.knex.transaction((trx) => ordersProjector.apply({ trx, schema: 'orders_g1', events, mode: 'live' }));
      await replay(history);
      expect(await everything()).toEqual(before);
      // Old events alone: placings (folded from nothing, without reading the row), old steps.
      await replay(history.filter((e) => e.revision <= 1));
      for (const event of history) await replay([event]);
      expect(await everything()).toEqual(before);
    });
  });

  describe("when a buyer's account is deleted", () => {
    it('erases the address from their orders only, and a rebuild (reading it as null) gives the same rows', async () => {
      await vault.forget(nusrat.buyerId);
      await append(`account-${nusrat.buyerId}`, [accountDeleted(nusrat.buyerId, at(200))]);
      await caughtUp();
      const addresses = await db.knex('orders.orders').orderBy('order_id').select('order_id', 'shipping_address', 'note');
      expect(addresses).toEqual([
        { order_id: paid.orderId, shipping_address: null, note: 'Call before coming.' },
        { order_id: refused.orderId, shipping_address: null, note: null },
        { order_id: cod.orderId, shipping_address: rafiq.address, note: null },
        { order_id: unpaid.orderId, shipping_address: null, note: null },
      ]);
      const before = await everything();
      const outbox = async () => db.knex(`${RUNTIME}.outbox`).orderBy('id').select('payload');
      const published = await outbox();
      await rebuildProjector({ store: reader, db, runtimeSchema: RUNTIME, definition: ordersProjector, logger: silentLogger() });
      expect(await everything()).toEqual(before);
      // The rebuild publishes nothing again, and an account's deletion publishes nothing here.
      expect(await outbox()).toEqual(published);
    });
  });
});
