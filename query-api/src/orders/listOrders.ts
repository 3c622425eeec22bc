/**
 * GET /v1/users/{userId}/orders (a buyer's history) and GET /v1/vendors/{vendorId}/orders (a
 * seller's orders across their shops): newest first, filtered by status, by when placed and (a
 * seller's) by shop, a page at a time. The routes check who asks.
 */
import type { Knex } from 'knex';
import { cursorTag, makeCursor, readCursor } from '../catalog/catalogCursor';
import { isoOf, ORDERS, orderPageSize, summaryOf, SUMMARY_COLUMNS, type OrderStatus, type OrderSummary, type SummaryRow } from './orderRows';
import { placedRange } from './placedRange';

export interface OrderListQuery {
  statuses?: OrderStatus[];
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface OrderPage {
  items: OrderSummary[];
  nextCursor: string | null;
}

export async function listBuyerOrders(knex: Knex, buyerId: string, query: OrderListQuery): Promise<OrderPage> {
  return page(knex, 'buyer-orders', { buyer_id: buyerId }, query);
}

export async function listVendorOrders(knex: Knex, sellerId: string, query: OrderListQuery & { shopId?: string }): Promise<OrderPage> {
  return page(knex, 'vendor-orders', query.shopId === undefined ? { seller_id: sellerId } : { seller_id: sellerId, shop_id: query.shopId }, query);
}

async function page(knex: Knex, list: string, owner: Record<string, string>, query: OrderListQuery): Promise<OrderPage> {
  const limit = orderPageSize(query.limit);
  const statuses = query.statuses === undefined ? undefined : [...new Set(query.statuses)].sort();
  const range = placedRange(query.from, query.to);
  // A cursor belongs to its list and filters: another one's is refused, not followed into the wrong place.
  const tag = cursorTag(list, { ...owner, statuses, from: range.from, to: range.to });
  const after = readCursor(query.cursor, tag, ['timestamp', 'uuid']);
  const rows: SummaryRow[] = await knex(`${ORDERS.orders} as o`)
    .modify((q) => {
      for (const [column, value] of Object.entries(owner)) q.where(`o.${column}`, value);
      if (statuses !== undefined) q.whereIn('o.status', statuses);
      if (range.from !== undefined) q.where('o.placed_at', '>=', range.from);
      if (range.to !== undefined) q.where('o.placed_at', range.toIncluded ? '<=' : '<', range.to);
      if (after) q.whereRaw('(o.placed_at, o.order_id) < (?::timestamptz, ?::uuid)', after);
    })
    .orderBy([
      { column: 'o.placed_at', order: 'desc' },
      { column: 'o.order_id', order: 'desc' },
    ])
    .limit(limit + 1)
    .select(knex.raw(SUMMARY_COLUMNS));
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(summaryOf),
    nextCursor: rows.length > limit && last ? makeCursor(tag, [isoOf(last.placed_at), last.order_id]) : null,
  };
}
