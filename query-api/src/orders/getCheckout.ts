/**
 * GET /v1/checkouts/{checkoutId}: what one "place order" made: an order per shop, each with
 * where it stands now, and the totals the buyer pays. For the buyer and admins; to anyone else it
 * does not exist. An order the checkout made but whose own record is not written yet is pending.
 */
import { NotFoundError } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { isoOf, money, ORDERS, type Money, type OrderStatus, type PaymentMethod, type Viewer } from './orderRows';

export interface CheckoutOrderView {
  id: string;
  shop: { id: string; name: string };
  sellerId: string;
  status: OrderStatus;
  itemsTotal: Money;
  shippingFee: Money;
  total: Money;
}

export interface CheckoutView {
  id: string;
  buyerId: string;
  paymentMethod: PaymentMethod;
  source: 'cart' | 'lines';
  orders: CheckoutOrderView[];
  itemsTotal: Money;
  shippingFee: Money;
  total: Money;
  paymentDueBy: string;
  placedAt: string;
  revision: number;
}

interface CheckoutRow {
  checkout_id: string;
  buyer_id: string;
  payment_method: PaymentMethod;
  source: 'cart' | 'lines';
  orders: Array<{ orderId: string; shopId: string; shopName: string; sellerId: string; itemsTotal: number; shippingFee: number; total: number }>;
  items_total: number;
  shipping_fee: number;
  total: number;
  payment_due_by: Date;
  placed_at: Date;
  revision: number;
}

export async function getCheckout(knex: Knex, id: string, viewer: Viewer): Promise<CheckoutView> {
  const row = await knex<CheckoutRow>(ORDERS.checkouts).where({ checkout_id: id }).first();
  if (!row || (viewer.role !== 'admin' && viewer.userId !== row.buyer_id)) throw new NotFoundError(`There is no checkout ${id}.`, { id });
  const statuses = new Map<string, OrderStatus>(
    (await knex(ORDERS.orders).where({ checkout_id: id }).select('order_id', 'status')).map((r: { order_id: string; status: OrderStatus }) => [r.order_id, r.status]),
  );
  return {
    id: row.checkout_id,
    buyerId: row.buyer_id,
    paymentMethod: row.payment_method,
    source: row.source,
    orders: row.orders.map((o) => ({
      id: o.orderId,
      shop: { id: o.shopId, name: o.shopName },
      sellerId: o.sellerId,
      status: statuses.get(o.orderId) ?? 'pending',
      itemsTotal: money(o.itemsTotal),
      shippingFee: money(o.shippingFee),
      total: money(o.total),
    })),
    itemsTotal: money(row.items_total),
    shippingFee: money(row.shipping_fee),
    total: money(row.total),
    paymentDueBy: isoOf(row.payment_due_by),
    placedAt: isoOf(row.placed_at),
    revision: row.revision,
  };
}
