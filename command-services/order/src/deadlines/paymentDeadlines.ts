/**
 * Payment deadlines. Every order is placed with a `paymentDueBy`; one still pending (its stock
 * never confirmed) or awaiting payment when it passes is cancelled, and the cancellation has
 * the product service release its stock.
 *
 * The order service keeps the deadlines of open orders in its own table, from its own
 * integration events: `order.OrderPlaced.v1` adds one, an order confirmed, rejected or cancelled
 * takes it away. A timer looks for due ones every second. The order's decider has the last word
 * (ExpireOrder changes nothing for an order that has moved on), so a late or repeated look is
 * harmless, and several processes may run the timer (`skip locked` shares the due rows out).
 *
 * The same consumer also keeps checkouts whole: `order.CheckoutPlaced.v1` names its orders, and
 * any that is missing (the process stopped between the checkout and its orders) is written then;
 * an `order.OrderRejected.v1` rejects the other orders of its checkout (placed whole or not at all).
 */
import { createLogger, quoteIdentifier, startConsumer, type Consumer, type Database, type IntegrationEvent, type Logger, type Transport } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import type { OrderService } from '../orderService';
import { contextOf, SYSTEM_ACTOR } from '../reservationSaga/reservationSaga';

export const ORDER_PROCESS_CONSUMER = 'order-service.order-process';

export async function migratePaymentDeadlines(knex: Knex, schema: string): Promise<void> {
  const s = quoteIdentifier(schema);
  await knex.raw(`create schema if not exists ${s}`);
  await knex.raw(`create table if not exists ${s}.payment_deadlines (order_id uuid primary key, due_at timestamptz not null)`);
  await knex.raw(`create index if not exists payment_deadlines_due on ${s}.payment_deadlines (due_at)`);
}

const ENDED = new Set(['order.OrderConfirmed.v1', 'order.OrderRejected.v1', 'order.OrderCancelled.v1']);

export async function handleOrderProcessEvent(
  knex: Knex,
  schema: string,
  orders: Pick<OrderService, 'completeCheckout' | 'loadOrder' | 'rejectCheckout'>,
  event: IntegrationEvent,
): Promise<void> {
  const s = quoteIdentifier(schema);
  const data = event.data as Record<string, Knex.Value>;
  const v = (key: string): Knex.Value => data[key] ?? null;
  if (event.type === 'order.CheckoutPlaced.v1') {
    const orderIds = (v('orderIds') as unknown as string[] | undefined) ?? [];
    const states = await Promise.all(orderIds.map((orderId) => orders.loadOrder(orderId)));
    if (states.some(({ state }) => state.status === 'none')) await orders.completeCheckout(v('checkoutId') as string, contextOf(event));
    return;
  }
  if (event.type === 'order.OrderPlaced.v1') {
    await knex.raw(`insert into ${s}.payment_deadlines (order_id, due_at) values (?, ?) on conflict do nothing`, [v('orderId'), v('paymentDueBy')]);
    return;
  }
  if (event.type === 'order.OrderRejected.v1') await orders.rejectCheckout(v('checkoutId') as string, v('orderId') as string, v('reason') as string, contextOf(event));
  if (ENDED.has(event.type)) await knex.raw(`delete from ${s}.payment_deadlines where order_id = ?`, [v('orderId')]);
}

export function startOrderProcessConsumer(options: { db: Database; schema: string; transport: Transport; orders: OrderService; logger?: Logger }): Promise<Consumer> {
  return startConsumer({
    name: ORDER_PROCESS_CONSUMER,
    routingKeys: ['order.CheckoutPlaced.v1', 'order.OrderPlaced.v1', ...ENDED],
    db: options.db,
    transport: options.transport,
    prefetch: 20,
    // Every step is idempotent (an aggregate's decision, an upsert, a delete), so none holds a transaction.
    idempotentHandler: (event) => handleOrderProcessEvent(options.db.knex, options.schema, options.orders, event),
    logger: options.logger,
  });
}

export interface DeadlineTimer {
  /** Looks for due deadlines now; resolves with how many orders it looked at. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

export function startDeadlineTimer(options: {
  db: Database;
  schema: string;
  orders: Pick<OrderService, 'expireOrder'>;
  clock?: () => Date;
  intervalMs?: number;
  logger?: Logger;
}): DeadlineTimer {
  const s = quoteIdentifier(options.schema);
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? createLogger({ name: 'bdbazar.order.deadlines' });
  const intervalMs = options.intervalMs ?? 1_000;
  let running: Promise<number> | null = null;

  const look = async (): Promise<number> =>
    options.db.knex.transaction(async (trx) => {
      const now = clock();
      const due = (await trx.raw(`select order_id from ${s}.payment_deadlines where due_at <= ? order by due_at limit 100 for update skip locked`, [now.toISOString()])) as {
        rows: Array<{ order_id: string }>;
      };
      for (const { order_id: orderId } of due.rows) {
        try {
          await options.orders.expireOrder(orderId, { correlationId: orderId, causationId: `payment-deadline:${orderId}`, actor: SYSTEM_ACTOR });
          await trx.raw(`delete from ${s}.payment_deadlines where order_id = ?`, [orderId]);
        } catch (error) {
          // Look again in a minute rather than on every tick.
          logger.error({ err: error, orderId }, 'could not expire an order past its payment deadline');
          await trx.raw(`update ${s}.payment_deadlines set due_at = ? where order_id = ?`, [new Date(now.getTime() + 60_000).toISOString(), orderId]);
        }
      }
      return due.rows.length;
    });

  const tick = (): Promise<number> => {
    running ??= look().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    tick().catch((error: unknown) => logger.error({ err: error }, 'the payment deadline timer failed; it tries again'));
  }, intervalMs);
  timer.unref();
  return {
    tick,
    stop: async () => {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
