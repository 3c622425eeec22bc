/**
 * The outbox relay: publishes the rows projectors wrote to `<schema>.outbox`, oldest first, and
 * deletes a row only after the bus confirmed its message. Nothing is ever dropped:
 *
 * - when the way to the bus fails (connection lost, timeout), the batch's rows get `attempts + 1`
 *   and `last_error`, and the relay backs off before trying again;
 * - when a message itself is refused (unroutable, nacked), its row is marked the same way and held
 *   back with its own growing delay, so that one such row does not stop the rows behind it.
 *
 * The rows a publish confirmed are deleted by the statement that reads the next batch (one round
 * trip a batch, not two), and by one of their own when the relay stops or stands down.
 *
 * Rows are read from the head of the outbox each time, never from a remembered id: ids come from
 * a sequence, which does not follow commit order, so a row committed late with a lower id would
 * be skipped by a cursor.
 *
 * With a shared PostgreSQL database one relay per outbox is active: the holder of a lease (a
 * session advisory lock on a connection kept for it, see projections/lease.ts); the others wait
 * as standbys and retry. With PGlite (one process) the lease is only kept in memory. If the
 * lease's connection fails, the server frees the lock and a standby takes over while this relay
 * becomes a standby; overlapping for a moment only publishes some messages twice, which the
 * consumers' inbox absorbs.
 *
 * The relay wakes every `pollIntervalMs`, or at once when `notify()` is called after outbox rows
 * were committed: low latency without polling hard.
 */
import type { Database } from '../database/database';
import { quoteIdentifier } from '../database/database';
import { tryAcquireLease, type Lease } from '../projections/lease';
import { DEFAULT_RUNTIME_SCHEMA } from '../projections/runtimeSchema';
import { Backoff, delayFor, Signal, type BackoffOptions } from './backoff';
import { errorMessage, isMessageFailure, PublishError, type PublishFailureReason } from './errors';
import type { IntegrationEvent } from './integrationEvent';
import { createLogger, type Logger } from '../logging';
import { assertIntegerInRange, assertRoutingKey } from './names';
import type { MessageHeaders, OutboundMessage, Publisher } from './publisher';

export interface OutboxRelayOptions {
  db: Database;
  /** The runtime schema holding `outbox`. Default `bdbazar`. */
  schema?: string;
  publisher: Publisher;
  /** Rows per publish. Default 500. */
  batchSize?: number;
  /** How often an idle relay looks for rows when nobody calls `notify()`. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Back-off after a failure. Default 100 ms doubling up to 10 s. */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
  /** How often a standby tries to become the active relay. Default 2000 ms. */
  standbyRetryMs?: number;
  logger?: Logger;
}

export type OutboxRelayState = 'active' | 'standby' | 'stopped';

export interface OutboxRelayStatus {
  state: OutboxRelayState;
  /** Rows in the outbox now. */
  pending: number;
  /** Rows confirmed and deleted by this relay since it started. */
  publishedTotal: number;
  /** Publish attempts of a row that failed, since it started. */
  failedAttempts: number;
  /** Rows waiting out their own retry delay (refused messages). */
  heldBack: number;
  lastError: { message: string; at: Date } | null;
}

export interface OutboxRelay {
  /** Call after committing outbox rows: the relay looks at once instead of at its next poll. */
  notify(): void;
  status(): Promise<OutboxRelayStatus>;
  /** Finishes the batch in progress (publish and delete), then stops and lets go of the lock. */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  message_id: string;
  routing_key: string;
  payload: IntegrationEvent;
  headers: MessageHeaders | null;
  destination: string | null;
  attempts: number;
}

export async function startOutboxRelay(options: OutboxRelayOptions): Promise<OutboxRelay> {
  const schema = options.schema ?? DEFAULT_RUNTIME_SCHEMA;
  const table = `${quoteIdentifier(schema)}.outbox`;
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const retry = { initialDelayMs: options.retry?.initialDelayMs ?? 100, maxDelayMs: options.retry?.maxDelayMs ?? 10_000 };
  const standbyRetryMs = options.standbyRetryMs ?? 2_000;
  assertIntegerInRange(batchSize, 'batchSize', 1, 10_000);
  assertIntegerInRange(pollIntervalMs, 'pollIntervalMs', 1, 3_600_000);
  assertIntegerInRange(retry.initialDelayMs, 'retry.initialDelayMs', 1, 3_600_000);
  assertIntegerInRange(retry.maxDelayMs, 'retry.maxDelayMs', retry.initialDelayMs, 3_600_000);
  assertIntegerInRange(standbyRetryMs, 'standbyRetryMs', 1, 3_600_000);
  await options.db.knex.raw(`select 1 from ${table} limit 0`).catch((error: unknown) => {
    throw new Error(`The outbox table ${schema}.outbox cannot be read (${errorMessage(error)}); run migrateRuntimeSchema(db, '${schema}') first.`);
  });

  const relay = new Relay({
    db: options.db,
    schema,
    table,
    publisher: options.publisher,
    batchSize,
    pollIntervalMs,
    retry,
    standbyRetryMs,
    logger: options.logger ?? createLogger({ name: 'bdbazar.messaging.outbox-relay' }),
  });
  relay.start();
  return relay;
}

