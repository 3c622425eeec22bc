/**
 * A transactional consumer with `batchTransactions`: the messages handled at once share one
 * transaction, each is still applied exactly once, redeliveries are still skipped, a failing
 * message (in its handler or at the commit) leaves the others applied and is dead-lettered by
 * itself, and stop() waits for the batch in flight. On PostgreSQL and PGlite over the in-process
 * bus, and on PostgreSQL over RabbitMQ.
 */
import type { Knex } from 'knex';
import {
  migrateRuntimeSchema,
  openDatabase,
  openRabbitMqTransport,
  outboundMessage,
  startConsumer,
  type Consumer,
  type ConsumerOptions,
  type Database,
  type InProcessBus,
  type IntegrationEvent,
  type RabbitMqTransport,
} from '..';
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../../test/servers';
import { deleteBrokerObjects, drainQueue, endConsumerScene, eventually, gate, idsOf, inboxIds, integrationEvent, openConsumerScene, testLogger, uniqueName } from '../../test/messaging/fixtures';

/**
 * A handler that upserts `<schema>.applied` (message id, n, times): a message applied twice shows
 * as `times: 2`. A poison message writes its row and then throws; a late-poison message writes a
 * row that breaks a deferred foreign key, so that only the commit fails. It may wait at a gate.
 */
async function countingHandler(db: Database, schema: string, options: { poison?: readonly string[]; latePoison?: readonly string[]; gated?: boolean } = {}) {
  await db.knex.raw(`create table "${schema}".applied (message_id uuid primary key, n integer not null, times integer not null)`);
  await db.knex.raw(`create table "${schema}".parents (id integer primary key)`);
  await db.knex.raw(`create table "${schema}".children (message_id uuid primary key, parent integer not null references "${schema}".parents (id) deferrable initially deferred)`);
  const invocations = new Map<string, number>();
  let running = 0;
  const released = gate();
  if (!options.gated) released.open();
  const handler = async (event: IntegrationEvent, trx: Knex.Transaction): Promise<void> => {
    invocations.set(event.messageId, (invocations.get(event.messageId) ?? 0) + 1);
    running += 1;
    await released.passed();
    running -= 1;
    await trx.raw(`insert into "${schema}".applied as a (message_id, n, times) values (?, ?, 1) on conflict (message_id) do update set times = a.times + 1`, [
      event.messageId,
      Number(event.data['n']),
    ]);
    if (options.poison?.includes(event.messageId)) throw new Error(`poison: ${event.messageId}`);
    if (options.latePoison?.includes(event.messageId)) await trx.raw(`insert into "${schema}".children (message_id, parent) values (?, 404)`, [event.messageId]);
  };
  const applied = async (): Promise<Array<{ message_id: string; times: number }>> =>
    db.knex.withSchema(schema).table('applied').select('message_id', 'times').orderBy('message_id');
  return { handler, invocations, applied, running: () => running, release: released.open };
}

/** The transactions this knex starts and ends from now on. */
function watchTransactions(db: Database) {
  const statements: string[] = [];
  const listener = (query: { sql: string; __knexTxId?: string }) => {
    if (query.__knexTxId) statements.push(query.sql);
  };
  db.knex.on('query', listener);
  const count = (pattern: RegExp) => statements.filter((sql) => pattern.test(sql)).length;
  return {
    statements,
    begins: () => count(/^begin/i),
    commits: () => count(/^commit/i),
    rollbacks: () => count(/^rollback/i),
    stop: () => db.knex.removeListener('query', listener),
  };
}

const appliedOnce = (events: readonly IntegrationEvent[]) => idsOf(events).map((id) => ({ message_id: id, times: 1 }));
const events = (count: number, from = 0) => Array.from({ length: count }, (_, n) => integrationEvent(from + n));

