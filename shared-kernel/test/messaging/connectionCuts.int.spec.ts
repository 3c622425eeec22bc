/**
 * The relay's connection to RabbitMQ goes through a TCP proxy that the test cuts (every socket
 * destroyed, reconnects refused) and restores, several times while 20,000 events are published.
 * Every message must reach the consumer at least once and be applied exactly once, and the
 * outbox must end empty.
 */
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../../test/servers';
import {
  migrateRuntimeSchema,
  openDatabase,
  openRabbitMqTransport,
  outboundMessage,
  startConsumer,
  startOutboxRelay,
  type Consumer,
  type Database,
  type OutboxRelay,
  type RabbitMqTransport,
} from '../../src';
import { deleteBrokerObjects, eventually, integrationEvent, outboxCount, recordingHandler, testLogger, uniqueName, writeOutbox } from './fixtures';
import { startTcpProxy, type TcpProxy } from './tcpProxy';

const EVENTS = 20_000;
const CHUNK = 1_000;
const CUT_EVERY_CHUNKS = 4;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithServer('postgres', 'the relay across connection cuts', () => {
  describeWithServer('rabbitmq', 'through a TCP proxy the test controls', () => {
    const amqpUrl = requireServerUrl('rabbitmq');
    let db: Database;
    let schema: string;
    let exchange: string;
    let consumerName: string;
    let proxy: TcpProxy;
    let publishing: RabbitMqTransport;
    let consuming: RabbitMqTransport;
    let relay: OutboxRelay | undefined;
    let consumer: Consumer | undefined;

    beforeAll(async () => {
      db = await openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres'), poolSize: 40 });
      schema = uniqueSchema('cuts');
      await migrateRuntimeSchema(db, schema);
      exchange = uniqueName('test.events');
      consumerName = uniqueName('test.consumer');
      const broker = new URL(amqpUrl);
      proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
      const proxied = new URL(amqpUrl);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      publishing = await openRabbitMqTransport({
        url: proxied.toString(),
        exchange,
        connectionName: 'test relay (proxied)',
        reconnect: { initialDelayMs: 20, maxDelayMs: 500 },
        logger: testLogger(),
      });
      consuming = await openRabbitMqTransport({ url: amqpUrl, exchange, connectionName: 'test consumer', logger: testLogger() });
    });

    afterAll(async () => {
      await relay?.stop();
      await consumer?.stop();
      await publishing.close();
      await consuming.close();
      await proxy.close();
      await deleteBrokerObjects(amqpUrl, [consumerName, `${consumerName}.dlq`], [exchange]);
      await db.knex.raw(`drop schema if exists ${schema} cascade`);
      await db.close();
    });

    it(`delivers ${EVENTS.toLocaleString('en')} events, each applied exactly once, through at least 3 cuts`, async () => {
      const recorder = await recordingHandler(db, schema);
      consumer = await startConsumer({ name: consumerName, routingKeys: ['test.#'], db, schema, transport: consuming, handler: recorder.handler, prefetch: 64, logger: testLogger() });
      relay = await startOutboxRelay({ db, schema, publisher: publishing, batchSize: 500, pollIntervalMs: 50, retry: { initialDelayMs: 20, maxDelayMs: 500 }, logger: testLogger() });

      const events = Array.from({ length: EVENTS }, (_, n) => integrationEvent(n));
      let cuts = 0;
      let cutWithMessagesPending = 0;
      for (let chunk = 0; chunk < EVENTS / CHUNK; chunk += 1) {
        await writeOutbox(db, schema, events.slice(chunk * CHUNK, (chunk + 1) * CHUNK));
        relay.notify();
        if (chunk % CUT_EVERY_CHUNKS === CUT_EVERY_CHUNKS - 1) {
          await sleep(30); // let the relay get a batch on the wire
          const pending = await outboxCount(db, schema);
          if (proxy.cut() > 0) cuts += 1;
          if (pending > 0) cutWithMessagesPending += 1;
          await sleep(200);
          proxy.restore();
          await eventually('the relay reconnected', async () => publishing.status(), (status) => status.connected, 10_000);
        }
      }

      await eventually(`${EVENTS} applied`, recorder.appliedCount, (count) => count === EVENTS, 45_000);
      await eventually('an empty outbox', () => outboxCount(db, schema), (count) => count === 0, 10_000);

      expect(cuts).toBeGreaterThanOrEqual(3);
      expect(cutWithMessagesPending).toBeGreaterThanOrEqual(3);
      expect(publishing.status().disconnects).toBeGreaterThanOrEqual(3);
      // Every message id received, and applied once: one row each, one handler run each.
      expect(recorder.invocations.size).toBe(EVENTS);
      expect([...recorder.invocations.values()].filter((n) => n !== 1)).toEqual([]);
      expect(await recorder.appliedCount()).toBe(EVENTS);
      const distinct = await db.knex.withSchema(schema).table('applied').countDistinct<{ count: string }[]>('message_id as count').first();
      expect(Number(distinct?.count)).toBe(EVENTS);
      const applied = new Set(await db.knex.withSchema(schema).table('applied').pluck('message_id'));
      expect(events.every((event) => applied.has(event.messageId))).toBe(true);
      const status = consumer.status();
      expect(status.applied).toBe(EVENTS);
      expect(status.failures).toBe(0);
      // Redeliveries (messages the broker had but whose confirm was lost in a cut) were skipped.
      console.info(
        `connection cuts: ${cuts} cuts (${cutWithMessagesPending} with rows pending), ${publishing.status().disconnects} disconnects, ` +
          `relay published ${(await relay.status()).publishedTotal} rows with ${(await relay.status()).failedAttempts} failed attempts; ` +
          `consumer applied ${status.applied}, skipped ${status.duplicates} redeliveries`,
      );
    }, 90_000);

    it('re-establishes a consumer whose own connection was cut, and it applies what arrived meanwhile', async () => {
      const name = uniqueName('test.consumer');
      const schemaOfTest = uniqueSchema('cuts_consumer');
      await migrateRuntimeSchema(db, schemaOfTest);
      const recorder = await recordingHandler(db, schemaOfTest);
      const consumerProxy = await startTcpProxy({ host: new URL(amqpUrl).hostname, port: Number(new URL(amqpUrl).port || 5672) });
      const proxied = new URL(amqpUrl);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(consumerProxy.port);
      const viaProxy = await openRabbitMqTransport({ url: proxied.toString(), exchange, reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, logger: testLogger() });
      const direct = await openRabbitMqTransport({ url: amqpUrl, exchange, logger: testLogger() });
      const cutConsumer = await startConsumer({ name, routingKeys: ['test.#'], db, schema: schemaOfTest, transport: viaProxy, handler: recorder.handler, logger: testLogger() });
      try {
        const events = Array.from({ length: 300 }, (_, n) => integrationEvent(n));
        await direct.publish(events.slice(0, 100).map((event) => outboundMessage(event)));
        await eventually('100 applied', recorder.appliedCount, (count) => count === 100);

        expect(consumerProxy.cut()).toBeGreaterThan(0);
        await direct.publish(events.slice(100).map((event) => outboundMessage(event))); // queued while it is away
        await sleep(300);
        expect(await recorder.appliedCount()).toBe(100);
        consumerProxy.restore();

        await eventually('300 applied', recorder.appliedCount, (count) => count === 300);
        expect(viaProxy.status()).toMatchObject({ connected: true, disconnects: 1 });
        expect(recorder.invocations.size).toBe(300);
      } finally {
        await cutConsumer.stop();
        await viaProxy.close();
        await direct.close();
        await consumerProxy.close();
        await deleteBrokerObjects(amqpUrl, [name, `${name}.dlq`]);
        await db.knex.raw(`drop schema if exists ${schemaOfTest} cascade`);
      }
    });
  });
});
