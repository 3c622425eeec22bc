/**
 * The consumer kit: how a service handles integration events, on either transport.
 *
 * Each message is handled in one database transaction that first records its id in
 * `<schema>.inbox` for this consumer. If the id is there already, the message is a redelivery
 * (the relay or the broker sent it again): the handler is skipped, and the message acknowledged.
 * Otherwise the handler runs in the same transaction, and the message is acknowledged only after
 * the commit. A handler error rolls everything back and hands the message back to the transport,
 * which delivers it again and, after `maxAttempts`, moves it to the consumer's dead-letter queue.
 * So each message changes the database exactly once, however often it arrives.
 *
 * With `batchTransactions`, the messages being handled at once (up to `prefetch`) share that
 * transaction instead of taking one each: they are gathered by the micro-batcher (the messages
 * delivered in one tick, or while the previous batch was in flight), their ids go into the inbox
 * in one statement, the handler runs for each new one in turn with the same `trx`, and one commit
 * (synchronous, as always here) precedes every acknowledgement. A batch of one is handled as
 * above. If a batch of several fails, nothing of it was committed, and each of its messages is
 * handled again by itself, in its own transaction, within the same delivery: the good ones commit
 * and only the bad one fails, counts as a failure and goes back to the transport. No savepoints
 * are needed for that, at the price of running the handlers of a failed batch twice; so a batched
 * handler must keep its effects in `trx` (or defer them to `trx.executionPromise`), and must not
 * swallow a database error (that aborts the shared transaction).
 *
 * `handleBatch` is the same with the batch in the handler's hands: it is given the new messages of
 * a batch at once (in delivery order, redeliveries left out), so that it can write them with a
 * few statements instead of a few each. A failed batch is handed back again one message at a time.
 *
 * A handler whose effects live elsewhere (commands on event-sourced aggregates, which decide a
 * repeated request once by themselves) is given as `idempotentHandler` instead: it runs outside
 * any transaction, and the message is acknowledged as soon as it succeeds (a redelivery runs the
 * handler again, which changes nothing). No database connection is held while it works, so a slow
 * command, or one that itself needs the database (a personal-data key), can never starve the
 * pool, however many messages are in flight. The message is then recorded in the inbox, which
 * tells a redelivery from a first delivery and counts it as applied or as a duplicate. That record
 * is bookkeeping only: nobody waits for it, so the records of the messages finished within
 * RECORD_LINGER_MS share one statement, committed without waiting for the WAL flush. A record lost
 * in a crash, or to a failed insert (logged, and shown as the consumer's last error), only makes a
 * redelivery count as applied; the handler's effects are durable by themselves.
 *
 * `idempotentBatchHandler` is the same for a batch: the messages being handled at once (gathered
 * as for `handleBatch`) are given together, outside any transaction, redeliveries included. For
 * effects that are idempotent and independent of the order in which messages arrive (upserts
 * guarded by the revision they were set from), written with a few statements for the whole batch:
 * no BEGIN, no COMMIT and no inbox statement of its own before the acknowledgement. A failed batch
 * is handled again one message at a time, so that only the bad message goes back to the transport.
 *
 * The inbox keeps a consumer's records for `inboxRetentionDays` (30 by default): the consumer
 * deletes its older ones every hour (`pruneInbox`), a few thousand rows a statement, so that the
 * table does not grow by every message ever handled. A redelivery older than that (a queue left
 * unread for longer, a republish from further back) is handled as new; every consumer of this
 * codebase would change nothing by it, its effects being idempotent by themselves.
 */
import type { Knex } from 'knex';
import type { Database } from '../database/database';
import { quoteIdentifier } from '../database/database';
import { deleteInBatches, type DeleteInBatchesOptions } from '../database/deleteInBatches';
import { createMicroBatcher } from '../database/microBatch';
import { DEFAULT_RUNTIME_SCHEMA } from '../projections/runtimeSchema';
import type { IntegrationEvent } from './integrationEvent';
import { createLogger, type Logger } from '../logging';
import { errorMessage } from './errors';
import { startPeriodicWork } from '../periodicWork';
import { topicMatches } from './names';
import { assertSubscriptionSpec, deadLetterQueueName, type InboundMessage, type SubscriptionSpec, type Transport } from './transport';

/** How long an idempotent handler's inbox record waits for others to share its statement. */
const RECORD_LINGER_MS = 20;
/** Days a consumer's inbox records are kept, unless it is told otherwise. */
export const DEFAULT_INBOX_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
/** How often a consumer deletes its records past the retention (see periodicWork.ts). */
const INBOX_PRUNE_INTERVAL_MS = 3_600_000;
export interface PruneInboxOptions extends DeleteInBatchesOptions {
  db: Database;
  /** The runtime schema holding `inbox`. Default `bdbazar`. */
  schema?: string;
  consumer: string;
  /** Records handled before this moment go. */
  before: Date;
}

