/**
 * Payment deadlines. Every order is placed with a `paymentDueBy`; one still pending (its stock
 * never confirmed) or awaiting payment when it passes is cancelled, and the cancellation has
 * the product service release its stock.
 *
 * The order service keeps the deadlines of open orders in its own table: a checkout schedules its
 * orders' deadlines once they are written, and an order confirmed, rejected or cancelled clears
 * its own. A timer looks for due ones every second. The order's decider has the last word
 * (ExpireOrder changes nothing for an order that has moved on), so a row left behind by a crash,
 * or a late or repeated look, is harmless; several processes may run the timer (`skip locked`
 * shares the due rows out).
 *
 * The order process consumer keeps checkouts whole: `order.CheckoutPlaced.v1` names its orders,
 * and any that is missing, with its deadline (the process stopped between the checkout and its
 * orders), is written then; an `order.OrderRejected.v1` rejects the other orders of its checkout
 * (placed whole or not at all).
 */
import { createLogger, createMicroBatcher, quoteIdentifier, startConsumer, type Consumer, type Database, type IntegrationEvent, type Logger, type Transport } from '@bdbazar/shared-kernel';
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

export interface PaymentDeadline {
  orderId: string;
  dueAt: string;
}

/**
 * The deadlines table, as the order service writes it. Calls made together (concurrent checkouts,
 * concurrent confirmations) share one statement: a micro-batch per tick, or while the previous
 * statement is in flight. Each call resolves once its rows are written, and rejects if its batch
 * failed.
 */
export interface PaymentDeadlines {
  /** Idempotent: a deadline already there stays as it is. A durable commit: no order is left without its deadline. */
  schedule(deadlines: ReadonlyArray<PaymentDeadline>): Promise<void>;
  clear(orderId: string): Promise<void>;
}

export function paymentDeadlinesTable(db: Database, schema: string): PaymentDeadlines {
  const s = quoteIdentifier(schema);
  const scheduling = createMicroBatcher<ReadonlyArray<PaymentDeadline>, void>({
    maxBatchSize: 500,
    flush: async (calls) => {
      // In call order, so that of two calls for one order the first one's deadline stays, as it would one by one.
      const rows = calls.flat().map((d) => ({ order_id: d.orderId, due_at: d.dueAt }));
      await db.knex.raw(
        `insert into ${s}.payment_deadlines (order_id, due_at) select d.order_id, d.due_at from jsonb_to_recordset(?::jsonb) as d(order_id uuid, due_at timestamptz) on conflict do nothing`,
        [JSON.stringify(rows)],
      );
      return calls.map(() => undefined);
    },
  });
  // A clear may commit without waiting for the WAL flush. A clear lost in a crash leaves the row
  // of an order that is confirmed or has ended; at its deadline the timer runs ExpireOrder on it,
  // which decides nothing for an order no longer pending or awaiting payment (orderDecider.ts;
  // its unit spec covers confirmed, shipped, delivered, rejected and cancelled), and clears the
  // row again. The CTE is evaluated whenever a row is deleted (every deleted row is
  // joined with it); a statement that deletes nothing has no commit record to wait for.
  const clearing = createMicroBatcher<string, void>({
    maxBatchSize: 1_000,
    flush: async (orderIds) => {
      await db.knex.raw(
        `with config as materialized (select set_config('synchronous_commit', 'off', true))
         delete from ${s}.payment_deadlines using config where order_id = any(?::uuid[])`,
        [[...orderIds]],
      );
      return orderIds.map(() => undefined);
    },
  });
  return {
    async schedule(deadlines) {
      if (deadlines.length === 0) return;
      await scheduling.add(deadlines);
    },
    clear: (orderId) => clearing.add(orderId),
  };
}

export async function handleOrderProcessEvent(orders: Pick<OrderService, 'ensureCheckoutComplete' | 'rejectCheckout'>, event: IntegrationEvent): Promise<void> {
  const data = event.data as Record<string, unknown>;
  if (event.type === 'order.CheckoutPlaced.v1') await orders.ensureCheckoutComplete(data['checkoutId'] as string, contextOf(event));
  if (event.type === 'order.OrderRejected.v1') await orders.rejectCheckout(data['checkoutId'] as string, data['orderId'] as string, data['reason'] as string, contextOf(event));
}

export function startOrderProcessConsumer(options: { db: Database; transport: Transport; orders: OrderService; inboxRetentionDays?: number; logger?: Logger }): Promise<Consumer> {
  return startConsumer({
    name: ORDER_PROCESS_CONSUMER,
    routingKeys: ['order.CheckoutPlaced.v1', 'order.OrderRejected.v1'],
    db: options.db,
    transport: options.transport,
    inboxRetentionDays: options.inboxRetentionDays,
    prefetch: 20,
    // Every step is an aggregate's decision, idempotent by itself: none holds a transaction.
    idempotentHandler: (event) => handleOrderProcessEvent(options.orders, event),
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
  deadlines: PaymentDeadlines;
  clock?: () => Date;
  intervalMs?: number;
  logger?: Logger;
}): DeadlineTimer {
  const s = quoteIdentifier(options.schema);
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? createLogger({ name: 'bdbazar.order.deadlines' });
  const intervalMs = options.intervalMs ?? 1_000;
  let running: Promise<number> | null = null;

  // Due rows are claimed by moving them a minute on (one short statement, `skip locked` between
  // timers), then expired outside any transaction: expiring clears the row, and a failure leaves
  // it to be tried again a minute later.
  const look = async (): Promise<number> => {
    const now = clock();
    const claimed = (await options.db.knex.raw(
      `update ${s}.payment_deadlines set due_at = ? where order_id in (
         select order_id from ${s}.payment_deadlines where due_at <= ? order by due_at limit 100 for update skip locked
       ) returning order_id`,
      [new Date(now.getTime() + 60_000).toISOString(), now.toISOString()],
    )) as { rows: Array<{ order_id: string }> };
    for (const { order_id: orderId } of claimed.rows) {
      try {
        await options.orders.expireOrder(orderId, { correlationId: orderId, causationId: `payment-deadline:${orderId}`, actor: SYSTEM_ACTOR });
        // Cancelled now, or it had moved on without its row being cleared (a crash): done either way.
        await options.deadlines.clear(orderId);
      } catch (error) {
        logger.error({ err: error, orderId }, 'could not expire an order past its payment deadline; trying again in a minute');
      }
    }
    return claimed.rows.length;
  };

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