interface RelaySettings {
  db: Database;
  schema: string;
  table: string;
  publisher: Publisher;
  batchSize: number;
  pollIntervalMs: number;
  retry: BackoffOptions;
  standbyRetryMs: number;
  logger: Logger;
}

class Relay implements OutboxRelay {
  private state: OutboxRelayState = 'standby';
  private stopping = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly wake = new Signal();
  private readonly stopped = new Signal();
  private readonly backoff: Backoff;
  private lease: Lease | null = null;
  /** Row id → when it may be tried again (rows whose message was refused). */
  private readonly held = new Map<string, number>();
  /** Ids of rows whose messages the bus confirmed, deleted with the next read. */
  private confirmedIds: string[] = [];
  private publishedTotal = 0;
  private failedAttempts = 0;
  private lastError: { message: string; at: Date } | null = null;
  private failing = false;

  constructor(private readonly settings: RelaySettings) {
    this.backoff = new Backoff(settings.retry);
  }

  start(): void {
    this.loop = this.run();
  }

  notify(): void {
    this.wake.fire();
  }

  async status(): Promise<OutboxRelayStatus> {
    const row = (await this.settings.db.knex.raw(`select count(*)::int as pending from ${this.settings.table}`)) as unknown;
    return {
      state: this.state,
      pending: Number(rowsOf<{ pending: number }>(row)[0]?.pending ?? 0),
      publishedTotal: this.publishedTotal,
      failedAttempts: this.failedAttempts,
      heldBack: this.held.size,
      lastError: this.lastError,
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.fire();
    this.stopped.fire();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { logger, schema } = this.settings;
    while (!this.stopping) {
      try {
        if (!this.lease && !(await this.takeLease())) {
          this.enter('standby');
          await this.stopped.wait(this.settings.standbyRetryMs);
          continue;
        }
        this.enter('active');
        const relayed = await this.relayBatch();
        if (!relayed && !this.stopping) await this.wake.wait(this.idleWaitMs());
      } catch (error) {
        // The database failed (or the lock's connection did): nothing was lost, try again later.
        this.recordError(`database: ${errorMessage(error)}`);
        const delayMs = this.backoff.next();
        logger.warn({ schema, error: errorMessage(error), delayMs }, 'Outbox relay: database error; retrying');
        await this.stopped.wait(delayMs);
      }
    }
    await this.releaseLease();
    this.state = 'stopped';
  }

  private async takeLease(): Promise<boolean> {
    const lease = await tryAcquireLease(this.settings.db, `outbox-relay.${this.settings.schema}`);
    if (!lease) return false;
    this.lease = lease;
    void lease.lost.then((error) => {
      if (!error || this.lease !== lease) return;
      this.settings.logger.warn({ schema: this.settings.schema, error: error.message }, 'Outbox relay: lost the lease; standing by');
      void this.releaseLease();
    });
    return true;
  }

  private async releaseLease(): Promise<void> {
    await this.deleteConfirmed();
    const lease = this.lease;
    this.lease = null;
    try {
      await lease?.release();
    } catch (error) {
      // Its connection failed: the server ended the session, and the lock with it.
      this.settings.logger.warn({ schema: this.settings.schema, error: errorMessage(error) }, 'Outbox relay: could not release the lease cleanly');
    }
  }

  /** Deletes the rows confirmed last, when no read follows to do it; a failure leaves them to be published again. */
  private async deleteConfirmed(): Promise<void> {
    if (this.confirmedIds.length === 0) return;
    const ids = this.confirmedIds;
    this.confirmedIds = [];
    try {
      await this.settings.db.knex.raw(`delete from ${this.settings.table} where id = any(?::bigint[])`, [pgArray(ids)]);
    } catch (error) {
      this.settings.logger.warn({ schema: this.settings.schema, rows: ids.length, error: errorMessage(error) }, 'Outbox relay: could not delete published rows; they will be published again');
    }
  }

  /** Publishes one batch from the head of the outbox; false when there was nothing to do. */
  private async relayBatch(): Promise<boolean> {
    const { db, table, batchSize, publisher, logger, schema } = this.settings;
    const now = Date.now();
    for (const [id, until] of this.held) if (until <= now) this.held.delete(id);
    const done = pgArray(this.confirmedIds);
    const result = (await db.knex.raw(
      // The read does not see the delete of the same statement: it leaves those rows out itself.
      // Ordered by the column, not by the text alias `id` (which would sort '10' before '9').
      `with done as (delete from ${table} where id = any(?::bigint[]))
       select o.id::text as id, o.message_id::text as message_id, o.routing_key, o.payload, o.headers, o.destination, o.attempts
         from ${table} o where not (o.id = any(?::bigint[])) and not (o.id = any(?::bigint[])) order by o.id limit ?`,
      [done, done, pgArray([...this.held.keys()]), batchSize],
    )) as unknown;
    this.confirmedIds = [];
    const rows = rowsOf<OutboxRow>(result);
    if (rows.length === 0) return false;

    const outcomes = new Map<string, PublishFailureReason | 'invalid'>();
    const sendable = rows.filter((row) => {
      try {
        assertRoutingKey(row.routing_key);
        return true;
      } catch {
        outcomes.set(row.message_id, 'invalid');
        return false;
      }
    });
    let transportError: string | null = null;
    try {
      await publisher.publish(sendable.map(toMessage));
    } catch (error) {
      if (error instanceof PublishError) {
        for (const failure of error.failures) outcomes.set(failure.messageId, failure.reason);
        if (error.failures.some((f) => !isMessageFailure(f.reason))) transportError = error.message;
      } else {
        for (const row of sendable) outcomes.set(row.message_id, 'connection');
        transportError = errorMessage(error);
      }
    }

    const confirmed = rows.filter((row) => !outcomes.has(row.message_id));
    if (confirmed.length > 0) {
      this.confirmedIds = confirmed.map((row) => row.id);
      this.publishedTotal += confirmed.length;
    }
    if (outcomes.size === 0) {
      if (this.failing) logger.info({ schema }, 'Outbox relay: publishing again');
      this.failing = false;
      this.backoff.reset();
      return true;
    }

    await this.markFailures(rows, outcomes);
    if (transportError) {
      const delayMs = this.backoff.next();
      logger.warn({ schema, error: transportError, confirmed: confirmed.length, failed: outcomes.size, delayMs }, 'Outbox relay: publish failed; retrying');
      await this.stopped.wait(delayMs);
    } else {
      logger.warn({ schema, failed: outcomes.size, confirmed: confirmed.length }, 'Outbox relay: messages refused; their rows are retried later');
    }
    return true;
  }

  /** `attempts + 1` and `last_error` on each failed row; refused messages are held back. */
  private async markFailures(rows: readonly OutboxRow[], outcomes: Map<string, PublishFailureReason | 'invalid'>): Promise<void> {
    const byReason = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const reason = outcomes.get(row.message_id);
      if (!reason) continue;
      byReason.set(reason, [...(byReason.get(reason) ?? []), row]);
      if (reason === 'invalid' || isMessageFailure(reason)) {
        this.held.set(row.id, Date.now() + delayFor(this.settings.retry, row.attempts));
      }
    }
    for (const [reason, failed] of byReason) {
      const message = LAST_ERROR[reason as keyof typeof LAST_ERROR];
      await this.settings.db.knex.raw(`update ${this.settings.table} set attempts = attempts + 1, last_error = ? where id = any(?::bigint[])`, [
        message,
        pgArray(failed.map((row) => row.id)),
      ]);
      this.failedAttempts += failed.length;
      this.recordError(message);
    }
  }

