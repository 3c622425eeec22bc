/**
 * What may happen to an order, decided on its state alone. The clock and everything looked up
 * (prices, the address, the shop) come in the command.
 *
 *   PlaceOrder: the order as its checkout fixed it; placing it again decides nothing.
 *   RecordStockReserved / RecordStockRefused: a product's answer to the reservation (the process
 *     manager's input). Answers are recorded while the order is pending; a late answer for an
 *     order that has ended decides nothing (its release already closed the product's side).
 *   RejectWithCheckout: another order of the same checkout was rejected; a checkout is placed
 *     whole or not at all (the buyer pays once for it), so this one is rejected too, unless it
 *     has shipped or ended, and its products release it.
 *   ExpireOrder: past the payment deadline, an order still pending or awaiting payment is
 *     cancelled and every product told to release it.
 *   ChangeOrderStatus: the legal moves by hand (see `changeStatus`).
 */
import { ForbiddenError, IllegalStateError, NotFoundError, UnprocessableError, ValidationError, type Decider } from '@bdbazar/shared-kernel';
import {
  evolveOrder,
  factsOfOrder,
  initialOrderState,
  type CancellationCause,
  type Order,
  type OrderActor,
  type OrderEvent,
  type OrderState,
  type OrderStatus,
  type StockRefusal,
} from './order';

type Placed = Extract<OrderEvent, { type: 'OrderPlaced' }>['data'];

