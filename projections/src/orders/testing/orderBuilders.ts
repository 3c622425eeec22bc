/**
 * Builders of the events the orders projector reads, shaped as the order service writes them
 * (ordersProjector.int.spec.ts checks the contract against the service's own types), with a fixed
 * clock: `at(n)` is n minutes after 2025-03-01 10:00 UTC. For the projector's and the query API's
 * tests.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend, JsonObject } from '@bdbazar/shared-kernel';
import type {
  CancellationCause,
  CheckoutEvent,
  ConfirmationReason,
  Money,
  OrderActor,
  OrderEvent,
  OrderFacts,
  OrderLine,
  PaymentMethod,
  ShippingAddress,
  StockRefusal,
} from '../orderEvents';

export const at = (minutes: number): string => new Date(Date.UTC(2025, 2, 1, 10, 0, 0) + minutes * 60_000).toISOString();

/** A readable, valid UUID: `id(7)` is 00000000-0000-4000-8000-000000000007, `id(7, 'b')` ...-b00000000007. */
export const id = (n: number, prefix = '0'): string => `00000000-0000-4000-8000-${prefix}${String(n).padStart(11, '0')}`;

export const bdt = (amount: number): Money => ({ amount, currency: 'BDT' });

export interface Built {
  type: string;
  data: Record<string, unknown>;
}

export interface LineSpec {
  productId: string;
  sku: string;
  title: string;
  price: number;
  quantity: number;
  options?: Record<string, string>;
  image?: string | null;
  weightGrams?: number | null;
}

export interface OrderSpec extends OrderFacts {
  shopName: string;
  lines: LineSpec[];
  shippingFee: number;
  paymentMethod: PaymentMethod;
  shippingAddress: ShippingAddress | null;
  note?: string | null;
  placedAt: string;
  paymentDueBy: string;
}

export const lineOf = (l: LineSpec): OrderLine => ({
  productId: l.productId,
  sku: l.sku,
  title: l.title,
  options: l.options ?? {},
  image: l.image ?? null,
  quantity: l.quantity,
  unitPrice: bdt(l.price),
  lineTotal: bdt(l.price * l.quantity),
  weightGrams: l.weightGrams ?? null,
});

export const itemsTotalOf = (spec: Pick<OrderSpec, 'lines'>): number => spec.lines.reduce((sum, l) => sum + l.price * l.quantity, 0);

export const factsOf = (o: OrderFacts): OrderFacts => ({ orderId: o.orderId, checkoutId: o.checkoutId, buyerId: o.buyerId, shopId: o.shopId, sellerId: o.sellerId });

/** Every product of the order, in line order, once each. */
export const productIdsOf = (spec: Pick<OrderSpec, 'lines'>): string[] => [...new Set(spec.lines.map((l) => l.productId))];

const built = (event: OrderEvent | CheckoutEvent, extra: Record<string, unknown> = {}): Built => ({ type: event.type, data: { ...event.data, ...extra } });

export const SYSTEM: OrderActor = { id: 'system', role: 'system' };

