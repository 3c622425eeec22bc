/**
 * The order aggregate: what one shop owes one buyer from one checkout, with prices, shipping fee
 * and totals fixed when it was placed, and where it stands. Stream `order-<uuid>`.
 *
 * Its life:
 *
 *   pending ──(every product's stock held)──> awaiting_payment ──(paid)──> confirmed
 *      │                                  └─(cash on delivery)──────────> confirmed
 *      ├─(a product refused its stock)──> rejected
 *      └─(cancelled by buyer, seller, admin, or unpaid past its deadline)──> cancelled
 *   confirmed ──> shipped ──> delivered;  cancelled is possible until shipped.
 *
 * The order is also the state of the stock reservation process (reservationSaga/): it records
 * each product's answer, and the events that end a reservation (rejected, cancelled) name every
 * product the order touched, so that the product service releases whatever it holds for it.
 *
 * Every event carries the order's facts (order, checkout, buyer, shop, seller), so that a read
 * model or another service can act on any one of them alone.
 */
import type { Money } from '@bdbazar/shared-kernel';

export const PAYMENT_METHODS = ['cash_on_delivery', 'bkash', 'sslcommerz', 'upay'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const ORDER_STATUSES = ['pending', 'awaiting_payment', 'confirmed', 'shipped', 'delivered', 'rejected', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** One variant bought, at the price of the moment of checkout. */
export interface OrderLine {
  productId: string;
  sku: string;
  title: string;
  /** The variant's option values (size, colour, ...). */
  options: Record<string, string>;
  image: string | null;
  quantity: number;
  unitPrice: Money;
  /** unitPrice × quantity */
  lineTotal: Money;
  weightGrams: number | null;
}

/** Where the parcel goes: a copy of an address from the buyer's address book (personal data, encrypted in the store). */
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
  /** The shop's owner when the order was placed. */
  sellerId: string;
}

/** Who did something to an order; `system` for the process (deadlines, reservations). */
export interface OrderActor {
  id: string;
  role: 'buyer' | 'seller' | 'admin' | 'system';
}

/** One product's refusal to hold stock, as the product service gave it. */
export interface StockRefusal {
  productId: string;
  reason: string;
  shortages: Array<{ sku: string; requested: number; available: number }>;
}

export type CancellationCause = 'buyer' | 'seller' | 'admin' | 'payment_timeout';

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
        shippingAddress: ShippingAddress;
        /** Past this moment an order still pending or awaiting payment is cancelled and its stock released. */
        paymentDueBy: string;
        note: string | null;
        placedAt: string;
      };
    }
  /** One product holds the stock of all this order's lines of it. */
  | { type: 'OrderProductReserved'; data: OrderFacts & { productId: string; lines: Array<{ sku: string; quantity: number }>; reservedAt: string } }
  /** Every product holds its lines: the order waits for payment (or, cash on delivery, is confirmed by the OrderConfirmed beside it). */
  | { type: 'OrderStockReserved'; data: OrderFacts & { paymentMethod: PaymentMethod; total: Money; paymentDueBy: string | null; reservedAt: string } }
  | { type: 'OrderConfirmed'; data: OrderFacts & { paymentMethod: PaymentMethod; total: Money; why: 'cash_on_delivery' | 'payment_verified' | 'paid'; confirmedBy: OrderActor; confirmedAt: string } }
  /** A product could not hold its lines: the order ends here; `productIds` is every product to release. */
  | { type: 'OrderRejected'; data: OrderFacts & { reason: string; refusals: StockRefusal[]; productIds: string[]; rejectedAt: string } }
  | { type: 'OrderCancelled'; data: OrderFacts & { reason: string; cause: CancellationCause; cancelledBy: OrderActor; productIds: string[]; cancelledAt: string } }
  /** The parcel left the shop: the held stock is taken for good. */
  | { type: 'OrderShipped'; data: OrderFacts & { productIds: string[]; shippedBy: OrderActor; note: string | null; shippedAt: string } }
  | { type: 'OrderDelivered'; data: OrderFacts & { deliveredBy: OrderActor; deliveredAt: string } };

export interface Order extends OrderFacts {
  status: OrderStatus;
  lines: OrderLine[];
  total: Money;
  paymentMethod: PaymentMethod;
  paymentDueBy: string;
  /** Every product of the order, in line order, once each. */
  productIds: string[];
  /** The products that hold their lines so far. */
  reservedProductIds: string[];
  /** Why it was rejected or cancelled. */
  endReason: string | null;
}

export type OrderState = { status: 'none' } | Order;

export const initialOrderState = (): OrderState => ({ status: 'none' });

export const orderStreamId = (orderId: string): string => `order-${orderId}`;

export function factsOfOrder(order: OrderFacts): OrderFacts {
  const { orderId, checkoutId, buyerId, shopId, sellerId } = order;
  return { orderId, checkoutId, buyerId, shopId, sellerId };
}

/** Products in the order of their first line. */
export const productIdsOf = (lines: readonly Pick<OrderLine, 'productId'>[]): string[] => [...new Set(lines.map((line) => line.productId))];

export function evolveOrder(state: OrderState, event: OrderEvent): OrderState {
  if (event.type === 'OrderPlaced') {
    const d = event.data;
    return {
      ...factsOfOrder(d),
      status: 'pending',
      lines: d.lines,
      total: d.total,
      paymentMethod: d.paymentMethod,
      paymentDueBy: d.paymentDueBy,
      productIds: productIdsOf(d.lines),
      reservedProductIds: [],
      endReason: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'OrderProductReserved':
      return state.reservedProductIds.includes(event.data.productId) ? state : { ...state, reservedProductIds: [...state.reservedProductIds, event.data.productId] };
    case 'OrderStockReserved':
      return { ...state, status: 'awaiting_payment' };
    case 'OrderConfirmed':
      return { ...state, status: 'confirmed' };
    case 'OrderRejected':
      return { ...state, status: 'rejected', endReason: event.data.reason };
    case 'OrderCancelled':
      return { ...state, status: 'cancelled', endReason: event.data.reason };
    case 'OrderShipped':
      return { ...state, status: 'shipped' };
    case 'OrderDelivered':
      return { ...state, status: 'delivered' };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
