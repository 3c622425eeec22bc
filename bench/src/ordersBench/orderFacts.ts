/**
 * What the orders bench reads from the database beside the API: how far the reservation process
 * has got (orders placed in the event store against their status in the orders read model), when
 * each step of a followed order was written (to split its time from checkout to reserved), and
 * the events by type at the end. For context only; the figures that meet goals come from the API.
 */
import { Client } from 'pg';

const EVENTS = 'event_store.events';
/** The projector runtime's and the messaging kit's tables (shared-kernel/src/projections/runtimeSchema.ts). */
const OUTBOX = 'bdbazar.outbox';
const INBOX = 'bdbazar.inbox';
const CHECKPOINTS = 'bdbazar.projector_checkpoints';
const GENERATIONS = 'bdbazar.projector_generations';
/** The orders read model's view of its live generation (query-api/src/orders/orderRows.ts). */
const ORDERS = 'orders.orders';

export interface Backlog {
  /** OrderPlaced events in the store. */
  placed: number;
  /** Orders in the read model, by status. */
  byStatus: Record<string, number>;
}

/** Orders placed in the store that the read model does not show as reserved (or otherwise past pending) yet. */
export function unsettled(backlog: Backlog): number {
  const settled = Object.entries(backlog.byStatus).reduce((sum, [status, count]) => (status === 'pending' ? sum : sum + count), 0);
  return backlog.placed - settled;
}

/** When each step of an order was written (ms since the epoch; the transaction's start, PostgreSQL's clock). */
export interface OrderSteps {
  /** The order service appended OrderPlaced (the checkout). */
  placed?: number;
  /** The product service appended the last StockReserved for it (one per product). */
  stockReserved?: number;
  /** The order service recorded the reservation: OrderStockReserved (online payment) or OrderConfirmed (cash on delivery). */
  orderReserved?: number;
}

export interface StoreSummary {
  events: number;
  eventsByType: Array<{ type: string; events: number }>;
  /** Integration events each consumer handled (its inbox rows). */
  messagesByConsumer: Array<{ consumer: string; messages: number }>;
  databaseBytes: number;
}

export class OrderFacts {
  private constructor(private readonly client: Client) {}