/** The statuses a person may set; the others only the process reaches. */
export const SETTABLE_STATUSES = ['confirmed', 'shipped', 'delivered', 'cancelled'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

export type OrderCommand =
  | { type: 'PlaceOrder'; data: Placed }
  | { type: 'RecordStockReserved'; data: { orderId: string; productId: string; lines: Array<{ sku: string; quantity: number }>; now: string } }
  | { type: 'RecordStockRefused'; data: { orderId: string; refusal: StockRefusal; now: string } }
  | { type: 'RejectWithCheckout'; data: { orderId: string; failedOrderId: string; reason: string; now: string } }
  | { type: 'ExpireOrder'; data: { orderId: string; now: string } }
  | { type: 'ChangeOrderStatus'; data: { orderId: string; status: string; actor: OrderActor; reason: string | null; note: string | null; now: string } };

const OPEN: readonly OrderStatus[] = ['pending', 'awaiting_payment'];
const CANCELLABLE: readonly OrderStatus[] = ['pending', 'awaiting_payment', 'confirmed'];

export function decideOrder(command: OrderCommand, state: OrderState): OrderEvent[] {
  if (command.type === 'PlaceOrder') return state.status === 'none' ? [{ type: 'OrderPlaced', data: command.data }] : [];
  const order = existing(state, command.data.orderId);
  switch (command.type) {
    case 'RecordStockReserved': {
      const { productId, lines, now } = command.data;
      if (order.status !== 'pending' || order.reservedProductIds.includes(productId)) return [];
      if (!order.productIds.includes(productId)) {
        throw new UnprocessableError(`Order ${order.orderId} has no lines of product ${productId}; its reservation cannot count for it.`, { orderId: order.orderId, productId });
      }
      const events: OrderEvent[] = [{ type: 'OrderProductReserved', data: { ...factsOfOrder(order), productId, lines, reservedAt: now } }];
      if (order.reservedProductIds.length + 1 < order.productIds.length) return events;
      const cashOnDelivery = order.paymentMethod === 'cash_on_delivery';
      events.push({
        type: 'OrderStockReserved',
        data: { ...factsOfOrder(order), paymentMethod: order.paymentMethod, total: order.total, paymentDueBy: cashOnDelivery ? null : order.paymentDueBy, reservedAt: now },
      });
      if (cashOnDelivery) {
        events.push({
          type: 'OrderConfirmed',
          data: { ...factsOfOrder(order), paymentMethod: order.paymentMethod, total: order.total, why: 'cash_on_delivery', confirmedBy: SYSTEM, confirmedAt: now },
        });
      }
      return events;
    }
    case 'RecordStockRefused': {
      const { refusal, now } = command.data;
      if (order.status !== 'pending') return [];
      const reason = `Not enough stock to place this order: ${refusal.reason}`;
      return [{ type: 'OrderRejected', data: { ...factsOfOrder(order), reason, refusals: [refusal], productIds: order.productIds, rejectedAt: now } }];
    }
    case 'RejectWithCheckout': {
      const { failedOrderId, reason, now } = command.data;
      if (!CANCELLABLE.includes(order.status) || failedOrderId === order.orderId) return [];
      const why = `Order ${failedOrderId} of the same checkout could not be placed (${reason}) A checkout is placed whole or not at all, so this order was rejected too and its stock released.`;
      return [{ type: 'OrderRejected', data: { ...factsOfOrder(order), reason: why, refusals: [], productIds: order.productIds, rejectedAt: now } }];
    }
    case 'ExpireOrder': {
      const { now } = command.data;
      if (!OPEN.includes(order.status) || Date.parse(now) < Date.parse(order.paymentDueBy)) return [];
      const reason =
        order.status === 'pending'
          ? `Stock for this order could not be confirmed by ${order.paymentDueBy}, so it was cancelled.`
          : `Not paid by ${order.paymentDueBy}, so the order was cancelled and its stock released.`;
      return [cancelled(order, reason, 'payment_timeout', SYSTEM, now)];
    }
    case 'ChangeOrderStatus':
      return changeStatus(order, command.data);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

const SYSTEM: OrderActor = { id: 'order-process', role: 'system' };

/**
 * The moves by hand. Setting the status an order already has decides nothing (PUT is idempotent).
 *   confirmed  an admin, from awaiting_payment: a payment verified by hand (online payments confirm
 *              through the payment service; cash on delivery confirms itself).
 *   shipped    the shop's seller or an admin, from confirmed.
 *   delivered  the shop's seller or an admin, from shipped.
 *   cancelled  the buyer, the shop's seller or an admin, until shipped; seller and admin say why.
 */
function changeStatus(order: Order, data: Extract<OrderCommand, { type: 'ChangeOrderStatus' }>['data']): OrderEvent[] {
  const { actor, now } = data;
  const target = data.status;
  if (!(SETTABLE_STATUSES as readonly string[]).includes(target)) {
    throw new ValidationError(
      `status must be one of ${SETTABLE_STATUSES.join(', ')}; '${target}' is reached by the order process itself (pending, awaiting_payment, rejected) or does not exist.`,
      { field: 'status' },
    );
  }
  const status = target as SettableStatus;
  const isBuyer = actor.role === 'buyer' && actor.id === order.buyerId;
  const isSeller = actor.role === 'seller' && actor.id === order.sellerId;
  const isAdmin = actor.role === 'admin';
  if (!isBuyer && !isSeller && !isAdmin) throw new ForbiddenError(`Only the buyer, the shop's seller or an admin may change order ${order.orderId}.`, { orderId: order.orderId });
  if (order.status === status) return [];

  const refuse = (why: string): never => {
    throw new IllegalStateError(`Order ${order.orderId} is ${order.status.replace('_', ' ')}; ${why}`, { orderId: order.orderId, status: order.status, requested: status });
  };
  const facts = factsOfOrder(order);
  switch (status) {
    case 'confirmed':
      if (!isAdmin) throw new ForbiddenError('Only an admin confirms an order by hand (once its payment is verified); cash on delivery orders confirm themselves.', { orderId: order.orderId });
      if (order.status !== 'awaiting_payment') return refuse('only an order awaiting payment can be confirmed.');
      return [{ type: 'OrderConfirmed', data: { ...facts, paymentMethod: order.paymentMethod, total: order.total, why: 'payment_verified', confirmedBy: actor, confirmedAt: now } }];
    case 'shipped':
      if (isBuyer) throw new ForbiddenError('Only the shop\'s seller or an admin marks an order shipped.', { orderId: order.orderId });
      if (order.status !== 'confirmed') return refuse('only a confirmed order can be shipped.');
      return [{ type: 'OrderShipped', data: { ...facts, productIds: order.productIds, shippedBy: actor, note: trimmed(data.note), shippedAt: now } }];
    case 'delivered':
      if (isBuyer) throw new ForbiddenError('Only the shop\'s seller or an admin marks an order delivered.', { orderId: order.orderId });
      if (order.status !== 'shipped') return refuse('only a shipped order can be delivered.');
      return [{ type: 'OrderDelivered', data: { ...facts, deliveredBy: actor, deliveredAt: now } }];
    case 'cancelled': {
      if (!CANCELLABLE.includes(order.status)) {
        return refuse(order.status === 'shipped' || order.status === 'delivered' ? 'it can no longer be cancelled; ask for a return instead.' : 'it has already ended.');
      }
      const reason = trimmed(data.reason);
      if (!isBuyer && reason === null) throw new ValidationError('Say why the order is cancelled (reason): the buyer is shown it.', { field: 'reason' });
      const cause: CancellationCause = isBuyer ? 'buyer' : isSeller ? 'seller' : 'admin';
      return [cancelled(order, reason ?? 'Cancelled by the buyer.', cause, actor, now)];
    }
    default: {
      const unknown: never = status;
      return unknown;
    }
  }
}

function cancelled(order: Order, reason: string, cause: CancellationCause, by: OrderActor, now: string): OrderEvent {
  return { type: 'OrderCancelled', data: { ...factsOfOrder(order), reason, cause, cancelledBy: by, productIds: order.productIds, cancelledAt: now } };
}

function existing(state: OrderState, orderId: string): Order {
  if (state.status === 'none') throw new NotFoundError(`There is no order ${orderId}.`, { orderId });
  return state;
}

const trimmed = (value: string | null): string | null => {
  const text = value?.trim() ?? '';
  return text === '' ? null : text;
};

export const orderDecider: Decider<OrderCommand, OrderEvent, OrderState> = {
  initialState: initialOrderState,
  evolve: evolveOrder,
  decide: decideOrder,
};
