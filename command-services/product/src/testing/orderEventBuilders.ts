/**
 * The order service's integration events as the product service receives them (the order
 * projector's contract, `order.*.v1`), for tests of the order-stock handler. Each call makes a new
 * message, as a new source event would; send the same object again for a redelivery.
 */
import { randomUUID } from 'node:crypto';
import { integrationMessageId, type IntegrationEvent, type JsonObject } from '@bdbazar/shared-kernel';

export interface OrderLineSpec {
  productId: string;
  sku: string;
  quantity: number;
}

export interface OrderSpec {
  orderId: string;
  lines: OrderLineSpec[];
  shopId?: string;
  sellerId?: string;
  buyerId?: string;
  checkoutId?: string;
}

const at = '2026-11-24T10:00:00.000Z';
const bdt = (amount: number) => ({ amount, currency: 'BDT' });

let revision = 0;

function message(type: string, order: OrderSpec, data: JsonObject, correlationId: string | null): IntegrationEvent {
  const eventId = randomUUID();
  revision += 1;
  return {
    messageId: integrationMessageId(eventId, type),
    type,
    occurredAt: at,
    correlationId,
    source: { eventId, streamId: `order-${order.orderId}`, revision, position: String(revision) },
    data,
  };
}

const factsOf = (order: OrderSpec) => ({
  orderId: order.orderId,
  checkoutId: order.checkoutId ?? '0193a5c2-0000-4000-8000-0000000c0001',
  buyerId: order.buyerId ?? '0193a5c2-0000-4000-8000-0000000000b1',
  shopId: order.shopId ?? '0193a5c2-0000-4000-8000-00000000a001',
  sellerId: order.sellerId ?? '0193a5c2-0000-4000-8000-0000000000e1',
});

const productIdsOf = (order: OrderSpec) => [...new Set(order.lines.map((line) => line.productId))];

export const orderEvents = {
  placed: (order: OrderSpec, correlationId: string | null = randomUUID()): IntegrationEvent => {
    const lines = order.lines.map((line) => ({ ...line, unitPrice: bdt(85_000) }));
    const itemsTotal = lines.reduce((sum, line) => sum + line.quantity * 85_000, 0);
    return message(
      'order.OrderPlaced.v1',
      order,
      {
        ...factsOf(order),
        paymentMethod: 'cash_on_delivery',
        lines,
        itemsTotal: bdt(itemsTotal),
        shippingFee: bdt(6_000),
        total: bdt(itemsTotal + 6_000),
        paymentDueBy: '2026-11-24T10:30:00.000Z',
        at,
      },
      correlationId,
    );
  },
  rejected: (order: OrderSpec, reason: string, productIds = productIdsOf(order)): IntegrationEvent =>
    message('order.OrderRejected.v1', order, { ...factsOf(order), reason, productIds, at }, null),
  cancelled: (order: OrderSpec, reason: string, cause = 'buyer', productIds = productIdsOf(order)): IntegrationEvent =>
    message('order.OrderCancelled.v1', order, { ...factsOf(order), reason, cause, productIds, at }, null),
  shipped: (order: OrderSpec, productIds = productIdsOf(order)): IntegrationEvent => message('order.OrderShipped.v1', order, { ...factsOf(order), productIds, at }, null),
};
