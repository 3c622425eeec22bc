/**
 * The events the orders projector reads, as the order service writes them (order-<uuid> and
 * checkout-<uuid> streams) and the account service (account-<uuid>, for erasure): declared here so
 * that the projector depends on the contract, not on a command service's code
 * (ordersProjector.int.spec.ts checks at compile time that the services' own types still fit).
 *
 * The shipping address is personal data, read through a decrypting store: once the buyer's
 * account is deleted (their key forgotten), it arrives as null.
 */

export interface Money {
  amount: number;
  currency: 'BDT';
}

export type PaymentMethod = 'cash_on_delivery' | 'bkash' | 'sslcommerz' | 'upay';

export type OrderStatus = 'pending' | 'awaiting_payment' | 'confirmed' | 'shipped' | 'delivered' | 'rejected' | 'cancelled';

export interface OrderLine {
  productId: string;
  sku: string;
  title: string;
  options: Record<string, string>;
  image: string | null;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
  weightGrams: number | null;
}

export interface ShippingAddress {
  addressId: string;
  recipient: string;
  phone: string;
  division: string;
  district: string;
  area: string | null;
  line1: string;
  line2: string | null;
  postcode: string | null;
}

export interface OrderFacts {
  orderId: string;
  checkoutId: string;
  buyerId: string;
  shopId: string;
  sellerId: string;
}

export interface OrderActor {
  id: string;
  role: 'buyer' | 'seller' | 'admin' | 'system';
}

export interface StockRefusal {
  productId: string;
  reason: string;
  shortages: Array<{ sku: string; requested: number; available: number }>;
}

export type CancellationCause = 'buyer' | 'seller' | 'admin' | 'payment_timeout';

export type ConfirmationReason = 'cash_on_delivery' | 'payment_verified' | 'paid';

export type OrderEvent =
  | {
      type: 'OrderPlaced';
      data: OrderFacts & {
        shopName: string;
        lines: OrderLine[];
        itemsTotal: Money;
        shippingFee: Money;
        total: Money;
        paymentMethod: PaymentMethod;
        /** null once the buyer was forgotten. */
        shippingAddress: ShippingAddress | null;
        paymentDueBy: string;
        note: string | null;
        placedAt: string;
      };
    }
  | { type: 'OrderProductReserved'; data: OrderFacts & { productId: string; lines: Array<{ sku: string; quantity: number }>; reservedAt: string } }
  | { type: 'OrderStockReserved'; data: OrderFacts & { paymentMethod: PaymentMethod; total: Money; paymentDueBy: string | null; reservedAt: string } }
  | { type: 'OrderConfirmed'; data: OrderFacts & { paymentMethod: PaymentMethod; total: Money; why: ConfirmationReason; confirmedBy: OrderActor; confirmedAt: string } }
  | { type: 'OrderRejected'; data: OrderFacts & { reason: string; refusals: StockRefusal[]; productIds: string[]; rejectedAt: string } }
  | { type: 'OrderCancelled'; data: OrderFacts & { reason: string; cause: CancellationCause; cancelledBy: OrderActor; productIds: string[]; cancelledAt: string } }
  | { type: 'OrderShipped'; data: OrderFacts & { productIds: string[]; shippedBy: OrderActor; note: string | null; shippedAt: string } }
  | { type: 'OrderDelivered'; data: OrderFacts & { deliveredBy: OrderActor; deliveredAt: string } };

export interface CheckoutOrder {
  orderId: string;
  shopId: string;
  shopName: string;
  sellerId: string;
  lines: OrderLine[];
  itemsTotal: Money;
  shippingFee: Money;
  total: Money;
}

export type CheckoutEvent = {
  type: 'CheckoutPlaced';
  data: {
    checkoutId: string;
    buyerId: string;
    source: 'cart' | 'lines';
    paymentMethod: PaymentMethod;
    /** null once the buyer was forgotten. */
    shippingAddress: ShippingAddress | null;
    note: string | null;
    orders: CheckoutOrder[];
    itemsTotal: Money;
    shippingFee: Money;
    total: Money;
    paymentDueBy: string;
    placedAt: string;
  };
};

/** The one account event this projector reads: a deleted account's orders lose their shipping address. */
export type AccountDeletedEvent = { type: 'AccountDeleted'; data: { accountId: string; deletedAt: string } };

const ORDER_EVENTS = new Set<string>([
  'OrderPlaced',
  'OrderProductReserved',
  'OrderStockReserved',
  'OrderConfirmed',
  'OrderRejected',
  'OrderCancelled',
  'OrderShipped',
  'OrderDelivered',
]);

/** An event with the stream facts the projector needs (revision for replays). */
export interface Recorded<E> {
  event: E;
  revision: number;
}

interface RawEvent {
  type: string;
  data: unknown;
  streamId: string;
  revision: number;
}

const categoryOf = (streamId: string): string => streamId.slice(0, streamId.indexOf('-'));

/** Sorts a batch into orders', checkouts' and erasures' events, each in the batch's order; anything else is ignored. */
export function partitionEvents(events: readonly RawEvent[]) {
  const orders: Array<Recorded<OrderEvent>> = [];
  const checkouts: Array<Recorded<CheckoutEvent>> = [];
  const erasures: Array<Recorded<AccountDeletedEvent>> = [];
  for (const raw of events) {
    const event = { type: raw.type, data: raw.data };
    const category = categoryOf(raw.streamId);
    if (category === 'order' && ORDER_EVENTS.has(raw.type)) orders.push({ event: event as OrderEvent, revision: raw.revision });
    else if (category === 'checkout' && raw.type === 'CheckoutPlaced') checkouts.push({ event: event as CheckoutEvent, revision: raw.revision });
    else if (category === 'account' && raw.type === 'AccountDeleted') erasures.push({ event: event as AccountDeletedEvent, revision: raw.revision });
  }
  return { orders, checkouts, erasures };
}