function inProcessSuite(open: () => Promise<Database>): void {
  const CONSUMER = 'test.batched-transactions';
  let db: Database;
  let schema: string;
  let bus: InProcessBus;
  let consumer: Consumer | undefined;
  let transactions: ReturnType<typeof watchTransactions>;

  beforeAll(async () => {
    db = await open();
  });

  beforeEach(async () => {
    ({ schema, bus } = await openConsumerScene(db, 'trx_batch'));
    transactions = watchTransactions(db);
  });

  afterEach(async () => {
    transactions.stop();
    await endConsumerScene(db, { schema, bus }, consumer);
    consumer = undefined;
  });

  afterAll(async () => {
    await db.close();
  });

  const start = (handler: ConsumerOptions['handler'], extra: Partial<ConsumerOptions> = {}) =>
    startConsumer({ name: CONSUMER, routingKeys: ['test.#'], db, schema, transport: bus, prefetch: 50, handler, batchTransactions: true, logger: testLogger(), ...extra });
  const publish = (messages: readonly IntegrationEvent[]) => bus.publish(messages.map((event) => outboundMessage(event)));
  /** A consumer whose batch handler is given in `handlers`, two attempts a message. */
  const startBatchHandling = (handlers: Pick<ConsumerOptions, 'handleBatch' | 'idempotentBatchHandler'>) =>
    startConsumer({ name: CONSUMER, routingKeys: ['test.#'], db, schema, transport: bus, prefetch: 50, maxAttempts: 2, logger: testLogger(), ...handlers });

  it('applies 50 messages delivered at once in far fewer transactions than messages, each once, with a synchronous commit', async () => {
    const recorder = await countingHandler(db, schema);
    consumer = await start(recorder.handler);
    const sent = events(50);

    await publish(sent); // resolves once every message is acknowledged

    expect(transactions.begins()).toBeGreaterThanOrEqual(1);
    expect(transactions.begins()).toBeLessThanOrEqual(3);
    expect(transactions.commits()).toBe(transactions.begins());
    expect(transactions.statements.filter((sql) => /synchronous_commit/i.test(sql))).toEqual([]);
    expect(await recorder.applied()).toEqual(appliedOnce(sent));
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf(sent));
    expect([...recorder.invocations.values()]).toEqual(sent.map(() => 1));
    expect(consumer.status()).toMatchObject({ applied: 50, duplicates: 0, failures: 0, lastError: null });
  });

  it('skips redeliveries of handled messages as duplicates, a message twice in one batch included', async () => {
    const first = await countingHandler(db, schema);
    consumer = await start(first.handler);
    const sent = events(50);
    await publish(sent);
    await consumer.stop();

    const invocations = new Map<string, number>();
    consumer = await start(async (event, trx) => {
      invocations.set(event.messageId, (invocations.get(event.messageId) ?? 0) + 1);
      await first.handler(event, trx);
    });
    const fresh = integrationEvent(50);
    const beginsBefore = transactions.begins();
    await publish([...sent, fresh, fresh]);

    expect(transactions.begins() - beginsBefore).toBeLessThanOrEqual(3); // batched, not one by one
    expect(consumer.status()).toMatchObject({ applied: 1, duplicates: 51, failures: 0 });
    expect([...invocations]).toEqual([[fresh.messageId, 1]]);
    expect(await first.applied()).toEqual(appliedOnce([...sent, fresh]));
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf([...sent, fresh]));
  });

  it('applies the 19 good messages of a batch with a poison one, and dead-letters only the poison one', async () => {
    const sent = events(20);
    const poison = sent[7]!;
    const recorder = await countingHandler(db, schema, { poison: [poison.messageId] });
    consumer = await start(recorder.handler, { maxAttempts: 3 });

    await publish(sent); // resolves once each message is acknowledged or dead-lettered

    const good = sent.filter((event) => event !== poison);
    expect(bus.deadLetters(CONSUMER).map((letter) => ({ messageId: letter.messageId, attempts: letter.attempts, lastError: letter.lastError }))).toEqual([
      { messageId: poison.messageId, attempts: 3, lastError: `poison: ${poison.messageId}` },
    ]);
    expect(await recorder.applied()).toEqual(appliedOnce(good)); // nothing of the poison message; no good one twice
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf(good));
    expect(consumer.status()).toMatchObject({ applied: 19, duplicates: 0, failures: 3, lastError: { messageId: poison.messageId, message: `poison: ${poison.messageId}` } });
    // The ones before it ran in the failed batch and again alone; the poison one in the batch, alone, then twice alone.
    expect(recorder.invocations.get(sent[0]!.messageId)).toBe(2);
    expect(recorder.invocations.get(sent[19]!.messageId)).toBe(1);
    expect(recorder.invocations.get(poison.messageId)).toBe(4);
  });

  it('applies the good messages of a batch whose commit fails, and dead-letters only the one that broke it', async () => {
    const sent = events(20);
    const late = sent[12]!;
    const recorder = await countingHandler(db, schema, { latePoison: [late.messageId] });
    consumer = await start(recorder.handler, { maxAttempts: 2 });

    await publish(sent);

    const good = sent.filter((event) => event !== late);
    expect(bus.deadLetters(CONSUMER).map((letter) => letter.messageId)).toEqual([late.messageId]);
    expect(bus.deadLetters(CONSUMER)[0]!.lastError).toMatch(/foreign key/);
    expect(await recorder.applied()).toEqual(appliedOnce(good));
    expect(await db.knex.withSchema(schema).table('children').count<Array<{ count: string | number }>>('* as count')).toEqual([{ count: 0 }]);
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf(good));
    expect(consumer.status()).toMatchObject({ applied: 19, duplicates: 0, failures: 2 });
  });

  it('stops only once the batch in flight is committed', async () => {
    const recorder = await countingHandler(db, schema, { gated: true });
    consumer = await start(recorder.handler);
    const sent = events(20);
    const published = publish(sent);
    await eventually('the batch in its handler', async () => recorder.running(), (n) => n === 1);

    let stopped = false;
    const stopping = consumer.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    // Not read from the database: on PGlite the batch holds the one connection until released.
    expect(consumer.status()).toMatchObject({ applied: 0, failures: 0 });

    recorder.release();
    await stopping;

    expect(await recorder.applied()).toEqual(appliedOnce(sent));
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf(sent));
    expect(consumer.status()).toMatchObject({ applied: 20, failures: 0 });
    expect(transactions.begins()).toBeLessThanOrEqual(3);
    await published;
  });

  it('hands a batch handler the new messages of each batch at once, and those of a failed batch one at a time', async () => {
    const sent = events(30);
    const poison = sent[20]!;
    const recorder = await countingHandler(db, schema, { poison: [poison.messageId] });
    const batches: string[][] = [];
    consumer = await startBatchHandling({
      handleBatch: async (batch, trx) => {
        batches.push(batch.map((event) => event.messageId));
        for (const event of batch) await recorder.handler(event, trx);
      },
    });

    await publish([...sent.slice(0, 10), sent[0]!]); // the repeated one is a duplicate in its batch
    await publish(sent.slice(10));

    const good = sent.filter((event) => event !== poison);
    expect(await recorder.applied()).toEqual(appliedOnce(good));
    expect(bus.deadLetters(CONSUMER).map((letter) => letter.messageId)).toEqual([poison.messageId]);
    expect(consumer.status()).toMatchObject({ applied: 29, duplicates: 1, failures: 2 });
    // batched: fewer calls than messages, and no message twice in one call
    expect(batches.filter((batch) => batch.length > 1).length).toBeGreaterThan(0);
    for (const batch of batches) expect(new Set(batch).size).toBe(batch.length);
    // the poison one was handed over alone after its batch failed
    expect(batches.filter((batch) => batch.includes(poison.messageId) && batch.length === 1).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses two kinds of handler at once', async () => {
    await expect(
      startConsumer({ name: CONSUMER, routingKeys: ['test.#'], db, schema, transport: bus, handler: async () => undefined, handleBatch: async () => undefined, logger: testLogger() }),
    ).rejects.toThrow(/exactly one of handler, handleBatch, idempotentHandler and idempotentBatchHandler/);
    await expect(
      startConsumer({ name: CONSUMER, routingKeys: ['test.#'], db, schema, transport: bus, idempotentHandler: async () => undefined, idempotentBatchHandler: async () => undefined, logger: testLogger() }),
    ).rejects.toThrow(/exactly one of/);
  });

  it('hands an idempotent batch handler the messages of each batch at once, outside any transaction, and a failed batch one at a time', async () => {
    const sent = events(30);
    const poison = sent[20]!;
    const recorder = await countingHandler(db, schema, { poison: [poison.messageId] });
    const batches: string[][] = [];
    consumer = await startBatchHandling({
      // Its statements commit by themselves: the counting handler is given the pool, not a transaction.
      idempotentBatchHandler: async (batch) => {
        batches.push(batch.map((event) => event.messageId));
        for (const event of batch) await recorder.handler(event, db.knex as unknown as Knex.Transaction);
      },
    });

    await publish(sent.slice(0, 10));
    await publish(sent.slice(10));

    expect(transactions.begins()).toBe(0);
    expect(bus.deadLetters(CONSUMER).map((letter) => letter.messageId)).toEqual([poison.messageId]);
    const good = sent.filter((event) => event !== poison);
    // Every good message applied; those that ran before the poison one in its batch ran again alone (their effects are idempotent).
    const applied = await recorder.applied();
    expect(applied.map((row) => row.message_id)).toEqual(idsOf(sent)); // the poison one wrote its row before it threw
    expect(batches.filter((batch) => batch.length > 1).length).toBeGreaterThan(0);
    expect(batches.filter((batch) => batch.includes(poison.messageId) && batch.length === 1).length).toBe(2);
    const failedBatch = batches.find((batch) => batch.length > 1 && batch.includes(poison.messageId))!;
    for (const row of applied) {
      if (row.message_id === poison.messageId) continue;
      expect(row.times).toBe(failedBatch.indexOf(row.message_id) >= 0 && failedBatch.indexOf(row.message_id) < failedBatch.indexOf(poison.messageId) ? 2 : 1);
    }
    // Recorded in the inbox after the handler, without waiting for it: the good ones, not the poison one.
    await eventually('the good ones recorded', async () => (await inboxIds(db, schema, CONSUMER)).length, (n) => n === good.length);
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf(good));
    expect(consumer.status()).toMatchObject({ applied: 29, duplicates: 0, failures: 2 });

    // A redelivery runs the handler again (it changes nothing) and counts as a duplicate.
    await publish([sent[0]!]);
    await eventually('the redelivery counted', async () => consumer!.status().duplicates, (n) => n === 1);
    expect(batches.at(-1)).toEqual([sent[0]!.messageId]);
  });

  it('refuses the option for an idempotent handler', async () => {
    await expect(
      startConsumer({ name: CONSUMER, routingKeys: ['test.#'], db, schema, transport: bus, idempotentHandler: async () => undefined, batchTransactions: true, logger: testLogger() }),
    ).rejects.toThrow(/batchTransactions applies to a handler/);
  });
}

