/**
 * The orders' rows: a pure fold of an order's events (`evolveOrderRow`), and the set-based SQL
 * that applies a batch: one select of the rows the batch continues (none for orders it places),
 * the fold in memory, one multi-row upsert that never takes a row back to an older revision.
 * A deleted account's orders lose their shipping address in one statement.
 */
import type { Knex } from 'knex';
import type { AccountDeletedEvent, CancellationCause, OrderEvent, OrderLine, OrderStatus, PaymentMethod, Recorded, ShippingAddress, StockRefusal } from './orderEvents';

/** An order as the read model keeps it: money in poisha, times as ISO strings. */
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
  /** null once the buyer was forgotten. */
  shipping_address: ShippingAddress | null;
  note: string | null;
  /** The products that hold their lines, in the order they answered. */
  reserved_product_ids: string[];
  /** Why products refused their stock (a rejected order); empty otherwise. */
  refusals: StockRefusal[];
  /** Why the order was rejected or cancelled. */
  status_reason: string | null;
  cancellation_cause: CancellationCause | null;
  /** What the seller noted when shipping (courier, tracking number). */
  shipping_note: string | null;
  payment_due_by: string | null;
  placed_at: string;
  reserved_at: string | null;
  confirmed_at: string | null;
  shipped_at: string | null;
  delivered_at: string | null;
  /** When it was rejected or cancelled. */
  closed_at: string | null;
  updated_at: string;
  revision: number;
}

/**
 * The order after one event at `revision`; null while it has not been placed. Pure. The caller
 * skips events the row already reflects (revision at or below the row's).
 */
