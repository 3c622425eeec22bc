/**
 * The checkouts' rows: one per checkout, written once from its only event (CheckoutPlaced), with
 * what each of its orders was when placed, so that the checkout summary can show every order
 * even before the order's own stream is written. One multi-row insert per batch.
 */
import type { Knex } from 'knex';
import type { CheckoutEvent, PaymentMethod, Recorded } from './orderEvents';

/** An order as its checkout placed it (the order's row has where it stands now). */
export interface CheckoutOrderEntry {
  orderId: string;
  shopId: string;
  shopName: string;
  sellerId: string;
  itemsTotal: number;
  shippingFee: number;
  total: number;
}

export interface CheckoutRow {
  checkout_id: string;
  buyer_id: string;
  payment_method: PaymentMethod;
  source: 'cart' | 'lines';
  order_ids: string[];
  orders: CheckoutOrderEntry[];
  items_total: number;
  shipping_fee: number;
  total: number;
  payment_due_by: string;
  placed_at: string;
  revision: number;
}

/** The checkout's row. Pure. */
export function checkoutRowOf(event: CheckoutEvent, revision: number): CheckoutRow {
  const d = event.data;
  return {
    checkout_id: d.checkoutId,
    buyer_id: d.buyerId,
    payment_method: d.paymentMethod,
    source: d.source,
    order_ids: d.orders.map((o) => o.orderId),
    orders: d.orders.map((o) => ({
      orderId: o.orderId,
      shopId: o.shopId,
      shopName: o.shopName,
      sellerId: o.sellerId,
      itemsTotal: o.itemsTotal.amount,
      shippingFee: o.shippingFee.amount,
      total: o.total.amount,
    })),
    items_total: d.itemsTotal.amount,
    shipping_fee: d.shippingFee.amount,
    total: d.total.amount,
    payment_due_by: d.paymentDueBy,
    placed_at: d.placedAt,
    revision,
  };
}

const COLUMNS = [
  'checkout_id uuid',
  'buyer_id uuid',
  'payment_method text',
  'source text',
  'order_ids jsonb',
  'orders jsonb',
  'items_total bigint',
  'shipping_fee bigint',
  'total bigint',
  'payment_due_by timestamptz',
  'placed_at timestamptz',
  'revision integer',
] as const;
export const CHECKOUT_COLUMNS = COLUMNS.map((c) => c.split(' ')[0]!);

export async function applyCheckoutEvents(trx: Knex.Transaction, schema: string, events: Array<Recorded<CheckoutEvent>>): Promise<void> {
  if (events.length === 0) return;
  // A checkout stream has one event (appended expecting no stream): a replay finds its row there already.
  const rows = new Map(events.map(({ event, revision }) => [event.data.checkoutId, checkoutRowOf(event, revision)]));
  await trx.raw(
    `insert into "${schema}".checkouts (${CHECKOUT_COLUMNS.join(', ')})
     select ${CHECKOUT_COLUMNS.map((c) => `r.${c}`).join(', ')} from json_to_recordset(?::json) as r(${COLUMNS.join(', ')})
     on conflict (checkout_id) do nothing`,
    [JSON.stringify([...rows.values()])],
  );
}