describeWithServer('postgres', 'a consumer with batched transactions, on PostgreSQL', () => {
  inProcessSuite(() => openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres') }));
});

describe('a consumer with batched transactions, on PGlite', () => {
  inProcessSuite(() => openDatabase({ kind: 'pglite' }));
});

describeWithServer('postgres', 'a consumer with batched transactions on RabbitMQ', () => {
  describeWithServer('rabbitmq', 'with a quorum queue and a dead-letter queue', () => {
    const amqpUrl = requireServerUrl('rabbitmq');
    let db: Database;
    let schema: string;
    let exchange: string;
    let consumerName: string;
    let transport: RabbitMqTransport;
    let consumer: Consumer | undefined;
    let transactions: ReturnType<typeof watchTransactions>;

    beforeEach(async () => {
      db = await openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres') });
      schema = uniqueSchema('trx_batch');
      await migrateRuntimeSchema(db, schema);
      exchange = uniqueName('test.events');
      consumerName = uniqueName('test.consumer');
      transport = await openRabbitMqTransport({ url: amqpUrl, exchange, logger: testLogger() });
      transactions = watchTransactions(db);
    });

    afterEach(async () => {
      transactions.stop();
      await consumer?.stop();
      consumer = undefined;
      await transport.close();
      await deleteBrokerObjects(amqpUrl, [consumerName, `${consumerName}.dlq`], [exchange]);
      await db.knex.raw(`drop schema if exists "${schema}" cascade`);
      await db.close();
    });

    /** Declares the queue, has the messages wait in it, then starts the consumer that takes them all at once. */
    const startWithWaiting = async (handler: ConsumerOptions['handler'], sent: readonly IntegrationEvent[], extra: Partial<ConsumerOptions> = {}) => {
      const options: ConsumerOptions = { name: consumerName, routingKeys: ['test.#'], db, schema, transport, handler, batchTransactions: true, logger: testLogger(), ...extra };
      await (await startConsumer(options)).stop();
      await transport.publish(sent.map((event) => outboundMessage(event)));
      consumer = await startConsumer(options);
      return consumer;
    };

    /** Stops the consumer, and reads how many messages its queue still holds. */
    const stopAndCountQueued = async (): Promise<number> => {
      await consumer!.stop();
      consumer = undefined;
      const { connect } = await import('amqplib');
      const connection = await connect(amqpUrl);
      try {
        const channel = await connection.createChannel();
        return (await channel.checkQueue(consumerName)).messageCount;
      } finally {
        await connection.close();
      }
    };

    it('applies 50 waiting messages in far fewer transactions than messages, and acknowledges them all', async () => {
      const sent = events(50);
      const recorder = await countingHandler(db, schema);
      const running = await startWithWaiting(recorder.handler, sent, { prefetch: 50 });

      await eventually('50 applied', async () => running.status().applied, (n) => n === 50);

      expect(transactions.begins()).toBeLessThanOrEqual(10);
      expect(transactions.rollbacks()).toBe(0);
      expect(await recorder.applied()).toEqual(appliedOnce(sent));
      expect(await stopAndCountQueued()).toBe(0);
    });

    it('applies and acknowledges the 19 good messages of a batch with a poison one, which ends in the dead-letter queue', async () => {
      const sent = events(20);
      const poison = sent[7]!;
      const recorder = await countingHandler(db, schema, { poison: [poison.messageId] });
      const running = await startWithWaiting(recorder.handler, sent, { prefetch: 20, maxAttempts: 3 });

      const deadLetters = await eventually('the poison message dead-lettered', () => drainQueue(amqpUrl, `${consumerName}.dlq`), (found) => found.length > 0);

      expect(deadLetters.map((letter) => letter.messageId)).toEqual([poison.messageId]);
      expect(deadLetters[0]!.headers['x-first-death-reason']).toBe('delivery_limit');
      expect(running.status()).toMatchObject({ applied: 19, duplicates: 0, failures: 3 });
      const good = sent.filter((event) => event !== poison);
      expect(await recorder.applied()).toEqual(appliedOnce(good));
      expect(await inboxIds(db, schema, consumerName)).toEqual(idsOf(good));
      expect(await stopAndCountQueued()).toBe(0);
    });
  });
});