export function evolveOrderRow(row: OrderRow | null, event: OrderEvent, revision: number): OrderRow | null {
  if (event.type === 'OrderPlaced') {
    const d = event.data;
    return {
      order_id: d.orderId,
      checkout_id: d.checkoutId,
      buyer_id: d.buyerId,
      shop_id: d.shopId,
      shop_name: d.shopName,
      seller_id: d.sellerId,
      status: 'pending',
      payment_method: d.paymentMethod,
      lines: d.lines,
      items_total: d.itemsTotal.amount,
      shipping_fee: d.shippingFee.amount,
      total: d.total.amount,
      shipping_address: d.shippingAddress ?? null,
      note: d.note,
      reserved_product_ids: [],
      refusals: [],
      status_reason: null,
      cancellation_cause: null,
      shipping_note: null,
      payment_due_by: d.paymentDueBy,
      placed_at: d.placedAt,
      reserved_at: null,
      confirmed_at: null,
      shipped_at: null,
      delivered_at: null,
      closed_at: null,
      updated_at: d.placedAt,
      revision,
    };
  }
  if (!row) return null;
  const next = (changes: Partial<OrderRow>, at: string): OrderRow => ({ ...row, ...changes, updated_at: at, revision });
  switch (event.type) {
    case 'OrderProductReserved': {
      const { productId, reservedAt } = event.data;
      const reserved = row.reserved_product_ids.includes(productId) ? row.reserved_product_ids : [...row.reserved_product_ids, productId];
      return next({ reserved_product_ids: reserved }, reservedAt);
    }
    case 'OrderStockReserved':
      // Cash on delivery has no payment deadline from here on (null); the confirmation follows.
      return next({ status: 'awaiting_payment', reserved_at: event.data.reservedAt, payment_due_by: event.data.paymentDueBy }, event.data.reservedAt);
    case 'OrderConfirmed':
      return next({ status: 'confirmed', confirmed_at: event.data.confirmedAt }, event.data.confirmedAt);
    case 'OrderRejected':
      return next({ status: 'rejected', status_reason: event.data.reason, refusals: event.data.refusals, closed_at: event.data.rejectedAt }, event.data.rejectedAt);
    case 'OrderCancelled':
      return next(
        { status: 'cancelled', status_reason: event.data.reason, cancellation_cause: event.data.cause, closed_at: event.data.cancelledAt },
        event.data.cancelledAt,
      );
    case 'OrderShipped':
      return next({ status: 'shipped', shipping_note: event.data.note, shipped_at: event.data.shippedAt }, event.data.shippedAt);
    case 'OrderDelivered':
      return next({ status: 'delivered', delivered_at: event.data.deliveredAt }, event.data.deliveredAt);
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** Every column, with the type json_to_recordset reads it as; the upsert writes them all. */
const COLUMNS = [
  'order_id uuid',
  'checkout_id uuid',
  'buyer_id uuid',
  'shop_id uuid',
  'shop_name text',
  'seller_id uuid',
  'status text',
  'payment_method text',
  'lines jsonb',
  'items_total bigint',
  'shipping_fee bigint',
  'total bigint',
  'shipping_address jsonb',
  'note text',
  'reserved_product_ids jsonb',
  'refusals jsonb',
  'status_reason text',
  'cancellation_cause text',
  'shipping_note text',
  'payment_due_by timestamptz',
  'placed_at timestamptz',
  'reserved_at timestamptz',
  'confirmed_at timestamptz',
  'shipped_at timestamptz',
  'delivered_at timestamptz',
  'closed_at timestamptz',
  'updated_at timestamptz',
  'revision integer',
] as const;
export const ORDER_COLUMNS = COLUMNS.map((c) => c.split(' ')[0]!);
const TIMESTAMPS = COLUMNS.filter((c) => c.endsWith('timestamptz')).map((c) => c.split(' ')[0]!);
const MONEY = ['items_total', 'shipping_fee', 'total'];

/** A row as the driver gives it back (timestamps as Date, bigint as string), as the fold keeps it. */
export function orderRowOf(loaded: Record<string, unknown>): OrderRow {
  const row: Record<string, unknown> = { ...loaded };
  for (const column of TIMESTAMPS) {
    const value = row[column];
    if (value instanceof Date) row[column] = value.toISOString();
  }
  for (const column of MONEY) row[column] = Number(row[column]);
  return row as unknown as OrderRow;
}

export async function applyOrderEvents(trx: Knex.Transaction, schema: string, events: Array<Recorded<OrderEvent>>): Promise<void> {
  if (events.length === 0) return;
  // An order whose batch starts at its placing is folded from nothing: no need to read its row
  // (the upsert below keeps a row that is further on, should this be a replay).
  const fromPlacing = new Map<string, boolean>();
  for (const { event, revision } of events) {
    if (!fromPlacing.has(event.data.orderId)) fromPlacing.set(event.data.orderId, event.type === 'OrderPlaced' && revision === 0);
  }
  const toLoad = [...fromPlacing].filter(([, placed]) => !placed).map(([orderId]) => orderId);
  const rows = new Map<string, OrderRow | null>();
  if (toLoad.length > 0) {
    const loaded = await trx.raw<{ rows: Array<Record<string, unknown>> }>(`select ${ORDER_COLUMNS.join(', ')} from "${schema}".orders where order_id = any(?::uuid[])`, [toLoad]);
    for (const row of loaded.rows) rows.set(row['order_id'] as string, orderRowOf(row));
  }
  const changed = new Set<string>();
  for (const { event, revision } of events) {
    const orderId = event.data.orderId;
    const row = rows.get(orderId) ?? null;
    // An event the row already reflects (a replay) changes nothing.
    if (row && revision <= row.revision) continue;
    const next = evolveOrderRow(row, event, revision);
    if (next === row) continue;
    rows.set(orderId, next);
    changed.add(orderId);
  }
  const records = [...changed].map((orderId) => rows.get(orderId)).filter((row): row is OrderRow => row !== null && row !== undefined);
  if (records.length === 0) return;
  await trx.raw(
    `insert into "${schema}".orders as o (${ORDER_COLUMNS.join(', ')})
     select ${ORDER_COLUMNS.map((c) => `r.${c}`).join(', ')} from json_to_recordset(?::json) as r(${COLUMNS.join(', ')})
     on conflict (order_id) do update set ${ORDER_COLUMNS.filter((c) => c !== 'order_id')
       .map((c) => `${c} = excluded.${c}`)
       .join(', ')}
     where o.revision < excluded.revision`,
    [JSON.stringify(records)],
  );
}

/** A deleted account's orders keep everything but the address they were sent to (a replay finds nothing left to erase). */
export async function eraseBuyers(trx: Knex.Transaction, schema: string, events: Array<Recorded<AccountDeletedEvent>>): Promise<void> {
  if (events.length === 0) return;
  const buyerIds = [...new Set(events.map(({ event }) => event.data.accountId))];
  await trx.raw(`update "${schema}".orders set shipping_address = null where buyer_id = any(?::uuid[]) and shipping_address is not null`, [buyerIds]);
}
