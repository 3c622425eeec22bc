/**
 * The order-stock handler end to end: order integration events arrive on a bus, go through the
 * consumer kit (inbox, retries, dead-letter queue) and become stock decisions on real product
 * streams. The same scenarios run on the in-process bus over PGlite, and on RabbitMQ over
 * PostgreSQL (event store and read-model database).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import {
  createEmbeddedEventStore,
  createInProcessBus,
  createPostgresEventStore,
  migrateRuntimeSchema,
  openDatabase,
  openRabbitMqTransport,
  outboundMessage,
  silentLogger,
  type Consumer,
  type Database,
  type EventStore,
  type IntegrationEvent,
  type RabbitMqTransport,
} from '@bdbazar/shared-kernel';
import { describeWithServer, requireServerUrl } from '../../../../test/servers';
import { createCategoryService } from '../categories/categoryService';
import { productStreamId, type StockLevel } from '../product';
import { createProductService, type ProductService } from '../productService';
import { applyShopEvent, openShopCopy } from '../shopCopy/shopCopy';
import { orderEvents, type OrderSpec } from '../testing/orderEventBuilders';
import { ORDER_STOCK_CONSUMER, startOrderStockHandler } from './orderStock';

const now = '2026-11-24T10:00:00.000Z';
const sellerId = randomUUID();
const seller = { id: sellerId, role: 'seller' as const };
const setup = { correlationId: 'setup', causationId: 'setup', actor: { id: 'test', role: 'system' as const } };
const level = (sku: string, onHand: number, reserved = 0): StockLevel => ({ sku, onHand, reserved, available: onHand - reserved });

/** A bus with the handler subscribed, over a store and a database. */
interface Harness {
  store: EventStore;
  products: ProductService;
  /** Publishes, and resolves once the handler has committed (or skipped as a repeat) every message. */
  deliver(...events: IntegrationEvent[]): Promise<void>;
  /** Publishes one message the handler cannot handle, and resolves once it is dead-lettered; with the ids of every dead letter. */
  deliverPoison(event: IntegrationEvent): Promise<string[]>;
  consumer(): Consumer;
  close(): Promise<void>;
}

/** The product service over `store` and `db`, with one active shop and one category. */
async function productsOver(store: EventStore, db: Database): Promise<{ products: ProductService; shopId: string; categoryId: string }> {
  const shopId = randomUUID();
  const shops = await openShopCopy({ db, schema: 'product_service' });
  const data = { shopId, ownerId: sellerId, name: 'Mim Fashion', slug: `mim-fashion-${shopId.slice(0, 8)}`, status: 'active', division: 'Dhaka', district: 'Dhaka', at: now };
  const source = { eventId: randomUUID(), streamId: `shop-${shopId}`, revision: 1, position: '1' };
  await db.knex.transaction((trx) => applyShopEvent(trx, 'product_service', { messageId: randomUUID(), type: 'shop.ShopApproved.v1', occurredAt: now, correlationId: null, source, data }));
  const categories = createCategoryService({ store, clock: () => new Date(now) });
  const products = createProductService({ store, shops, categories, clock: () => new Date(now) });
  const { id: categoryId } = await categories.create('admin', { name: `Clothing ${shopId.slice(0, 8)}` }, setup);
  return { products, shopId, categoryId };
}