/**
 * Deletes a consumer's inbox records handled before `before`, a batch a statement (each found
 * through the BRIN index on `processed_at`); resolves with how many went.
 */
export function pruneInbox(options: PruneInboxOptions): Promise<number> {
  const inbox = `${quoteIdentifier(options.schema ?? DEFAULT_RUNTIME_SCHEMA)}.inbox`;
  return deleteInBatches(options.db, inbox, 'consumer = ? and processed_at < ?', [options.consumer, options.before], options);
}

export type IntegrationEventHandler = (event: IntegrationEvent, trx: Knex.Transaction) => Promise<void>;

/** Applies the new messages of a batch, in delivery order, within the inbox's transaction. */
export type IntegrationEventBatchHandler = (events: readonly IntegrationEvent[], trx: Knex.Transaction) => Promise<void>;

/** A handler whose effects are idempotent by themselves and live outside this database's transaction. */
export type IdempotentEventHandler = (event: IntegrationEvent) => Promise<void>;

/** The same for the messages handled at once, given together, whose effects also do not depend on their order. */
export type IdempotentEventBatchHandler = (events: readonly IntegrationEvent[]) => Promise<void>;

export interface ConsumerOptions {
  /** Stable and unique per consumer: the queue's name and the inbox key. */
  name: string;
  /** Patterns of the integration event types to receive (`order.OrderPlaced.v1`, `order.#`). */
  routingKeys: readonly string[];
  db: Database;
  /** The runtime schema holding `inbox`. Default `bdbazar`. */
  schema?: string;
  transport: Transport;
  /** Runs in the inbox's transaction: its writes with `trx` commit with the message's record. */
  handler?: IntegrationEventHandler;
  /**
   * With `handler`: the messages handled at once share one transaction (and one commit) instead
   * of one each; a failed batch is applied again message by message (see the top of this file).
   * For handlers whose messages are independent of each other. Default false.
   */
  batchTransactions?: boolean;
  /** Or: the new messages of each batch at once, in one transaction (see the top of this file). */
  handleBatch?: IntegrationEventBatchHandler;
  /** Or: runs outside any transaction; the message is recorded after it (see the top of this file). */
  idempotentHandler?: IdempotentEventHandler;
  /** Or: the messages of each batch at once, outside any transaction; each is recorded after it (see the top of this file). */
  idempotentBatchHandler?: IdempotentEventBatchHandler;
  /** Deliveries of one message before it is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** Messages handled at once (and held unacknowledged). Default 10; 1 keeps queue order. */
  prefetch?: number;
  /** Days the inbox keeps this consumer's records (see the top of this file). Default 30. */
  inboxRetentionDays?: number;
  /** How often the records past the retention are deleted. Default an hour (tests make it shorter). */
  inboxPruneIntervalMs?: number;
  logger?: Logger;
}

export interface ConsumerStatus {
  name: string;
  /** Messages whose handler committed (an idempotent handler's: once its record landed). */
  applied: number;
  /** Redeliveries found in the inbox (and skipped, unless the handler is idempotent). */
  duplicates: number;
  /**
   * Handler runs that failed (each is retried or dead-lettered). A failed batch is not counted:
   * its messages are each handled again, and count by how that ends.
   */
  failures: number;
  /** Messages addressed to this consumer whose type it is not bound for (acknowledged unhandled). */
  skipped: number;
  lastError: { message: string; messageId: string; at: Date } | null;
  /** Inbox records deleted past the retention since the consumer started. */
  inboxPruned: number;
}

export interface Consumer {
  readonly name: string;
  status(): ConsumerStatus;
  /** Stops taking messages and waits for the ones being handled. */
  stop(): Promise<void>;
}

