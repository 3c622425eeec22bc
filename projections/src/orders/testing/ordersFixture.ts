/**
 * A small marketplace's orders whose every list can be worked out by hand: three buyers (the
 * third's account deleted, so their orders reached the projector without an address), two sellers
 * (the first with two shops), seven orders over three days in every status, and a checkout whose
 * order is not written yet. Ids are readable: order n is `id(n, '7')`, checkout n `id(n, '6')`,
 * buyer n `id(n, '9')`, shop n `id(n, 'b')`, seller n `id(n, 'e')`, product n `id(n, 'c')`.
 *
 * Times are in UTC; Bangladesh is six hours ahead, so order 3 (20:00 UTC on 1 March) was placed
 * on 2 March there.
 */
import type { EventStore, Position } from '@bdbazar/shared-kernel';
import type { ShippingAddress } from '../orderEvents';
import { accountDeleted, append, checkoutEvents, id, orderEvents, type Built, type CheckoutSpec, type LineSpec, type OrderSpec } from './orderBuilders';

export const orderId = (n: number) => id(n, '7');
export const checkoutId = (n: number) => id(n, '6');
export const buyerId = (n: number) => id(n, '9');
export const shopId = (n: number) => id(n, 'b');
export const sellerId = (n: number) => id(n, 'e');
export const productId = (n: number) => id(n, 'c');

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

export const BUYERS = {
  nusrat: { buyerId: buyerId(1), address: address(1, 'Nusrat Jahan') },
  rafiq: { buyerId: buyerId(2), address: address(2, 'Rafiq Islam') },
  /** Deleted: the projector read their addresses as null. */
  erased: { buyerId: buyerId(3), address: null },
};

export const SHOPS = {
  aarong: { shopId: shopId(1), shopName: 'Aarong Outlet', sellerId: sellerId(1) },
  threads: { shopId: shopId(2), shopName: 'Dhaka Threads', sellerId: sellerId(2) },
  crafts: { shopId: shopId(3), shopName: 'Aarong Crafts', sellerId: sellerId(1) },
};

export const LINES = {
  panjabi: { productId: productId(1), sku: 'P1-M', title: 'Silk panjabi', price: 450_000, quantity: 1, options: { size: 'M' }, image: 'https://cdn.bdbazar.test/p1.jpg', weightGrams: 400 },
  mug: { productId: productId(2), sku: 'P2', title: 'Clay mug', price: 25_000, quantity: 4 },
  shirt: { productId: productId(3), sku: 'P3-L', title: 'Cotton shirt', price: 120_000, quantity: 2, options: { size: 'L' } },
  basket: { productId: productId(4), sku: 'P4', title: 'Jute basket', price: 80_000, quantity: 1, image: 'https://cdn.bdbazar.test/p4.jpg' },
} satisfies Record<string, LineSpec>;

type Buyer = (typeof BUYERS)[keyof typeof BUYERS];
type Shop = (typeof SHOPS)[keyof typeof SHOPS];

const spec = (n: number, checkout: number, buyer: Buyer, shop: Shop, lines: LineSpec[], placedAt: string, extra: Partial<OrderSpec> = {}): OrderSpec => ({
  orderId: orderId(n),
  checkoutId: checkoutId(checkout),
  buyerId: buyer.buyerId,
  ...shop,
  lines,
  shippingFee: 6_000,
  paymentMethod: 'bkash',
  shippingAddress: buyer.address,
  note: null,
  placedAt,
  paymentDueBy: new Date(Date.parse(placedAt) + 30 * 60_000).toISOString(),
  ...extra,
});

const later = (o: OrderSpec, minutes: number) => new Date(Date.parse(o.placedAt) + minutes * 60_000).toISOString();

export const ORDERS = {
  1: spec(1, 1, BUYERS.nusrat, SHOPS.aarong, [LINES.panjabi, LINES.mug], '2025-03-01T04:00:00.000Z', { note: 'Call before coming.' }),
  2: spec(2, 1, BUYERS.nusrat, SHOPS.threads, [LINES.shirt], '2025-03-01T04:00:00.000Z', { shippingFee: 8_000 }),
  3: spec(3, 2, BUYERS.rafiq, SHOPS.aarong, [LINES.mug], '2025-03-01T20:00:00.000Z', { paymentMethod: 'cash_on_delivery' }),
  4: spec(4, 3, BUYERS.nusrat, SHOPS.crafts, [LINES.basket], '2025-03-02T06:00:00.000Z'),
  5: spec(5, 4, BUYERS.rafiq, SHOPS.threads, [LINES.shirt], '2025-03-02T07:00:00.000Z', { paymentMethod: 'upay' }),
  6: spec(6, 5, BUYERS.nusrat, SHOPS.aarong, [LINES.panjabi], '2025-03-03T05:00:00.000Z'),
  7: spec(7, 6, BUYERS.erased, SHOPS.crafts, [LINES.basket, LINES.mug], '2025-03-03T06:00:00.000Z', { paymentMethod: 'sslcommerz' }),
};

