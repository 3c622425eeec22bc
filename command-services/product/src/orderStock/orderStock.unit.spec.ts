/** How the order-stock handler turns order messages into stock commands, with a recording product service. */
import { IllegalStateError, NotFoundError } from '@bdbazar/shared-kernel';
import { orderEvents } from '../testing/orderEventBuilders';
import { handleOrderEvent, type OrderStockProducts } from './orderStock';

const shirt = '0193a5c2-0000-4000-8000-00000000b001';
const mug = '0193a5c2-0000-4000-8000-00000000b002';
const ghost = '0193a5c2-0000-4000-8000-00000000b0ff';
const orderId = '0193a5c2-0000-4000-8000-00000000d001';
const result = { id: 'x', revision: 1, position: '1' };

function recordingProducts(fail: Partial<Record<string, Error>> = {}) {
  const calls: unknown[][] = [];
  const settled: string[] = [];
  const products: OrderStockProducts = {
    reserveStock: async (productId, order, lines, context) => {
      calls.push(['reserve', productId, order, lines, context]);
      await new Promise((resolve) => setTimeout(resolve, productId === mug ? 20 : 0));
      settled.push(productId);
      if (fail[productId]) throw fail[productId];
      return result;
    },
    releaseStockReservation: async (productId, order, reason, context) => {
      calls.push(['release', productId, order, reason, context]);
      return result;
    },
    commitStockReservation: async (productId, order, context) => {
      calls.push(['commit', productId, order, context]);
      if (fail[productId]) throw fail[productId];
      return result;
    },
    load: async (productId) =>
      (productId === ghost ? { state: { status: 'none' }, revision: 'no_stream' } : { state: { status: 'published' }, revision: 3 }) as Awaited<ReturnType<OrderStockProducts['load']>>,
  };
  return { products, calls, settled };
}

const order = {
  orderId,
  lines: [
    { productId: shirt, sku: 'TS-RED-M', quantity: 2 },
    { productId: mug, sku: 'MUG-1', quantity: 1 },
    { productId: shirt, sku: 'TS-RED-L', quantity: 1 },
  ],
};
const system = { id: 'order-process', role: 'system' };

describe('the order-stock handler', () => {
  it("reserves each product's lines once, in the order's correlation, caused by the message", async () => {
    const { products, calls } = recordingProducts();
    const placed = orderEvents.placed(order, 'checkout-42');
    await handleOrderEvent(products, placed);
    const context = { correlationId: 'checkout-42', causationId: placed.messageId, actor: system };
    expect(calls).toEqual([
      ['reserve', shirt, orderId, [{ sku: 'TS-RED-M', quantity: 2 }, { sku: 'TS-RED-L', quantity: 1 }], context],
      ['reserve', mug, orderId, [{ sku: 'MUG-1', quantity: 1 }], context],
    ]);
  });

  it('correlates by the message id when the message has no correlation id', async () => {
    const { products, calls } = recordingProducts();
    const shipped = orderEvents.shipped(order);
    await handleOrderEvent(products, shipped);
    const context = { correlationId: shipped.messageId, causationId: shipped.messageId, actor: system };
    expect(calls).toEqual([
      ['commit', shirt, orderId, context],
      ['commit', mug, orderId, context],
    ]);
  });

  it('releases every product a rejection or cancellation names, once each, skipping one that does not exist', async () => {
    const { products, calls } = recordingProducts();
    const rejected = orderEvents.rejected(order, 'Not enough stock.', [shirt, ghost, mug, shirt]);
    await handleOrderEvent(products, rejected);
    const cancelled = orderEvents.cancelled(order, 'Payment timed out.', 'payment_timeout');
    await handleOrderEvent(products, cancelled);
    const context = (causationId: string) => ({ correlationId: causationId, causationId, actor: system });
    expect(calls).toEqual([
      ['release', shirt, orderId, 'Not enough stock.', context(rejected.messageId)],
      ['release', mug, orderId, 'Not enough stock.', context(rejected.messageId)],
      ['release', shirt, orderId, 'Payment timed out.', context(cancelled.messageId)],
      ['release', mug, orderId, 'Payment timed out.', context(cancelled.messageId)],
    ]);
  });

  it("fails with a product's error only once every product's command has finished", async () => {
    const missing = new NotFoundError(`There is no product ${shirt}.`);
    const { products, settled } = recordingProducts({ [shirt]: missing });
    await expect(handleOrderEvent(products, orderEvents.placed(order))).rejects.toBe(missing);
    expect(settled).toEqual([shirt, mug]);
  });

  it('fails with every error when several products fail', async () => {
    const { products } = recordingProducts({ [shirt]: new IllegalStateError('Shirt holds nothing.'), [mug]: new IllegalStateError('Mug holds nothing.') });
    await expect(handleOrderEvent(products, orderEvents.shipped(order))).rejects.toThrow('2 stock commands failed: Shirt holds nothing. | Mug holds nothing.');
  });

  it('refuses a message without what it needs, saying what is missing', async () => {
    const { products, calls } = recordingProducts();
    const placed = orderEvents.placed(order);
    const noLines = { ...placed, data: { ...placed.data, lines: [] } };
    await expect(handleOrderEvent(products, noLines)).rejects.toThrow(`order.OrderPlaced.v1 message ${placed.messageId} cannot be handled: its lines is not a non-empty list.`);
    const noProduct = { ...placed, data: { ...placed.data, lines: [{ sku: 'TS-RED-M', quantity: 1 }] } };
    await expect(handleOrderEvent(products, noProduct)).rejects.toThrow('its lines[0].productId is not a product id.');
    const shipped = orderEvents.shipped(order);
    await expect(handleOrderEvent(products, { ...shipped, data: { ...shipped.data, productIds: null } })).rejects.toThrow('its productIds is not a list of product ids.');
    const rejected = orderEvents.rejected(order, 'x');
    await expect(handleOrderEvent(products, { ...rejected, data: { ...rejected.data, reason: '' } })).rejects.toThrow('its reason is not a non-empty string.');
    expect(calls).toEqual([]);
  });

  it('ignores an order event that has nothing to do with stock', async () => {
    const { products, calls } = recordingProducts();
    await handleOrderEvent(products, { ...orderEvents.shipped(order), type: 'order.OrderPaid.v1' });
    expect(calls).toEqual([]);
  });
});
