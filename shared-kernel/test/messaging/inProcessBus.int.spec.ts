/**
 * The in-process bus of the embedded default, with PGlite: the relay and the consumer kit work on
 * it as on RabbitMQ (at-least-once, inbox dedup, attempts counted, a poison message parked).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import {
  createInProcessBus,
  migrateRuntimeSchema,
  openDatabase,
  outboundMessage,
  startConsumer,
  startOutboxRelay,
  type Consumer,
  type Database,
  type InProcessBus,
  type OutboxRelay,
} from '../../src';
import { uniqueSchema } from '../../../test/servers';
import { eventually, integrationEvent, outboxCount, recordingHandler, testLogger, writeOutbox } from './fixtures';

describe('the in-process bus', () => {
  let db: Database;
  let schema: string;
  let bus: InProcessBus;
  let relay: OutboxRelay | undefined;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    db = await openDatabase({ kind: 'pglite' });
  });

  beforeEach(async () => {
    schema = uniqueSchema('bus'); // one PGlite for the file, a schema per test
    await migrateRuntimeSchema(db, schema);
    bus = createInProcessBus({ redeliveryDelayMs: 5, logger: testLogger() });
  });

  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    await consumer?.stop();
    consumer = undefined;
    await bus.close();
  });

  afterAll(async () => {
    await db.close();
  });

  it('delivers every outbox row, applied exactly once, redeliveries included', async () => {
    const recorder = await recordingHandler(db, schema);
    consumer = await startConsumer({ name: 'test.consumer', routingKeys: ['test.*.v1'], db, schema, transport: bus, handler: recorder.handler, logger: testLogger() });
    const events = Array.from({ length: 500 }, (_, n) => integrationEvent(n));
    await writeOutbox(db, schema, events);
    relay = await startOutboxRelay({ db, schema, publisher: bus, batchSize: 100, pollIntervalMs: 20, logger: testLogger() });

    await eventually('an empty outbox', () => outboxCount(db, schema), (count) => count === 0);
    // The outbox is empty only once the consumer committed: the bus confirms after handling.
    expect(await recorder.appliedCount()).toBe(500);

    await writeOutbox(db, schema, events.slice(0, 20));
    relay.notify();
    await eventually('an empty outbox', () => outboxCount(db, schema), (count) => count === 0);
    expect(consumer.status()).toMatchObject({ applied: 500, duplicates: 20, failures: 0 });
    expect(recorder.invocations.size).toBe(500);
    expect([...recorder.invocations.values()].every((n) => n === 1)).toBe(true);
    expect(await recorder.appliedCount()).toBe(500);
  });

  it('confirms a publish only after the consumer committed, and a duplicate publish is a no-op', async () => {
    const recorder = await recordingHandler(db, schema);
    consumer = await startConsumer({ name: 'test.consumer', routingKeys: ['test.#'], db, schema, transport: bus, handler: recorder.handler, logger: testLogger() });
    const event = integrationEvent(1);

    await Promise.all([bus.publish([outboundMessage(event)]), bus.publish([outboundMessage(event)])]);

    expect(await recorder.appliedCount()).toBe(1);
    expect(consumer.status()).toMatchObject({ applied: 1, duplicates: 1 });
  });

  it('parks a poison message after maxAttempts, logs it, and applies the messages behind it', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }));
    const loggedBus = createInProcessBus({ redeliveryDelayMs: 5, logger });
    const events = Array.from({ length: 50 }, (_, n) => integrationEvent(n));
    const poison = events[0]!;
    const recorder = await recordingHandler(db, schema, (e) => e.messageId === poison.messageId);
    consumer = await startConsumer({
      name: 'test.consumer',
      routingKeys: ['test.#'],
      db,
      schema,
      transport: loggedBus,
      handler: recorder.handler,
      maxAttempts: 4,
      prefetch: 1,
      logger: testLogger(),
    });

    await loggedBus.publish(events.map((e) => outboundMessage(e))); // resolves: handled or parked

    expect(await recorder.appliedCount()).toBe(49);
    expect(recorder.invocations.get(poison.messageId)).toBe(4);
    const parked = loggedBus.deadLetters('test.consumer');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ consumer: 'test.consumer', messageId: poison.messageId, routingKey: poison.type, attempts: 4, lastError: `poison: ${poison.messageId}` });
    expect(JSON.parse(parked[0]!.body)).toEqual(poison);
    expect(lines.some((line) => line.includes('dead-lettered') && line.includes(poison.messageId))).toBe(true);
    await consumer.stop();
    consumer = undefined;
    await loggedBus.close();
  });

  it('keeps a message no consumer is bound for aside, as RabbitMQ does, without failing the publish', async () => {
    await bus.subscribe({ name: 'test.other', routingKeys: ['other.#'], maxAttempts: 1, prefetch: 1 }, async () => undefined);
    const event = integrationEvent(1);

    await bus.publish([outboundMessage(event)]);

    expect(bus.unrouted()).toEqual([outboundMessage(event)]);
  });

  it('routes a key to a consumer bound after that key was first published', async () => {
    const seen: string[] = [];
    await bus.subscribe({ name: 'test.other', routingKeys: ['other.#'], maxAttempts: 1, prefetch: 1 }, async () => undefined);
    await bus.publish([outboundMessage(integrationEvent(1))]); // no one is bound for it yet

    await bus.subscribe({ name: 'test.late', routingKeys: ['test.#'], maxAttempts: 1, prefetch: 1 }, async (message) => {
      seen.push(message.messageId);
    });
    const later = outboundMessage(integrationEvent(2));
    await bus.publish([later]);

    expect(seen).toEqual([later.messageId]);
    expect(bus.unrouted()).toHaveLength(1);
  });

  it('keeps messages for a consumer that stopped, and hands them over when it is back', async () => {
    const recorder = await recordingHandler(db, schema);
    const start = () =>
      startConsumer({ name: 'test.consumer', routingKeys: ['test.#'], db, schema, transport: bus, handler: recorder.handler, logger: testLogger() });
    consumer = await start();
    await consumer.stop();

    const published = bus.publish([outboundMessage(integrationEvent(1)), outboundMessage(integrationEvent(2))]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await recorder.appliedCount()).toBe(0);

    consumer = await start();
    await published;
    expect(await recorder.appliedCount()).toBe(2);
  });

  describe('with an idempotent handler (effects elsewhere, no transaction held)', () => {
    it('records each message after its handler succeeds, runs it again after a failure, and counts a redelivery as a duplicate', async () => {
      const seen: number[] = [];
      let failOnce = true;
      consumer = await startConsumer({
        name: 'test.idempotent',
        routingKeys: ['test.*.v1'],
        db,
        schema,
        transport: bus,
        logger: testLogger(),
        idempotentHandler: async (event) => {
          const n = (event.data as { n: number }).n;
          if (n === 2 && failOnce) {
            failOnce = false;
            throw new Error('the aggregate was busy');
          }
          seen.push(n);
        },
      });
      const events = [integrationEvent(1), integrationEvent(2)];
      await bus.publish(events.map((e) => outboundMessage(e)));
      await bus.publish([outboundMessage(events[0]!)]); // a redelivery: handled again (the handler is idempotent), recorded once
      expect(seen.sort()).toEqual([1, 1, 2]);
      // the records land after the acknowledgements, and count the messages
      const status = await eventually('the records to land', async () => consumer!.status(), (s) => s.applied + s.duplicates >= 3);
      expect(status).toEqual(expect.objectContaining({ applied: 2, duplicates: 1, failures: 1 }));
      const recorded = await db.knex.withSchema(schema).table('inbox').where({ consumer: 'test.idempotent' }).pluck('message_id');
      expect(recorded.sort()).toEqual(events.map((e) => e.messageId).sort());
    });

    it('needs exactly one kind of handler', async () => {
      await expect(startConsumer({ name: 'test.neither', routingKeys: ['test.#'], db, schema, transport: bus })).rejects.toThrow('needs exactly one of handler, handleBatch, idempotentHandler and idempotentBatchHandler');
    });
  });
});
