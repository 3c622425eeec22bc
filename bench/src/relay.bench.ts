/**
 * The outbox relay's throughput to RabbitMQ with publisher confirms, beside the raw limit measured
 * in the same run: a bare amqplib publisher on a confirm channel, persistent messages, waiting for
 * confirms every 100. Both publish the same integration events (same bytes, same properties) to
 * the same exchange, routed to the same durable quorum queue, as a consumer's queue would be.
 *
 * Run: `npm run build && node bench/dist/relay.bench.js`
 *
 * PostgreSQL: BDBAZAR_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/bdbazar_bench,
 * created when missing; the schema `bench_relay` is dropped and recreated). RabbitMQ:
 * BDBAZAR_BENCH_RABBITMQ_URL (default amqp://guest:guest@127.0.0.1:5672; a uniquely named exchange
 * and queue, deleted at the end). BDBAZAR_BENCH_MESSAGES (default 50000).
 *
 * The relay is timed from its start, with every row already in the outbox, until the outbox is
 * empty: reading rows, publishing, waiting for confirms and deleting the confirmed rows included.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { connect, type Options } from 'amqplib';
import { Client } from 'pg';
import {
  integrationMessageId,
  migrateRuntimeSchema,
  openDatabase,
  openRabbitMqTransport,
  silentLogger,
  startOutboxRelay,
  type Database,
  type IntegrationEvent,
} from '@bdbazar/shared-kernel';
import { assertEventsExchange, unroutedName } from '@bdbazar/shared-kernel/messaging/rabbitmq/topology';
import { machineText } from './eventStoreBench/report';

const POSTGRES_URL = process.env['BDBAZAR_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/bdbazar_bench';
const RABBITMQ_URL = process.env['BDBAZAR_BENCH_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const MESSAGES = Number(process.env['BDBAZAR_BENCH_MESSAGES'] ?? 50_000);
const SCHEMA = 'bench_relay';
const RAW_CONFIRM_EVERY = 100;
const RELAY_BATCH_SIZES = [500, 1_000];
const GOAL_PER_SECOND = 10_000;

interface Row {
  measure: string;
  messages: number;
  seconds: number;
  perSecond: number;
  raw?: number;
  goal?: string;
  met?: boolean;
}

async function main(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const exchange = `bench.relay.${suffix}`;
  const queue = `bench.relay.${suffix}`;
  const events = Array.from({ length: MESSAGES }, (_, n) => sampleEvent(n));
  const payloadBytes = Buffer.byteLength(JSON.stringify(events[0]));

  await ensureDatabase(POSTGRES_URL);
  const db = await openDatabase({ kind: 'postgres', connectionString: POSTGRES_URL });
  const admin = await connect(RABBITMQ_URL);
  const channel = await admin.createChannel();
  await assertEventsExchange(channel, exchange);
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(queue, exchange, '#');

  const rows: Row[] = [];
  try {
    // A short warm-up of both paths, so that neither pays for the JIT and the first connections.
    await rawPublish(exchange, events.slice(0, 2_000));
    await relayPublish(db, exchange, events.slice(0, 2_000), 500);
    await channel.purgeQueue(queue);

    const raw = await rawPublish(exchange, events);
    rows.push({ measure: `raw amqplib: confirm channel, persistent, waitForConfirms every ${RAW_CONFIRM_EVERY}`, messages: MESSAGES, ...raw });
    await expectQueued(channel, queue, MESSAGES);

    for (const batchSize of RELAY_BATCH_SIZES) {
      await channel.purgeQueue(queue);
      const relay = await relayPublish(db, exchange, events, batchSize);
      rows.push({
        measure: `outbox relay, batch ${batchSize}: read, publish (confirms), delete`,
        messages: MESSAGES,
        ...relay,
        raw: raw.perSecond,
        goal: `≥ ${GOAL_PER_SECOND.toLocaleString('en-US')}/s`,
        met: relay.perSecond >= GOAL_PER_SECOND,
      });
      await expectQueued(channel, queue, MESSAGES);
    }
  } finally {
    await channel.deleteQueue(queue);
    await channel.deleteExchange(exchange);
    await channel.deleteQueue(unroutedName(exchange));
    await channel.deleteExchange(unroutedName(exchange));
    await admin.close();
    await db.knex.raw(`drop schema if exists ${SCHEMA} cascade`);
    await db.close();
  }

  console.log(`Outbox relay → RabbitMQ, ${MESSAGES.toLocaleString('en-US')} messages of ${payloadBytes} bytes, one durable quorum queue bound`);
  console.log(`${machineText()}; PostgreSQL and RabbitMQ on ${hostOf(POSTGRES_URL)} / ${hostOf(RABBITMQ_URL)}`);
  console.log('');
  console.log(renderTable(rows));
  if (rows.some((row) => row.met === false)) process.exitCode = 1;
}

/** The raw limit: publish 100, wait for their confirms, repeat. */
async function rawPublish(exchange: string, events: readonly IntegrationEvent[]): Promise<{ seconds: number; perSecond: number }> {
  const connection = await connect(RABBITMQ_URL);
  try {
    const channel = await connection.createConfirmChannel();
    const started = process.hrtime.bigint();
    for (let i = 0; i < events.length; i += RAW_CONFIRM_EVERY) {
      for (const event of events.slice(i, i + RAW_CONFIRM_EVERY)) {
        channel.publish(exchange, event.type, Buffer.from(JSON.stringify(event)), publishOptions(event));
      }
      await channel.waitForConfirms();
    }
    return rate(events.length, started);
  } finally {
    await connection.close();
  }
}