  private recordError(message: string): void {
    this.failing = true;
    this.lastError = { message, at: new Date() };
  }

  private idleWaitMs(): number {
    const nextHeld = Math.min(...this.held.values());
    return Math.max(1, Math.min(this.settings.pollIntervalMs, nextHeld - Date.now()));
  }

  private enter(state: OutboxRelayState): void {
    if (this.state === state) return;
    this.state = state;
    this.settings.logger.info({ schema: this.settings.schema, state }, `Outbox relay: ${state}`);
  }
}

const LAST_ERROR: Record<PublishFailureReason | 'invalid', string> = {
  unroutable: 'unroutable: no queue is bound for this routing key (or the consumer it is addressed to has none)',
  nacked: 'nacked: the broker refused the message',
  connection: 'connection: the connection to the bus was lost before the message was confirmed',
  timeout: 'timeout: the bus did not confirm the message in time',
  closed: 'closed: the publisher was closed',
  invalid: 'invalid: the routing key is not a valid dot-separated topic',
};

function toMessage(row: OutboxRow): OutboundMessage {
  const message: OutboundMessage = { messageId: row.message_id, routingKey: row.routing_key, payload: row.payload, headers: row.headers ?? {} };
  return row.destination === null ? message : { ...message, destination: row.destination };
}

/** A PostgreSQL array literal of row ids: one bind parameter, whatever the batch size. */
function pgArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

/** knex.raw answers with the driver's result: `{ rows }` from pg and from PGlite. */
function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
