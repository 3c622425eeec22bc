/**
 * The order service's public contract, mapped from its domain events: what the payment, product,
 * shipment, payout and notification services need to act on an order without calling back.
 * Every order event carries the order's facts (order, checkout, buyer, shop, seller) and `at`, the
 * moment of the business fact. No personal data crosses: no shipping address, no note.
 * A product's single answer to a reservation (OrderProductReserved) is the saga's business and is
 * not published.
 */
import type { IntegrationEventDraft, JsonObject, RecordedEvent } from '@bdbazar/shared-kernel';
import type { CheckoutEvent, OrderEvent, OrderFacts } from './orderEvents';

const facts = (d: OrderFacts) => ({ orderId: d.orderId, checkoutId: d.checkoutId, buyerId: d.buyerId, shopId: d.shopId, sellerId: d.sellerId });

const draft = (type: string, data: object): IntegrationEventDraft[] => [{ type, data: data as JsonObject }];

export function orderIntegrationEvents(recorded: RecordedEvent): IntegrationEventDraft[] {
  if (recorded.streamId.startsWith('checkout-')) {
    if (recorded.type !== 'CheckoutPlaced') return [];
    const d = recorded.data as unknown as CheckoutEvent['data'];
    return draft('order.CheckoutPlaced.v1', {
      checkoutId: d.checkoutId,
      buyerId: d.buyerId,
      orderIds: d.orders.map((o) => o.orderId),
      paymentMethod: d.paymentMethod,
      total: d.total,
      at: d.placedAt,
    });
  }
  if (!recorded.streamId.startsWith('order-')) return [];
  const event = { type: recorded.type, data: recorded.data } as unknown as OrderEvent;
  switch (event.type) {
    case 'OrderPlaced': {
      const d = event.data;
      return draft('order.OrderPlaced.v1', {
        ...facts(d),
        paymentMethod: d.paymentMethod,
        lines: d.lines.map((l) => ({ productId: l.productId, sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice })),
        itemsTotal: d.itemsTotal,
        shippingFee: d.shippingFee,
        total: d.total,
        paymentDueBy: d.paymentDueBy,
        at: d.placedAt,
      });
    }
    case 'OrderProductReserved':
      return [];
    case 'OrderStockReserved': {
      const d = event.data;
      return draft('order.OrderStockReserved.v1', { ...facts(d), paymentMethod: d.paymentMethod, total: d.total, paymentDueBy: d.paymentDueBy, at: d.reservedAt });
    }
    case 'OrderConfirmed': {
      const d = event.data;
      return draft('order.OrderConfirmed.v1', { ...facts(d), paymentMethod: d.paymentMethod, total: d.total, why: d.why, at: d.confirmedAt });
    }
    case 'OrderRejected': {
      const d = event.data;
      return draft('order.OrderRejected.v1', { ...facts(d), reason: d.reason, productIds: d.productIds, at: d.rejectedAt });
    }
    case 'OrderCancelled': {
      const d = event.data;
      return draft('order.OrderCancelled.v1', { ...facts(d), reason: d.reason, cause: d.cause, productIds: d.productIds, at: d.cancelledAt });
    }
    case 'OrderShipped': {
      const d = event.data;
      return draft('order.OrderShipped.v1', { ...facts(d), productIds: d.productIds, at: d.shippedAt });
    }
    case 'OrderDelivered':
      return draft('order.OrderDelivered.v1', { ...facts(event.data), at: event.data.deliveredAt });
    default:
      return [];
  }
}