export async function startConsumer(options: ConsumerOptions): Promise<Consumer> {
  const spec: SubscriptionSpec = {
    name: options.name,
    routingKeys: options.routingKeys,
    maxAttempts: options.maxAttempts ?? 5,
    prefetch: options.prefetch ?? 10,
  };
  assertSubscriptionSpec(spec);
  const schema = options.schema ?? DEFAULT_RUNTIME_SCHEMA;
  const inbox = `${quoteIdentifier(schema)}.inbox`;
  await options.db.knex.raw(`select 1 from ${inbox} limit 0`).catch((error: unknown) => {
    throw new Error(`The inbox table ${schema}.inbox cannot be read (${errorMessage(error)}); run migrateRuntimeSchema(db, '${schema}') first.`);
  });
  const logger = options.logger ?? createLogger({ name: `bdbazar.messaging.consumer.${options.name}` });
  const status: ConsumerStatus = { name: spec.name, applied: 0, duplicates: 0, failures: 0, skipped: 0, lastError: null, inboxPruned: 0 };
  const retentionDays = options.inboxRetentionDays ?? DEFAULT_INBOX_RETENTION_DAYS;
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw new Error(`Consumer '${options.name}': inboxRetentionDays must be a positive number of days, got ${retentionDays}.`);
  }
  const pruneIntervalMs = options.inboxPruneIntervalMs ?? INBOX_PRUNE_INTERVAL_MS;
  if (!Number.isFinite(pruneIntervalMs) || pruneIntervalMs <= 0) {
    throw new Error(`Consumer '${options.name}': inboxPruneIntervalMs must be a positive number of milliseconds, got ${pruneIntervalMs}.`);
  }

  const handlersGiven = [options.handler, options.handleBatch, options.idempotentHandler, options.idempotentBatchHandler].filter((given) => given !== undefined);
  if (handlersGiven.length !== 1) {
    throw new Error(`Consumer '${options.name}' needs exactly one of handler, handleBatch, idempotentHandler and idempotentBatchHandler.`);
  }
  if (options.batchTransactions && !options.handler) {
    throw new Error(`Consumer '${options.name}': batchTransactions applies to a handler, not to a batch or idempotent handler (whose messages are batched anyway).`);
  }
  /**
   * Records message ids in the inbox with one statement; for each, whether it was new (of an id
   * twice in one call, published twice, the first counts). Asynchronous: the statement commits on
   * its own without waiting for the WAL flush (the CTE is evaluated whenever a row is inserted,
   * every row being joined with it; a statement that inserts nothing has no commit to wait for).
   */
  const recordInInbox = async (runner: Knex | Knex.Transaction, messageIds: readonly string[], commit: 'in-transaction' | 'asynchronous'): Promise<boolean[]> => {
    const asynchronous = commit === 'asynchronous';
    const inserted = (await runner.raw(
      `${asynchronous ? `with config as materialized (select set_config('synchronous_commit', 'off', true)) ` : ''}` +
        `insert into ${inbox} (consumer, message_id) select ?, id from unnest(?::uuid[]) as id${asynchronous ? ', config' : ''} on conflict do nothing returning message_id`,
      [spec.name, [...messageIds]],
    )) as { rows: Array<{ message_id: string }> };
    const fresh = new Set(inserted.rows.map((row) => row.message_id));
    return messageIds.map((id) => fresh.delete(id.toLowerCase()));
  };
  const inboxRecords = createMicroBatcher<string, boolean>({
    maxBatchSize: 1_000,
    lingerMs: RECORD_LINGER_MS,
    flush: (messageIds) => recordInInbox(options.db.knex, messageIds, 'asynchronous'),
  });
  /** Runs an idempotent handler; the message counts once its record lands. */
  const handleOutside = async (message: InboundMessage, handler: IdempotentEventHandler): Promise<void> => {
    await handler(message.event);
    recordHandled(message);
  };
  /** An idempotent handler's message is done: it counts once its record lands. */
  const recordHandled = (message: InboundMessage): void => {
    void inboxRecords.add(message.messageId).then(
      (fresh) => {
        if (fresh) status.applied += 1;
        else status.duplicates += 1;
      },
      (error: unknown) => {
        status.lastError = { message: `recording in the inbox: ${errorMessage(error)}`, messageId: message.messageId, at: new Date() };
        logger.warn({ consumer: spec.name, messageId: message.messageId, error: errorMessage(error) }, 'Consumer: a handled message could not be recorded in the inbox; a redelivery of it will count as applied');
      },
    );
  };

  const { handler, handleBatch } = options;
  /** Every handler in a transaction, as one that takes a batch. */
  const applyInTransaction: IntegrationEventBatchHandler | null =
    handleBatch ??
    (handler
      ? async (events, trx) => {
          for (const event of events) await handler(event, trx);
        }
      : null);

  /** One message in its own transaction: true if applied, false if a duplicate. */
  const handleAlone = (message: InboundMessage, apply: IntegrationEventBatchHandler): Promise<boolean> =>
    options.db.knex.transaction(async (trx) => {
      const [first] = await recordInInbox(trx, [message.messageId], 'in-transaction');
      if (first) await apply([message.event], trx);
      return first!;
    });

  // What each message of a failed batch is told: handle it again by itself.
  const AGAIN_ALONE = Symbol('again alone');
  /**
   * The messages handled at once, gathered (up to prefetch) and given to `together`; a batch of
   * one goes to `alone`, whose error is its own. When a batch of several fails, each of its
   * messages is told to be handled again by itself.
   */
  const batching = <R>(together: (messages: readonly InboundMessage[]) => Promise<R[]>, alone: (message: InboundMessage) => Promise<R>, whenFailed: string) =>
    createMicroBatcher<InboundMessage, R | typeof AGAIN_ALONE>({
      maxBatchSize: spec.prefetch,
      flush: async (messages) => {
        if (messages.length === 1) return [await alone(messages[0]!)];
        try {
          return await together(messages);
        } catch (error) {
          logger.info({ consumer: spec.name, messages: messages.length, messageIds: messages.map((message) => message.messageId), error: errorMessage(error) }, whenFailed);
          return messages.map(() => AGAIN_ALONE);
        }
      },
    });

  const { idempotentBatchHandler } = options;
  /** One message by itself through the idempotent batch handler. */
  const idempotentlyAlone = async (message: InboundMessage): Promise<true> => {
    await idempotentBatchHandler!([message.event]);
    return true;
  };
  const idempotentBatches = idempotentBatchHandler
    ? batching(
        async (messages) => {
          await idempotentBatchHandler(messages.map((message) => message.event));
          return messages.map(() => true as const);
        },
        idempotentlyAlone,
        'Consumer: a batch failed; each of its messages is handled again by itself',
      )
    : null;
  /** Runs the idempotent batch handler for the message, with the others handled at the same time. */
  const handleInBatch = async (message: InboundMessage, batches: NonNullable<typeof idempotentBatches>): Promise<void> => {
    if ((await batches.add(message)) === AGAIN_ALONE) await idempotentlyAlone(message);
    recordHandled(message);
  };
  const batchedTransactions =
    applyInTransaction && (options.batchTransactions || handleBatch)
      ? batching(
          (messages) =>
            options.db.knex.transaction(async (trx) => {
              const applied = await recordInInbox(
                trx,
                messages.map((message) => message.messageId),
                'in-transaction',
              );
              const fresh = messages.filter((_, i) => applied[i]).map((message) => message.event);
              if (fresh.length > 0) await applyInTransaction(fresh, trx);
              return applied;
            }),
          // Running a lone message again would change nothing.
          (message) => handleAlone(message, applyInTransaction),
          'Consumer: a batch transaction failed; each of its messages is handled again in its own transaction',
        )
      : null;
  const handleInTransaction = async (message: InboundMessage, apply: IntegrationEventBatchHandler): Promise<boolean> => {
    if (!batchedTransactions) return handleAlone(message, apply);
    const applied = await batchedTransactions.add(message);
    return applied === AGAIN_ALONE ? handleAlone(message, apply) : applied;
  };

  const handle = async (message: InboundMessage): Promise<void> => {
    // A republish addressed to this consumer carries every event of its projector: the ones this
    // consumer is not bound for are acknowledged unseen, as the exchange would not have routed them.
    if (!spec.routingKeys.some((pattern) => topicMatches(pattern, message.routingKey))) {
      status.skipped += 1;
      return;
    }
    try {
      if (options.idempotentHandler) return await handleOutside(message, options.idempotentHandler);
      if (idempotentBatches) return await handleInBatch(message, idempotentBatches);
      const applied = await handleInTransaction(message, applyInTransaction!);
      if (applied) status.applied += 1;
      else status.duplicates += 1;
    } catch (error) {
      status.failures += 1;
      status.lastError = { message: errorMessage(error), messageId: message.messageId, at: new Date() };
      const last = message.attempt >= message.maxAttempts;
      const details = { consumer: spec.name, messageId: message.messageId, type: message.routingKey, attempt: message.attempt, maxAttempts: message.maxAttempts, error: errorMessage(error) };
      if (last) logger.error(details, `Consumer: handler failed on the last attempt; the message goes to ${deadLetterQueueName(spec.name)}`);
      else logger.warn(details, 'Consumer: handler failed; the message will be delivered again');
      throw error;
    }
  };

  const subscription = await options.transport.subscribe(spec, handle);
  logger.info({ consumer: spec.name, routingKeys: spec.routingKeys, transport: options.transport.kind }, 'Consumer: started');

  // Records past the retention go every interval; a failure is logged and tried again at the next.
  const pruning = startPeriodicWork(pruneIntervalMs, async (stopped) => {
    try {
      const deleted = await pruneInbox({ db: options.db, schema, consumer: spec.name, before: new Date(Date.now() - retentionDays * DAY_MS), stopped });
      status.inboxPruned += deleted;
      if (deleted > 0) logger.info({ consumer: spec.name, deleted, retentionDays }, 'Consumer: deleted inbox records past the retention');
    } catch (error) {
      logger.warn({ consumer: spec.name, error: errorMessage(error) }, 'Consumer: deleting inbox records past the retention failed; trying again later');
    }
  });

  return {
    name: spec.name,
    status: () => ({ ...status }),
    stop: async () => {
      await pruning.stop();
      await subscription.stop();
      await batchedTransactions?.drain();
      await idempotentBatches?.drain();
      await inboxRecords.drain();
    },
  };
}
