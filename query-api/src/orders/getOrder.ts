/**
 * GET /v1/orders/{id}: an order whole: its lines at the prices of the checkout, totals, where it
 * goes (null once the buyer's account was deleted), where it stands and when each step happened.
 * For its buyer, its shop's seller and admins; to anyone else it does not exist.
 */
import { NotFoundError, type RowLoader } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { rowsByKey } from '../rowsByKey';
import {
  isoOf,
  isoOrNull,
  maySeeOrder,
  money,
  ORDERS,
  type CancellationCause,
  type Money,
  type OrderLine,
  type OrderRow,
  type OrderStatus,
  type PaymentMethod,
  type ShippingAddress,
  type StockRefusal,
  type Viewer,
} from './orderRows';

export interface OrderView {
  id: string;
  checkoutId: string;
  buyerId: string;
  sellerId: string;
  shop: { id: string; name: string };
  status: OrderStatus;
  paymentMethod: PaymentMethod;
  lines: OrderLine[];
  itemsTotal: Money;
  shippingFee: Money;
  total: Money;
  shippingAddress: ShippingAddress | null;
  note: string | null;
  paymentDueBy: string | null;
  reservedProductIds: string[];
  statusReason: string | null;
  cancellationCause: CancellationCause | null;
  refusals: StockRefusal[];
  shippingNote: string | null;
  placedAt: string;
  reservedAt: string | null;
  confirmedAt: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  closedAt: string | null;
  updatedAt: string;
  revision: number;
}

/** Orders by id (a buyer's app polls its new order). */
export const orderLoader = (knex: Knex): RowLoader<string, OrderRow> => rowsByKey<OrderRow, 'order_id'>(knex, ORDERS.orders, 'order_id');

export async function getOrder(loadOrder: RowLoader<string, OrderRow>, id: string, viewer: Viewer): Promise<OrderView> {
  const row = await loadOrder(id);
  if (!row || !maySeeOrder(viewer, row)) throw new NotFoundError(`There is no order ${id}.`, { id });
  return {
    id: row.order_id,
    checkoutId: row.checkout_id,
    buyerId: row.buyer_id,
    sellerId: row.seller_id,
    shop: { id: row.shop_id, name: row.shop_name },
    status: row.status,
    paymentMethod: row.payment_method,
    lines: row.lines,
    itemsTotal: money(row.items_total),
    shippingFee: money(row.shipping_fee),
    total: money(row.total),
    shippingAddress: row.shipping_address,
    note: row.note,
    paymentDueBy: isoOrNull(row.payment_due_by),
    reservedProductIds: row.reserved_product_ids,
    statusReason: row.status_reason,
    cancellationCause: row.cancellation_cause,
    refusals: row.refusals,
    shippingNote: row.shipping_note,
    placedAt: isoOf(row.placed_at),
    reservedAt: isoOrNull(row.reserved_at),
    confirmedAt: isoOrNull(row.confirmed_at),
    shippedAt: isoOrNull(row.shipped_at),
    deliveredAt: isoOrNull(row.delivered_at),
    closedAt: isoOrNull(row.closed_at),
    updatedAt: isoOf(row.updated_at),
    revision: row.revision,
  };
}
