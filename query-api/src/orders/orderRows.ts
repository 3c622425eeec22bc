/**
 * The orders read model as the orders projector writes it (the live generation's views in the
 * schema `orders`), and what the order routes share: who asks, who may see an order, page sizes,
 * and the order summary every list shows. Nothing here writes.
 */
export const ORDERS_PROJECTOR = 'orders';

export const ORDERS = {
  orders: 'orders.orders',
  checkouts: 'orders.checkouts',
} as const;

export const ORDER_STATUSES = ['pending', 'awaiting_payment', 'confirmed', 'shipped', 'delivered', 'rejected', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type PaymentMethod = 'cash_on_delivery' | 'bkash' | 'sslcommerz' | 'upay';
export type CancellationCause = 'buyer' | 'seller' | 'admin' | 'payment_timeout';

export interface Money {
  amount: number;
  currency: 'BDT';
}

export const money = (amount: number | string): Money => ({ amount: Number(amount), currency: 'BDT' });

/** A timestamp as the API shows it, whichever way the driver gave it. */
export const isoOf = (value: Date | string): string => new Date(value).toISOString();

export const isoOrNull = (value: Date | string | null): string | null => (value === null ? null : isoOf(value));

/** Who asks (every order route needs a token). */
export interface Viewer {
  userId: string;
  role: 'buyer' | 'seller' | 'admin';
}

/** An order is its buyer's, its shop's seller's (as placed) and admins' to see; nobody else's to know of. */
export const maySeeOrder = (viewer: Viewer, order: { buyer_id: string; seller_id: string }): boolean =>
  viewer.role === 'admin' || viewer.userId === order.buyer_id || viewer.userId === order.seller_id;

/** A page of orders holds at most this many (the OpenAPI document's Limit says so too). */
export const MAX_ORDER_PAGE = 100;
export const DEFAULT_ORDER_PAGE = 25;

export const orderPageSize = (limit: number | undefined): number => Math.min(Math.max(Math.trunc(limit ?? DEFAULT_ORDER_PAGE) || DEFAULT_ORDER_PAGE, 1), MAX_ORDER_PAGE);

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

export interface StockRefusal {
  productId: string;
  reason: string;
  shortages: Array<{ sku: string; requested: number; available: number }>;
}

/** An order row as the projector writes it, as the driver gives it back. */
export interface OrderRow {
  order_id: string;
  checkout_id: string;
  buyer_id: string;
  shop_id: string;
  shop_name: string;
  seller_id: string;
  status: OrderStatus;
  payment_method: PaymentMethod;
  lines: OrderLine[];
  items_total: number;
  shipping_fee: number;
  total: number;
  shipping_address: ShippingAddress | null;
  note: string | null;
  reserved_product_ids: string[];
  refusals: StockRefusal[];
  status_reason: string | null;
  cancellation_cause: CancellationCause | null;
  shipping_note: string | null;
  payment_due_by: Date | null;
  placed_at: Date;
  reserved_at: Date | null;
  confirmed_at: Date | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
  closed_at: Date | null;
  updated_at: Date;
  revision: number;
}

export interface OrderSummary {
  id: string;
  checkoutId: string;
  buyerId: string;
  sellerId: string;
  shop: { id: string; name: string };
  status: OrderStatus;
  paymentMethod: PaymentMethod;
  /** Items bought, every line's quantity summed. */
  itemCount: number;
  /** The first line's product, for a list to show. */
  firstItem: { title: string; image: string | null };
  itemsTotal: Money;
  shippingFee: Money;
  total: Money;
  placedAt: string;
  updatedAt: string;
}

/** The columns a summary is made of, `o` the order: the lines stay in the database. */
export const SUMMARY_COLUMNS = `o.order_id, o.checkout_id, o.buyer_id, o.seller_id, o.shop_id, o.shop_name, o.status, o.payment_method,
  (select coalesce(sum((l->>'quantity')::int), 0) from jsonb_array_elements(o.lines) l)::int as item_count,
  o.lines->0->>'title' as first_title, o.lines->0->>'image' as first_image,
  o.items_total, o.shipping_fee, o.total, o.placed_at, o.updated_at`;

export interface SummaryRow {
  order_id: string;
  checkout_id: string;
  buyer_id: string;
  seller_id: string;
  shop_id: string;
  shop_name: string;
  status: OrderStatus;
  payment_method: PaymentMethod;
  item_count: number;
  first_title: string | null;
  first_image: string | null;
  items_total: number;
  shipping_fee: number;
  total: number;
  placed_at: Date;
  updated_at: Date;
}

export function summaryOf(row: SummaryRow): OrderSummary {
  return {
    id: row.order_id,
    checkoutId: row.checkout_id,
    buyerId: row.buyer_id,
    sellerId: row.seller_id,
    shop: { id: row.shop_id, name: row.shop_name },
    status: row.status,
    paymentMethod: row.payment_method,
    itemCount: row.item_count,
    firstItem: { title: row.first_title ?? '', image: row.first_image },
    itemsTotal: money(row.items_total),
    shippingFee: money(row.shipping_fee),
    total: money(row.total),
    placedAt: isoOf(row.placed_at),
    updatedAt: isoOf(row.updated_at),
  };
}