  static async open(databaseUrl: string): Promise<OrderFacts> {
    const client = new Client({ connectionString: databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    return new OrderFacts(client);
  }

  async backlog(): Promise<Backlog> {
    const { rows: placed } = await this.client.query<{ placed: string }>(`select count(*)::text as placed from ${EVENTS} where type = 'OrderPlaced'`);
    const { rows } = await this.client.query<{ status: string; orders: string }>(`select status, count(*)::text as orders from ${ORDERS} group by status`);
    return { placed: Number(placed[0]?.placed ?? 0), byStatus: Object.fromEntries(rows.map((row) => [row.status, Number(row.orders)])) };
  }

  /** Polls until every order placed reads as past pending; answers when that was (performance.now()) and the last backlog. */
  async waitUntilSettled(timeoutMs: number, intervalMs = 100): Promise<{ at: number; backlog: Backlog; polls: number }> {
    const deadline = performance.now() + timeoutMs;
    for (let polls = 1; ; polls++) {
      const backlog = await this.backlog();
      const at = performance.now();
      if (unsettled(backlog) <= 0) return { at, backlog, polls };
      if (at > deadline) throw new Error(`${unsettled(backlog)} orders were still pending ${timeoutMs / 1000} s on: ${JSON.stringify(backlog)}; ${await this.describe()}`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /**
   * Polls until nothing moves: the outbox empty, and neither the consumers' inboxes nor the event
   * store grew over `stillMs` (the order service's copies and the other consumers still working
   * through a backlog would slow the next phase). Answers how long that took.
   */
  async waitUntilQuiet(timeoutMs: number, stillMs = 300, intervalMs = 100): Promise<number> {
    const began = performance.now();
    let last = '';
    let stillSince = began;
    for (;;) {
      const { rows } = await this.client.query<{ outbox: string; inbox: string; head: string | null }>(
        `select (select count(*) from ${OUTBOX})::text as outbox, (select count(*) from ${INBOX})::text as inbox,
                (select last_value from pg_sequences where schemaname || '.' || sequencename = pg_get_serial_sequence($1, 'global_position')::text)::text as head`,
        [EVENTS],
      );
      const now = performance.now();
      const row = rows[0];
      const state = `${row?.inbox}/${row?.head}`;
      if (state !== last || row?.outbox !== '0') {
        last = state;
        stillSince = now;
      } else if (now - stillSince >= stillMs) {
        return now - began;
      }
      if (now - began > timeoutMs) throw new Error(`the marketplace was still busy ${timeoutMs / 1000} s on; ${await this.describe()}`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Where the process stands, for an error that says where it stuck: the outbox, each live projector's checkpoint, each consumer's inbox. */
  async describe(): Promise<string> {
    const { rows: outbox } = await this.client.query<{ rows: string; attempts: string | null; last_error: string | null }>(
      `select count(*)::text as rows, max(attempts)::text as attempts, max(last_error) as last_error from ${OUTBOX}`,
    );
    const { rows: projectors } = await this.client.query<{ projector: string; position: string | null; events_applied: string; state: string; error: unknown }>(
      `select c.projector, c.position, c.events_applied::text, c.state, c.error
         from ${CHECKPOINTS} c join ${GENERATIONS} g on g.projector = c.projector and g.live_generation = c.generation order by c.projector`,
    );
    const { rows: inbox } = await this.client.query<{ consumer: string; messages: string }>(`select consumer, count(*)::text as messages from ${INBOX} group by consumer order by consumer`);
    return `outbox ${JSON.stringify(outbox[0])}; projectors ${JSON.stringify(projectors)}; inboxes ${JSON.stringify(inbox)}`;
  }

  /** Transactions committed and rolled back in this database so far (pg_stat_database; each autocommit statement is one). */
  async transactions(): Promise<{ commits: number; rollbacks: number }> {
    const { rows } = await this.client.query<{ commits: string; rollbacks: string }>(
      'select xact_commit::text as commits, xact_rollback::text as rollbacks from pg_stat_database where datname = current_database()',
    );
    return { commits: Number(rows[0]?.commits ?? 0), rollbacks: Number(rows[0]?.rollbacks ?? 0) };
  }

  /** The steps of these orders as the event store has them (one scan of the events). */
  async steps(orderIds: readonly string[]): Promise<Map<string, OrderSteps>> {
    const { rows } = await this.client.query<{ order_id: string; type: string; at: number }>(
      `select data->>'orderId' as order_id, type, (extract(epoch from created_at) * 1000)::float8 as at
         from ${EVENTS}
        where type in ('OrderPlaced', 'StockReserved', 'OrderStockReserved', 'OrderConfirmed') and data->>'orderId' = any($1::text[])`,
      [orderIds],
    );
    const steps = new Map<string, OrderSteps>();
    for (const row of rows) {
      const order = steps.get(row.order_id) ?? {};
      const at = Number(row.at);
      switch (row.type) {
        case 'OrderPlaced':
          order.placed = at;
          break;
        case 'StockReserved':
          order.stockReserved = Math.max(order.stockReserved ?? 0, at);
          break;
        default:
          order.orderReserved = Math.min(order.orderReserved ?? Number.POSITIVE_INFINITY, at);
      }
      steps.set(row.order_id, order);
    }
    return steps;
  }

  async summary(): Promise<StoreSummary> {
    const { rows: byType } = await this.client.query<{ type: string; events: string }>(`select type, count(*)::text as events from ${EVENTS} group by type order by count(*) desc`);
    const { rows: size } = await this.client.query<{ bytes: string }>('select pg_database_size(current_database())::text as bytes');
    const { rows: byConsumer } = await this.client.query<{ consumer: string; messages: string }>(`select consumer, count(*)::text as messages from ${INBOX} group by consumer order by count(*) desc`);
    const eventsByType = byType.map((row) => ({ type: row.type, events: Number(row.events) }));
    return {
      events: eventsByType.reduce((sum, row) => sum + row.events, 0),
      eventsByType,
      messagesByConsumer: byConsumer.map((row) => ({ consumer: row.consumer, messages: Number(row.messages) })),
      databaseBytes: Number(size[0]?.bytes ?? 0),
    };
  }

  /** Checkpoints the server has started so far, on its clock or because of the WAL's volume. */
  async checkpointsSoFar(): Promise<number> {
    const { rows } = await this.client.query<{ checkpoints: string }>('select (checkpoints_timed + checkpoints_req)::text as checkpoints from pg_stat_bgwriter');
    return Number(rows[0]?.checkpoints ?? 0);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
