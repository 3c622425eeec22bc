/** Shared pieces of the messaging integration tests: events, outbox rows, broker clean-up. */
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { createInProcessBus, createLogger, integrationMessageId, migrateRuntimeSchema, type Consumer, type Database, type InProcessBus, type IntegrationEvent, type Logger } from '../../src';
import { uniqueSchema } from '../../../test/servers';
import { unroutedName } from '../../src/messaging/rabbitmq/topology';

export const EVENT_TYPE = 'test.ThingHappened.v1';

/** `LOG_LEVEL=info npm test ...` shows what the kit logs; silent otherwise. */
export function testLogger(): Logger {
  return createLogger({ name: 'messaging-test', level: process.env['LOG_LEVEL'] ?? 'silent' });
}

export function uniqueName(prefix: string): string {
  return `${prefix}.${randomBytes(5).toString('hex')}`;
}

export function integrationEvent(n: number, type = EVENT_TYPE): IntegrationEvent {
  const eventId = randomUUID();
  return {
    messageId: integrationMessageId(eventId, type),
    type,
    occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, 0) + n).toISOString(),
    correlationId: null,
    source: { eventId, streamId: `thing-${eventId}`, revision: 0, position: String(n) },
    data: { n },
  };
}

/** Writes outbox rows the way a projector does (payload = the event, routing key = its type). */
export async function writeOutbox(db: Database, schema: string, events: readonly IntegrationEvent[]): Promise<void> {
  const rows = events.map((event) => ({
    message_id: event.messageId,
    routing_key: event.type,
    payload: JSON.stringify(event),
    headers: JSON.stringify({ 'x-test': 'yes' }),
  }));
  for (let i = 0; i < rows.length; i += 1_000) await db.knex.withSchema(schema).table('outbox').insert(rows.slice(i, i + 1_000));
}

export async function outboxCount(db: Database, schema: string): Promise<number> {
  const row = await db.knex.withSchema(schema).table('outbox').count<{ count: string | number }[]>('* as count').first();
  return Number(row?.count ?? 0);
}

/** Deletes a consumer's queues (and extra exchanges) after a test. */
/** Deletes queues and exchanges, and each exchange's unrouted queue and exchange (rabbitmq/topology.ts). */
export async function deleteBrokerObjects(url: string, queues: readonly string[], exchanges: readonly string[] = []): Promise<void> {
  const connection = await connect(url);
  try {
    for (const queue of [...queues, ...exchanges.map(unroutedName)]) {
      const channel = await connection.createChannel();
      await channel.deleteQueue(queue);
      await channel.close();
    }
    for (const exchange of [...exchanges, ...exchanges.map(unroutedName)]) {
      const channel = await connection.createChannel();
      await channel.deleteExchange(exchange);
      await channel.close();
    }
  } finally {
    await connection.close();
  }
}

/** Reads (and removes) every message in a queue, e.g. a dead-letter queue. */
export async function drainQueue(url: string, queue: string): Promise<Array<{ messageId: string; body: IntegrationEvent; headers: Record<string, unknown> }>> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    const messages: Array<{ messageId: string; body: IntegrationEvent; headers: Record<string, unknown> }> = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (!message) break;
      messages.push({
        messageId: String(message.properties.messageId),
        body: JSON.parse(message.content.toString('utf8')) as IntegrationEvent,
        headers: (message.properties.headers ?? {}) as Record<string, unknown>,
      });
    }
    return messages;
  } finally {
    await connection.close();
  }
}

export async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A handler that records each event in `<schema>.applied` (the message id is its primary key, so
 * applying one twice would fail the test loudly) and counts its own invocations per message id.
 */
export async function recordingHandler(db: Database, schema: string, fail: (event: IntegrationEvent) => boolean = () => false) {
  await db.knex.schema.withSchema(schema).createTable('applied', (t) => {
    t.uuid('message_id').primary();
    t.integer('n').notNullable();
  });
  const invocations = new Map<string, number>();
  const handler = async (event: IntegrationEvent, trx: import('knex').Knex.Transaction): Promise<void> => {
    invocations.set(event.messageId, (invocations.get(event.messageId) ?? 0) + 1);
    if (fail(event)) throw new Error(`poison: ${event.messageId}`);
    await trx.withSchema(schema).table('applied').insert({ message_id: event.messageId, n: Number(event.data['n']) });
  };
  const appliedCount = async (): Promise<number> => {
    const row = await db.knex.withSchema(schema).table('applied').count<{ count: string | number }[]>('* as count').first();
    return Number(row?.count ?? 0);
  };
  return { handler, invocations, appliedCount };
}

/** The message ids a consumer's inbox holds, sorted. */
export async function inboxIds(db: Database, schema: string, consumer: string): Promise<string[]> {
  const rows = await db.knex.withSchema(schema).table('inbox').where({ consumer }).select<Array<{ message_id: string }>>('message_id');
  return rows.map((row) => row.message_id).sort();
}

/** The events' message ids, sorted (to compare with inboxIds). */
export const idsOf = (events: readonly IntegrationEvent[]): string[] => events.map((event) => event.messageId).sort();

/** A gate that every caller of `passed()` waits at until `open()`: to make handlers finish together. */
export function gate(): { passed: () => Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { passed: () => opened, open: () => open() };
}

/** What an in-process consumer test runs in: a runtime schema of its own (migrated) and a fresh bus. */
export interface ConsumerScene {
  schema: string;
  bus: InProcessBus;
}

/** A scene for one test (a `beforeEach`'s work); end it with endConsumerScene. */
export async function openConsumerScene(db: Database, schemaPrefix: string): Promise<ConsumerScene> {
  const schema = uniqueSchema(schemaPrefix);
  await migrateRuntimeSchema(db, schema);
  return { schema, bus: createInProcessBus({ redeliveryDelayMs: 5, logger: testLogger() }) };
}

/** Stops the test's consumer (if it started one), closes the bus and drops the schema. */
export async function endConsumerScene(db: Database, scene: ConsumerScene, consumer: Consumer | undefined): Promise<void> {
  await consumer?.stop();
  await scene.bus.close();
  await db.knex.raw(`drop schema if exists "${scene.schema}" cascade`);
}