/** Rafiq's last checkout: recorded, its order not yet (the service writes it next). */
export const UNWRITTEN = spec(8, 7, BUYERS.rafiq, SHOPS.threads, [LINES.shirt], '2025-03-03T08:00:00.000Z');

export const REFUSALS = [{ productId: productId(3), reason: 'Not enough stock.', shortages: [{ sku: 'P3-L', requested: 2, available: 1 }] }];

const o = ORDERS;
/** Each order's events after its placing. */
const HISTORIES: Record<keyof typeof ORDERS, Built[]> = {
  1: [
    orderEvents.productReserved(o[1], productId(1), later(o[1], 1)),
    orderEvents.productReserved(o[1], productId(2), later(o[1], 1)),
    orderEvents.stockReserved(o[1], later(o[1], 1)),
    orderEvents.confirmed(o[1], 'paid', later(o[1], 5)),
    orderEvents.shipped(o[1], 'Pathao, tracking PT-1234', later(o[1], 120)),
    orderEvents.delivered(o[1], later(o[1], 1440)),
  ],
  2: [orderEvents.rejected(o[2], 'Cotton shirt: only 1 left.', REFUSALS, later(o[2], 1))],
  3: [orderEvents.productReserved(o[3], productId(2), later(o[3], 1)), orderEvents.stockReserved(o[3], later(o[3], 1)), orderEvents.confirmed(o[3], 'cash_on_delivery', later(o[3], 1))],
  4: [orderEvents.productReserved(o[4], productId(4), later(o[4], 1)), orderEvents.stockReserved(o[4], later(o[4], 1))],
  5: [
    orderEvents.productReserved(o[5], productId(3), later(o[5], 1)),
    orderEvents.stockReserved(o[5], later(o[5], 1)),
    orderEvents.cancelled(o[5], 'Not paid in time.', 'payment_timeout', { id: 'system', role: 'system' }, later(o[5], 31)),
  ],
  6: [],
  7: [
    orderEvents.productReserved(o[7], productId(4), later(o[7], 1)),
    orderEvents.productReserved(o[7], productId(2), later(o[7], 1)),
    orderEvents.stockReserved(o[7], later(o[7], 1)),
    orderEvents.confirmed(o[7], 'paid', later(o[7], 3)),
    orderEvents.shipped(o[7], null, later(o[7], 60)),
  ],
};

export const CHECKOUTS: CheckoutSpec[] = [
  { checkoutId: checkoutId(1), buyerId: BUYERS.nusrat.buyerId, paymentMethod: 'bkash', shippingAddress: BUYERS.nusrat.address, note: 'Call before coming.', orders: [o[1], o[2]], placedAt: o[1].placedAt, paymentDueBy: o[1].paymentDueBy },
  ...[o[3], o[4], o[5], o[6], o[7], UNWRITTEN].map((order) => ({
    checkoutId: order.checkoutId,
    buyerId: order.buyerId,
    paymentMethod: order.paymentMethod,
    shippingAddress: order.shippingAddress,
    source: 'lines' as const,
    orders: [order],
    placedAt: order.placedAt,
    paymentDueBy: order.paymentDueBy,
  })),
];

/** Appends everything (checkouts first, as the service does); the position of the last event. */
export async function appendOrders(store: EventStore): Promise<Position> {
  let last = '';
  for (const checkout of CHECKOUTS) last = (await append(store, `checkout-${checkout.checkoutId}`, [checkoutEvents.placed(checkout)])).position;
  for (const [n, history] of Object.entries(HISTORIES)) {
    const order = ORDERS[Number(n) as keyof typeof ORDERS];
    last = (await append(store, `order-${order.orderId}`, [orderEvents.placed(order), ...history])).position;
  }
  last = (await append(store, `account-${BUYERS.erased.buyerId}`, [accountDeleted(BUYERS.erased.buyerId, '2025-03-04T00:00:00.000Z')])).position;
  return last;
}
