import { integrationMessageId, NotFoundError, type CommandContext, type CommandResult, type IntegrationEvent, type JsonObject } from '@bdbazar/shared-kernel';
import type { StockRefusal } from '../order';
import type { OrderService } from '../orderService';
import { now, orderId, sareeId, SAREE, tshirtId, tshirtLines } from '../testing/orderBuilders';
import { handleReservationAnswer } from './reservationSaga';

type Call =
  | { call: 'recordStockReserved'; orderId: string; productId: string; lines: Array<{ sku: string; quantity: number }>; context: CommandContext }
  | { call: 'recordStockRefused'; orderId: string; refusal: StockRefusal; context: CommandContext };

/** The two order service functions the saga calls, recording each call; `failWith` makes them reject. */
function fakeOrders(failWith?: Error) {
  const calls: Call[] = [];
  const done = (id: string): Promise<CommandResult> => (failWith ? Promise.reject(failWith) : Promise.resolve({ id, revision: 2, position: '0000000000000042' }));
  const orders: Pick<OrderService, 'recordStockReserved' | 'recordStockRefused'> = {
    recordStockReserved: (order, productId, lines, context) => {
      calls.push({ call: 'recordStockReserved', orderId: order, productId, lines, context });
      return done(order);
    },
    recordStockRefused: (order, refusal, context) => {
      calls.push({ call: 'recordStockRefused', orderId: order, refusal, context });
      return done(order);
    },
  };
  return { orders, calls };
}

const sourceEventId = '0193a5c2-0000-7000-8000-0000000e0001';
const correlationId = '0193a5c2-0000-4000-8000-00000000cc01';
const system = { id: 'order-process', role: 'system' } as const;

const message = (type: string, data: JsonObject, correlation: string | null = correlationId): IntegrationEvent => ({
  messageId: integrationMessageId(sourceEventId, type),
  type,
  occurredAt: now,
  correlationId: correlation,
  source: { eventId: sourceEventId, streamId: `product-${tshirtId}`, revision: 7, position: '0000000000000041' },
  data,
});

const stockReserved = (correlation?: string | null) =>
  message('product.StockReserved.v1', { productId: tshirtId, shopId: '0193a5c2-0000-4000-8000-00000000a001', orderId, lines: tshirtLines, reservedAt: now }, correlation);
const refusal = {
  productId: sareeId,
  orderId,
  lines: [{ sku: SAREE, quantity: 1 }],
  reason: `Stock of product ${sareeId} cannot be reserved: SR-JAM-01 has 0 available, 1 asked.`,
  shortages: [{ sku: SAREE, requested: 1, available: 0 }],
  refusedAt: now,
};

describe('handling a product\'s answer to a stock reservation', () => {
  describe('when the product holds the order\'s lines', () => {
    it('records it on the order, in the message\'s correlation, caused by the message, as the order process', async () => {
      const { orders, calls } = fakeOrders();
      const event = stockReserved();
      await handleReservationAnswer(orders, event);
      expect(calls).toEqual([
        { call: 'recordStockReserved', orderId, productId: tshirtId, lines: tshirtLines, context: { correlationId, causationId: event.messageId, actor: system } },
      ]);
    });

    it('starts the correlation at the message when it carries none', async () => {
      const { orders, calls } = fakeOrders();
      const event = stockReserved(null);
      await handleReservationAnswer(orders, event);
      expect(calls).toEqual([
        { call: 'recordStockReserved', orderId, productId: tshirtId, lines: tshirtLines, context: { correlationId: event.messageId, causationId: event.messageId, actor: system } },
      ]);
    });
  });

  describe('when the product refuses them', () => {
    it('records the refusal with its reason and shortages', async () => {
      const { orders, calls } = fakeOrders();
      const event = message('product.StockReservationRefused.v1', refusal);
      await handleReservationAnswer(orders, event);
      expect(calls).toEqual([
        {
          call: 'recordStockRefused',
          orderId,
          refusal: { productId: sareeId, reason: refusal.reason, shortages: [{ sku: SAREE, requested: 1, available: 0 }] },
          context: { correlationId, causationId: event.messageId, actor: system },
        },
      ]);
    });

    it('records a refusal that gives no reason or shortages', async () => {
      const { orders, calls } = fakeOrders();
      const event = message('product.StockReservationRefused.v1', { productId: sareeId, orderId, lines: [{ sku: SAREE, quantity: 1 }] });
      await handleReservationAnswer(orders, event);
      expect(calls).toEqual([
        {
          call: 'recordStockRefused',
          orderId,
          refusal: { productId: sareeId, reason: 'No reason given.', shortages: [] },
          context: { correlationId, causationId: event.messageId, actor: system },
        },
      ]);
    });
  });

  it('ignores every other message', async () => {
    const { orders, calls } = fakeOrders();
    for (const type of ['product.StockReservationReleased.v1', 'product.StockReservationCommitted.v1', 'product.ProductPublished.v1', 'order.OrderPlaced.v1', 'product.StockReserved.v2']) {
      await handleReservationAnswer(orders, message(type, { productId: tshirtId, orderId, lines: tshirtLines }));
    }
    expect(calls).toEqual([]);
  });

  it('lets the order service\'s refusal through, so that the message is not acknowledged as handled', async () => {
    const { orders } = fakeOrders(new NotFoundError(`There is no order ${orderId}.`));
    await expect(handleReservationAnswer(orders, stockReserved())).rejects.toThrow(NotFoundError);
    await expect(handleReservationAnswer(orders, message('product.StockReservationRefused.v1', refusal))).rejects.toThrow(`There is no order ${orderId}.`);
  });
});