/** The same properties the relay's publisher sets. */
function publishOptions(event: IntegrationEvent): Options.Publish {
  return {
    persistent: true,
    mandatory: true,
    messageId: event.messageId,
    type: event.type,
    contentType: 'application/json',
    timestamp: Math.floor(Date.now() / 1000),
    headers: {},
  };
}

/** Fills the outbox, then times the relay from its start until the outbox is empty. */
async function relayPublish(db: Database, exchange: string, events: readonly IntegrationEvent[], batchSize: number): Promise<{ seconds: number; perSecond: number }> {
  await db.knex.raw(`drop schema if exists ${SCHEMA} cascade`);
  await migrateRuntimeSchema(db, SCHEMA);
  for (let i = 0; i < events.length; i += 2_000) {
    const rows = events.slice(i, i + 2_000).map((event) => ({
      message_id: event.messageId,
      routing_key: event.type,
      payload: JSON.stringify(event),
      headers: '{}',
    }));
    await db.knex.withSchema(SCHEMA).table('outbox').insert(rows);
  }
  await db.knex.raw(`analyze ${SCHEMA}.outbox`);

  const transport = await openRabbitMqTransport({ url: RABBITMQ_URL, exchange, connectionName: 'bench relay', logger: silentLogger() });
  try {
    const started = process.hrtime.bigint();
    const relay = await startOutboxRelay({ db, schema: SCHEMA, publisher: transport, batchSize, pollIntervalMs: 1_000, logger: silentLogger() });
    for (;;) {
      const left = await db.knex.raw(`select exists (select 1 from ${SCHEMA}.outbox) as left`);
      if (!(left.rows[0] as { left: boolean }).left) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const result = rate(events.length, started);
    const status = await relay.status();
    await relay.stop();
    if (status.publishedTotal !== events.length || status.failedAttempts !== 0) {
      throw new Error(`The relay published ${status.publishedTotal} of ${events.length} rows with ${status.failedAttempts} failed attempts.`);
    }
    return result;
  } finally {
    await transport.close();
  }
}

function sampleEvent(n: number): IntegrationEvent {
  const eventId = randomUUID();
  const type = 'order.OrderPlaced.v1';
  return {
    messageId: integrationMessageId(eventId, type),
    type,
    occurredAt: new Date(Date.UTC(2025, 0, 1) + n).toISOString(),
    correlationId: randomUUID(),
    source: { eventId, streamId: `order-${eventId}`, revision: 0, position: String(n) },
    data: {
      orderId: eventId,
      checkoutId: randomUUID(),
      shopId: randomUUID(),
      buyerId: randomUUID(),
      lines: [{ productId: randomUUID(), quantity: 2, unitPrice: { amount: 125_000, currency: 'BDT' } }],
      total: { amount: 250_000, currency: 'BDT' },
    },
  };
}

async function expectQueued(channel: import('amqplib').Channel, queue: string, expected: number): Promise<void> {
  // Quorum queues report their count once the last confirms are applied; give them a moment.
  for (let i = 0; i < 100; i += 1) {
    const { messageCount } = await channel.checkQueue(queue);
    if (messageCount === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { messageCount } = await channel.checkQueue(queue);
  throw new Error(`The queue holds ${messageCount} messages, expected ${expected}.`);
}

function rate(messages: number, started: bigint): { seconds: number; perSecond: number } {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, perSecond: messages / seconds };
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const client = new Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

function hostOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port}`;
}

function renderTable(rows: readonly Row[]): string {
  const number = (value: number, decimals = 0): string =>
    value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  const header = ['measure', 'messages', 'seconds', 'messages/s', 'raw limit (same run)', 'of raw', 'goal', 'met'];
  const body = rows.map((row) => [
    row.measure,
    number(row.messages),
    number(row.seconds, 2),
    number(row.perSecond),
    row.raw === undefined ? '' : `${number(row.raw)}/s`,
    row.raw === undefined ? '' : `${number((100 * row.perSecond) / row.raw)} %`,
    row.goal ?? '',
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