export const orderEvents = {
  placed: (o: OrderSpec): Built =>
    built({
      type: 'OrderPlaced',
      data: {
        ...factsOf(o),
        shopName: o.shopName,
        lines: o.lines.map(lineOf),
        itemsTotal: bdt(itemsTotalOf(o)),
        shippingFee: bdt(o.shippingFee),
        total: bdt(itemsTotalOf(o) + o.shippingFee),
        paymentMethod: o.paymentMethod,
        shippingAddress: o.shippingAddress,
        paymentDueBy: o.paymentDueBy,
        note: o.note ?? null,
        placedAt: o.placedAt,
      },
    }),
  productReserved: (o: OrderSpec, productId: string, when: string): Built =>
    built({
      type: 'OrderProductReserved',
      data: { ...factsOf(o), productId, lines: o.lines.filter((l) => l.productId === productId).map((l) => ({ sku: l.sku, quantity: l.quantity })), reservedAt: when },
    }),
  stockReserved: (o: OrderSpec, when: string): Built =>
    built({
      type: 'OrderStockReserved',
      data: {
        ...factsOf(o),
        paymentMethod: o.paymentMethod,
        total: bdt(itemsTotalOf(o) + o.shippingFee),
        paymentDueBy: o.paymentMethod === 'cash_on_delivery' ? null : o.paymentDueBy,
        reservedAt: when,
      },
    }),
  confirmed: (o: OrderSpec, why: ConfirmationReason, when: string, by: OrderActor = SYSTEM): Built =>
    built({ type: 'OrderConfirmed', data: { ...factsOf(o), paymentMethod: o.paymentMethod, total: bdt(itemsTotalOf(o) + o.shippingFee), why, confirmedBy: by, confirmedAt: when } }),
  rejected: (o: OrderSpec, reason: string, refusals: StockRefusal[], when: string): Built =>
    built({ type: 'OrderRejected', data: { ...factsOf(o), reason, refusals, productIds: productIdsOf(o), rejectedAt: when } }),
  cancelled: (o: OrderSpec, reason: string, cause: CancellationCause, by: OrderActor, when: string): Built =>
    built({ type: 'OrderCancelled', data: { ...factsOf(o), reason, cause, cancelledBy: by, productIds: productIdsOf(o), cancelledAt: when } }),
  shipped: (o: OrderSpec, note: string | null, when: string): Built =>
    built({ type: 'OrderShipped', data: { ...factsOf(o), productIds: productIdsOf(o), shippedBy: { id: o.sellerId, role: 'seller' }, note, shippedAt: when } }),
  delivered: (o: OrderSpec, when: string): Built =>
    built({ type: 'OrderDelivered', data: { ...factsOf(o), deliveredBy: { id: o.sellerId, role: 'seller' }, deliveredAt: when } }),
};

export interface CheckoutSpec {
  checkoutId: string;
  buyerId: string;
  paymentMethod: PaymentMethod;
  shippingAddress: ShippingAddress | null;
  note?: string | null;
  source?: 'cart' | 'lines';
  orders: OrderSpec[];
  placedAt: string;
  paymentDueBy: string;
}

export const checkoutEvents = {
  placed: (c: CheckoutSpec): Built => {
    const orders = c.orders.map((o) => ({
      orderId: o.orderId,
      shopId: o.shopId,
      shopName: o.shopName,
      sellerId: o.sellerId,
      lines: o.lines.map(lineOf),
      itemsTotal: bdt(itemsTotalOf(o)),
      shippingFee: bdt(o.shippingFee),
      total: bdt(itemsTotalOf(o) + o.shippingFee),
    }));
    const sum = (pick: (o: (typeof orders)[number]) => Money) => bdt(orders.reduce((total, o) => total + pick(o).amount, 0));
    return built(
      {
        type: 'CheckoutPlaced',
        data: {
          checkoutId: c.checkoutId,
          buyerId: c.buyerId,
          source: c.source ?? 'cart',
          paymentMethod: c.paymentMethod,
          shippingAddress: c.shippingAddress,
          note: c.note ?? null,
          orders,
          itemsTotal: sum((o) => o.itemsTotal),
          shippingFee: sum((o) => o.shippingFee),
          total: sum((o) => o.total),
          paymentDueBy: c.paymentDueBy,
          placedAt: c.placedAt,
        },
      },
      // What the service records beside the contract's fields.
      { requestFingerprint: `fingerprint-${c.checkoutId}`, cartItemIds: [] },
    );
  },
};

export const accountDeleted = (accountId: string, when: string): Built => ({ type: 'AccountDeleted', data: { accountId, deletedBy: accountId, deletedAt: when } });

const metadata = { correlationId: 'test', causationId: 'test', actor: { id: 'test', role: 'system' } };

export async function append(store: EventStore, streamId: string, events: Built[]) {
  return store.appendToStream(
    streamId,
    events.map((e): EventToAppend => ({ id: randomUUID(), type: e.type, data: e.data as JsonObject, metadata })),
  );
}
