/**
 * The orders read models: every order as its buyer, its seller and admins see it (status, lines,
 * totals, the address it goes to, when each step happened), and every checkout with the orders
 * it made, for a buyer's history, a seller's order list and the checkout summary. Integration
 * events tell the other services what happened to a checkout or an order (integrationEvents.ts).
 *
 * A batch is applied with a few set-based statements, whatever its size: checkouts (one insert),
 * orders (the batch's events folded per order in memory, then one upsert), then the erasure of
 * deleted accounts' addresses (one update). Every row keeps the revision of its stream's last
 * applied event, so a replay changes nothing.
 */
import { defineProjector, type ProjectionBatch } from '@bdbazar/shared-kernel';
import { applyCheckoutEvents } from './checkouts';
import { orderIntegrationEvents } from './integrationEvents';
import { partitionEvents } from './orderEvents';
import { applyOrderEvents, eraseBuyers } from './orders';

export const ORDERS_PROJECTOR = 'orders';

async function apply({ trx, schema, events }: ProjectionBatch): Promise<void> {
  const batch = partitionEvents(events);
  await applyCheckoutEvents(trx, schema, batch.checkouts);
  await applyOrderEvents(trx, schema, batch.orders);
  await eraseBuyers(trx, schema, batch.erasures);
}

export const ordersProjector = defineProjector({
  name: ORDERS_PROJECTOR,
  version: 1,
  // Accounts for AccountDeleted only: an erased buyer's orders must not keep their address here.
  filter: { streamCategories: ['order', 'checkout', 'account'] },
  migrations: {
    '0001_orders': async (knex, schema) => {
      const s = `"${schema}"`;
      const statements = [
        `create table ${s}.orders (
          order_id uuid primary key,
          checkout_id uuid not null,
          buyer_id uuid not null,
          shop_id uuid not null,
          shop_name text not null,
          seller_id uuid not null,
          status text not null,
          payment_method text not null,
          lines jsonb not null,
          items_total bigint not null,
          shipping_fee bigint not null,
          total bigint not null,
          shipping_address jsonb,
          note text,
          reserved_product_ids jsonb not null,
          refusals jsonb not null,
          status_reason text,
          cancellation_cause text,
          shipping_note text,
          payment_due_by timestamptz,
          placed_at timestamptz not null,
          reserved_at timestamptz,
          confirmed_at timestamptz,
          shipped_at timestamptz,
          delivered_at timestamptz,
          closed_at timestamptz,
          updated_at timestamptz not null,
          revision integer not null
        )`,
        `create table ${s}.checkouts (
          checkout_id uuid primary key,
          buyer_id uuid not null,
          payment_method text not null,
          source text not null,
          order_ids jsonb not null,
          orders jsonb not null,
          items_total bigint not null,
          shipping_fee bigint not null,
          total bigint not null,
          payment_due_by timestamptz not null,
          placed_at timestamptz not null,
          revision integer not null
        )`,
        // The projector itself needs this one (an erased buyer's orders); the buyer's history reads it too.
        `create index orders_buyer on ${s}.orders (buyer_id, placed_at desc, order_id desc)`,
      ];
      for (const statement of statements) await knex.raw(statement);
    },
  },
  indexes: async (knex, schema) => {
    const s = `"${schema}"`;
    // A seller's orders across their shops, newest first; by status (the orders to ship), by shop.
    await knex.raw(`create index if not exists orders_seller on ${s}.orders (seller_id, placed_at desc, order_id desc)`);
    await knex.raw(`create index if not exists orders_seller_status on ${s}.orders (seller_id, status, placed_at desc, order_id desc)`);
    await knex.raw(`create index if not exists orders_shop on ${s}.orders (shop_id, placed_at desc, order_id desc)`);
    // A buyer's history by status; the orders of a checkout.
    await knex.raw(`create index if not exists orders_buyer_status on ${s}.orders (buyer_id, status, placed_at desc, order_id desc)`);
    await knex.raw(`create index if not exists orders_checkout on ${s}.orders (checkout_id)`);
    await knex.raw(`analyze ${s}.orders`);
  },
  apply,
  integrationEvents: orderIntegrationEvents,
});