async function eventually<T>(what: string, probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function orderStockScenarios(open: () => Promise<Harness & { shopId: string; categoryId: string }>) {
  let harness: Harness & { shopId: string; categoryId: string };
  let products: ProductService;

  beforeAll(async () => {
    harness = await open();
    products = harness.products;
  });
  afterAll(async () => {
    await harness?.close();
  });

  /** A published product of the shop, with these SKUs and stock on hand. */
  const onSale = async (stock: Record<string, number>) => {
    const suffix = randomBytes(3).toString('hex').toUpperCase();
    const variants = Object.entries(stock).map(([sku, onHand], i) => ({ sku: `${sku}-${suffix}`, options: { size: `S${i}` }, price: { amount: 85_000, currency: 'BDT' as const }, stock: onHand }));
    const { id } = await products.listProduct(seller, { shopId: harness.shopId, title: 'Cotton T-shirt', categoryId: harness.categoryId, variants, publish: true }, setup);
    const sku = (name: string) => `${name}-${suffix}`;
    return { productId: id, sku, facts: { productId: id, shopId: harness.shopId, sellerId } };
  };
  /** The product's stock events, whole. */
  const stockEvents = async (productId: string) =>
    (await harness.store.readStream(productStreamId(productId))).filter((e) => e.type.startsWith('Stock')).map((e) => ({ type: e.type, data: e.data }));
  const stockOf = async (productId: string) => {
    const { state } = await products.load(productId);
    if (state.status === 'none') throw new Error(`no product ${productId}`);
    return state.stock;
  };
  const order = (lines: OrderSpec['lines']): OrderSpec => ({ orderId: randomUUID(), lines, shopId: harness.shopId, sellerId });

  describe('when an order is placed', () => {
    it("reserves each product's lines, one reservation per product, on behalf of the order process", async () => {
      const shirt = await onSale({ M: 10, L: 5 });
      const mug = await onSale({ ONE: 3 });
      const placed = order([
        { productId: shirt.productId, sku: shirt.sku('M'), quantity: 2 },
        { productId: mug.productId, sku: mug.sku('ONE'), quantity: 1 },
        { productId: shirt.productId, sku: shirt.sku('L'), quantity: 1 },
        { productId: shirt.productId, sku: shirt.sku('M'), quantity: 1 },
      ]);
      const message = orderEvents.placed(placed);
      await harness.deliver(message);

      const { orderId } = placed;
      expect(await stockEvents(shirt.productId)).toEqual([
        {
          type: 'StockReserved',
          data: {
            ...shirt.facts,
            orderId,
            lines: [{ sku: shirt.sku('M'), quantity: 3 }, { sku: shirt.sku('L'), quantity: 1 }],
            levels: [level(shirt.sku('M'), 10, 3), level(shirt.sku('L'), 5, 1)],
            reservedAt: now,
          },
        },
      ]);
      expect(await stockEvents(mug.productId)).toEqual([
        { type: 'StockReserved', data: { ...mug.facts, orderId, lines: [{ sku: mug.sku('ONE'), quantity: 1 }], levels: [level(mug.sku('ONE'), 3, 1)], reservedAt: now } },
      ]);
      const [recorded] = (await harness.store.readStream(productStreamId(mug.productId))).filter((e) => e.type === 'StockReserved');
      expect(recorded!.metadata).toEqual(
        expect.objectContaining({ correlationId: message.correlationId, causationId: message.messageId, actor: { id: 'order-process', role: 'system' } }),
      );
    });

    it('reserves nothing more when the message comes again, under its own id or a new one', async () => {
      const shirt = await onSale({ M: 10 });
      const placed = order([{ productId: shirt.productId, sku: shirt.sku('M'), quantity: 4 }]);
      const message = orderEvents.placed(placed);
      await harness.deliver(message);
      const first = await stockEvents(shirt.productId);
      const { duplicates } = harness.consumer().status();

      await harness.deliver(message);
      // counted once its inbox record lands, a moment after the acknowledgement
      for (let waited = 0; harness.consumer().status().duplicates < duplicates + 1 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(harness.consumer().status().duplicates).toBe(duplicates + 1);
      await harness.deliver(orderEvents.placed(placed));

      expect(await stockEvents(shirt.productId)).toEqual(first);
      expect(first).toEqual([
        { type: 'StockReserved', data: { ...shirt.facts, orderId: placed.orderId, lines: [{ sku: shirt.sku('M'), quantity: 4 }], levels: [level(shirt.sku('M'), 10, 4)], reservedAt: now } },
      ]);
      expect(await stockOf(shirt.productId)).toEqual({ [shirt.sku('M')]: { onHand: 10, reserved: 4 } });
    });

    it('lets a product that does not exist fail the message, which is dead-lettered after its retries, holding the rest once', async () => {
      const shirt = await onSale({ M: 10 });
      const ghost = randomUUID();
      const placed = order([
        { productId: shirt.productId, sku: shirt.sku('M'), quantity: 1 },
        { productId: ghost, sku: 'GHOST-1', quantity: 1 },
      ]);
      const message = orderEvents.placed(placed);
      expect(await harness.deliverPoison(message)).toContain(message.messageId);
      expect(await stockEvents(shirt.productId)).toEqual([
        { type: 'StockReserved', data: { ...shirt.facts, orderId: placed.orderId, lines: [{ sku: shirt.sku('M'), quantity: 1 }], levels: [level(shirt.sku('M'), 10, 1)], reservedAt: now } },
      ]);

      // The order service cancels it at its deadline: the product that exists gives its stock back, the other is skipped.
      await harness.deliver(orderEvents.cancelled(placed, 'Payment timed out.', 'payment_timeout'));
      expect((await stockEvents(shirt.productId)).at(-1)).toEqual({
        type: 'StockReservationReleased',
        data: { ...shirt.facts, orderId: placed.orderId, lines: [{ sku: shirt.sku('M'), quantity: 1 }], reason: 'Payment timed out.', levels: [level(shirt.sku('M'), 10, 0)], releasedAt: now },
      });
      expect(await stockOf(shirt.productId)).toEqual({ [shirt.sku('M')]: { onHand: 10, reserved: 0 } });
    });
  });

  describe('when an order is rejected after some of its products reserved', () => {
    it('releases what was held and leaves the refusal as it was', async () => {
      const shirt = await onSale({ M: 10 });
      const mug = await onSale({ ONE: 1 });
      const lamp = await onSale({ ONE: 2 });
      const placed = order([
        { productId: shirt.productId, sku: shirt.sku('M'), quantity: 2 },
        { productId: mug.productId, sku: mug.sku('ONE'), quantity: 2 },
        { productId: lamp.productId, sku: lamp.sku('ONE'), quantity: 1 },
      ]);
      await harness.deliver(orderEvents.placed(placed));
      const { orderId } = placed;
      const reason = 'Not enough stock of one of its products.';
      await harness.deliver(orderEvents.rejected(placed, reason));

      expect(await stockEvents(shirt.productId)).toEqual([
        { type: 'StockReserved', data: { ...shirt.facts, orderId, lines: [{ sku: shirt.sku('M'), quantity: 2 }], levels: [level(shirt.sku('M'), 10, 2)], reservedAt: now } },
        { type: 'StockReservationReleased', data: { ...shirt.facts, orderId, lines: [{ sku: shirt.sku('M'), quantity: 2 }], reason, levels: [level(shirt.sku('M'), 10)], releasedAt: now } },
      ]);
      expect(await stockEvents(mug.productId)).toEqual([
        {
          type: 'StockReservationRefused',
          data: {
            ...mug.facts,
            orderId,
            lines: [{ sku: mug.sku('ONE'), quantity: 2 }],
            reason: `Stock of product ${mug.productId} cannot be reserved: ${mug.sku('ONE')} has 1 available, 2 asked.`,
            shortages: [{ sku: mug.sku('ONE'), requested: 2, available: 1 }],
            refusedAt: now,
          },
        },
      ]);
      expect(await stockEvents(lamp.productId)).toEqual([
        { type: 'StockReserved', data: { ...lamp.facts, orderId, lines: [{ sku: lamp.sku('ONE'), quantity: 1 }], levels: [level(lamp.sku('ONE'), 2, 1)], reservedAt: now } },
        { type: 'StockReservationReleased', data: { ...lamp.facts, orderId, lines: [{ sku: lamp.sku('ONE'), quantity: 1 }], reason, levels: [level(lamp.sku('ONE'), 2)], releasedAt: now } },
      ]);
      expect([await stockOf(shirt.productId), await stockOf(mug.productId), await stockOf(lamp.productId)]).toEqual([
        { [shirt.sku('M')]: { onHand: 10, reserved: 0 } },
        { [mug.sku('ONE')]: { onHand: 1, reserved: 0 } },
        { [lamp.sku('ONE')]: { onHand: 2, reserved: 0 } },
      ]);

      // The rejection again, under a new id: nothing more.
      const before = await Promise.all([shirt, mug, lamp].map((p) => stockEvents(p.productId)));
      await harness.deliver(orderEvents.rejected(placed, reason));
      expect(await Promise.all([shirt, mug, lamp].map((p) => stockEvents(p.productId)))).toEqual(before);
    });
  });

  describe('when the release of an order is handled before its reservation (the race)', () => {
    it('holds nothing for it afterwards: the stock stays free for other orders', async () => {
      const shirt = await onSale({ M: 3 });
      const mug = await onSale({ ONE: 1 });
      const placed = order([
        { productId: shirt.productId, sku: shirt.sku('M'), quantity: 3 },
        { productId: mug.productId, sku: mug.sku('ONE'), quantity: 1 },
      ]);
      const { orderId } = placed;
      await harness.deliver(orderEvents.cancelled(placed, 'The buyer cancelled the order.', 'buyer'));
      await harness.deliver(orderEvents.placed(placed));

      expect(await stockEvents(shirt.productId)).toEqual([
        { type: 'StockReservationReleased', data: { ...shirt.facts, orderId, lines: [], reason: 'The buyer cancelled the order.', levels: [], releasedAt: now } },
      ]);
      expect(await stockEvents(mug.productId)).toEqual([
        { type: 'StockReservationReleased', data: { ...mug.facts, orderId, lines: [], reason: 'The buyer cancelled the order.', levels: [], releasedAt: now } },
      ]);
      expect([await stockOf(shirt.productId), await stockOf(mug.productId)]).toEqual([{ [shirt.sku('M')]: { onHand: 3, reserved: 0 } }, { [mug.sku('ONE')]: { onHand: 1, reserved: 0 } }]);

      // Everything is still there for the next buyer.
      const next = order([{ productId: shirt.productId, sku: shirt.sku('M'), quantity: 3 }]);
      await harness.deliver(orderEvents.placed(next));
      expect((await stockEvents(shirt.productId)).at(-1)).toEqual({
        type: 'StockReserved',
        data: { ...shirt.facts, orderId: next.orderId, lines: [{ sku: shirt.sku('M'), quantity: 3 }], levels: [level(shirt.sku('M'), 3, 3)], reservedAt: now },
      });
    });
  });

  describe('when an order is shipped', () => {
    it('commits its held stock (on hand and reserved both go down), once', async () => {
      const shirt = await onSale({ M: 10, L: 5 });
      const mug = await onSale({ ONE: 3 });
      const placed = order([
        { productId: shirt.productId, sku: shirt.sku('M'), quantity: 2 },
        { productId: shirt.productId, sku: shirt.sku('L'), quantity: 5 },
        { productId: mug.productId, sku: mug.sku('ONE'), quantity: 1 },
      ]);
      const { orderId } = placed;
      await harness.deliver(orderEvents.placed(placed));
      await harness.deliver(orderEvents.shipped(placed));
      await harness.deliver(orderEvents.shipped(placed));

      const shirtLines = [{ sku: shirt.sku('M'), quantity: 2 }, { sku: shirt.sku('L'), quantity: 5 }];
      expect(await stockEvents(shirt.productId)).toEqual([
        { type: 'StockReserved', data: { ...shirt.facts, orderId, lines: shirtLines, levels: [level(shirt.sku('M'), 10, 2), level(shirt.sku('L'), 5, 5)], reservedAt: now } },
        { type: 'StockReservationCommitted', data: { ...shirt.facts, orderId, lines: shirtLines, levels: [level(shirt.sku('M'), 8), level(shirt.sku('L'), 0)], committedAt: now } },
      ]);
      expect(await stockEvents(mug.productId)).toEqual([
        { type: 'StockReserved', data: { ...mug.facts, orderId, lines: [{ sku: mug.sku('ONE'), quantity: 1 }], levels: [level(mug.sku('ONE'), 3, 1)], reservedAt: now } },
        { type: 'StockReservationCommitted', data: { ...mug.facts, orderId, lines: [{ sku: mug.sku('ONE'), quantity: 1 }], levels: [level(mug.sku('ONE'), 2)], committedAt: now } },
      ]);
      expect([await stockOf(shirt.productId), await stockOf(mug.productId)]).toEqual([
        { [shirt.sku('M')]: { onHand: 8, reserved: 0 }, [shirt.sku('L')]: { onHand: 0, reserved: 0 } },
        { [mug.sku('ONE')]: { onHand: 2, reserved: 0 } },
      ]);
    });
  });
}

describe('the order-stock handler on the in-process bus (PGlite)', () => {
  orderStockScenarios(async () => {
    const store = await createEmbeddedEventStore({ dataDir: 'memory://' });
    const db = await openDatabase({ kind: 'pglite' });
    await migrateRuntimeSchema(db);
    const bus = createInProcessBus({ logger: silentLogger(), redeliveryDelayMs: 5 });
    const { products, shopId, categoryId } = await productsOver(store, db);
    const consumer = await startOrderStockHandler({ db, transport: bus, products, logger: silentLogger() });
    return {
      store,
      products,
      shopId,
      categoryId,
      consumer: () => consumer,
      // The in-process bus confirms a publish once every bound consumer is done with it.
      deliver: (...events) => bus.publish(events.map((event) => outboundMessage(event))),
      deliverPoison: async (event) => {
        await bus.publish([outboundMessage(event)]);
        return bus.deadLetters(ORDER_STOCK_CONSUMER).map((letter) => letter.messageId);
      },
      close: async () => {
        await consumer.stop();
        await bus.close();
        await store.close();
        await db.close();
      },
    };
  });
});

describeWithServer('postgres', 'the order-stock handler against the real servers', () => {
  describeWithServer('rabbitmq', 'on RabbitMQ, over PostgreSQL', () => {
    // The consumer's name is fixed: the test's queues get a prefix of their own (as a staging
    // marketplace sharing the broker would), and its exchange is its own, so nothing else reaches them.
    const run = randomBytes(5).toString('hex');
    const queuePrefix = `test-${run}.`;
    const exchange = `test.order-stock.${run}`;
    const queues = [`${queuePrefix}${ORDER_STOCK_CONSUMER}`, `${queuePrefix}${ORDER_STOCK_CONSUMER}.dlq`];

    /** Deletes the test's queues and exchanges, each on its own channel. */
    const deleteBrokerObjects = async (url: string, exchanges: string[]) => {
      const connection = await connect(url);
      try {
        for (const queue of [...queues, ...exchanges.map((e) => `${e}.unrouted`)]) {
          const channel = await connection.createChannel();
          await channel.deleteQueue(queue);
          await channel.close();
        }
        for (const exchange of [...exchanges, ...exchanges.map((e) => `${e}.unrouted`)]) {
          const channel = await connection.createChannel();
          await channel.deleteExchange(exchange);
          await channel.close();
        }
      } finally {
        await connection.close();
      }
    };
    const deadLettered = async (url: string): Promise<string[]> => {
      const connection = await connect(url);
      try {
        const channel = await connection.createChannel();
        const ids: string[] = [];
        for (let message = await channel.get(queues[1]!, { noAck: true }); message; message = await channel.get(queues[1]!, { noAck: true })) {
          ids.push(String(message.properties.messageId));
        }
        return ids;
      } finally {
        await connection.close();
      }
    };

    orderStockScenarios(async () => {
      const serverUrl = requireServerUrl('postgres');
      const amqpUrl = requireServerUrl('rabbitmq');
      // A database of its own: the product service's schemas and the runtime schema have fixed names.
      const name = `order_stock_${randomBytes(4).toString('hex')}`;
      const admin = await openDatabase({ kind: 'postgres', connectionString: serverUrl, poolSize: 1 });
      await admin.knex.raw(`create database "${name}"`);
      await admin.close();
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const store = await createPostgresEventStore({ connectionString: url.toString() });
      const db = await openDatabase({ kind: 'postgres', connectionString: url.toString(), poolSize: 20 });
      await migrateRuntimeSchema(db);

      const publishing: RabbitMqTransport = await openRabbitMqTransport({ url: amqpUrl, exchange, connectionName: 'order-stock test relay', logger: silentLogger() });
      const consuming: RabbitMqTransport = await openRabbitMqTransport({ url: amqpUrl, exchange, queuePrefix, connectionName: 'order-stock test consumer', logger: silentLogger() });
      const { products, shopId, categoryId } = await productsOver(store, db);
      const consumer = await startOrderStockHandler({ db, transport: consuming, products, logger: silentLogger() });
      const settled = () => consumer.status().applied + consumer.status().duplicates;
      const poisoned: string[] = [];

      return {
        store,
        products,
        shopId,
        categoryId,
        consumer: () => consumer,
        deliver: async (...events) => {
          const before = settled();
          await publishing.publish(events.map((event) => outboundMessage(event)));
          await eventually(`${events.length} message(s) handled`, settled, (count) => count >= before + events.length);
        },
        deliverPoison: async (event) => {
          await publishing.publish([outboundMessage(event)]);
          await eventually(
            `${event.messageId} dead-lettered`,
            async () => {
              poisoned.push(...(await deadLettered(amqpUrl)));
              return poisoned;
            },
            (ids) => ids.includes(event.messageId),
          );
          return poisoned;
        },
        close: async () => {
          await consumer.stop();
          await publishing.close();
          await consuming.close();
          await deleteBrokerObjects(amqpUrl, [exchange]);
          await store.close();
          await db.close();
          const again = await openDatabase({ kind: 'postgres', connectionString: serverUrl, poolSize: 1 });
          await again.knex.raw(`drop database if exists "${name}" with (force)`);
          await again.close();
        },
      };
    });
  });
});
