/**
 * Outbox → relay → RabbitMQ (confirms) → consumer (inbox) against the real servers: every row is
 * applied exactly once, a redelivered message is a no-op, a message nobody listens for waits in the
 * unrouted queue, and a message not even that can take is reported and kept while the rows behind it flow.
 */
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../../test/servers';
import {
  migrateRuntimeSchema,
  openDatabase,
  openRabbitMqTransport,
  startConsumer,
  startOutboxRelay,
  type Consumer,
  type Database,
  type OutboxRelay,
  type RabbitMqTransport,
} from '../../src';
import { unroutedName } from '../../src/messaging/rabbitmq/topology';
import { deleteBrokerObjects, drainQueue, eventually, integrationEvent, outboxCount, recordingHandler, testLogger, uniqueName, writeOutbox } from './fixtures';

describeWithServer('postgres', 'relaying the outbox to RabbitMQ', () => {
  describeWithServer('rabbitmq', 'with publisher confirms', () => {
    const amqpUrl = requireServerUrl('rabbitmq');
    let db: Database;
    let schema: string;
    let exchange: string;
    let consumerName: string;
    let publishing: RabbitMqTransport;
    let consuming: RabbitMqTransport;
    let relay: OutboxRelay | undefined;
    let consumer: Consumer | undefined;

    beforeEach(async () => {
      db = await openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres'), poolSize: 20 });
      schema = uniqueSchema('relay_amqp');
      await migrateRuntimeSchema(db, schema);
      exchange = uniqueName('test.events');
      consumerName = uniqueName('test.consumer');
      publishing = await openRabbitMqTransport({ url: amqpUrl, exchange, connectionName: 'test relay', logger: testLogger() });
      consuming = await openRabbitMqTransport({ url: amqpUrl, exchange, connectionName: 'test consumer', logger: testLogger() });
    });

    afterEach(async () => {
      await relay?.stop();
      await consumer?.stop();
      await publishing.close();
      await consuming.close();
      await deleteBrokerObjects(amqpUrl, [consumerName, `${consumerName}.dlq`], [exchange]);
      await db.knex.raw(`drop schema if exists ${schema} cascade`);
      await db.close();
    });

    it('delivers every outbox row, which the consumer applies exactly once, redeliveries included', async () => {
      const recorder = await recordingHandler(db, schema);
      consumer = await startConsumer({ name: consumerName, routingKeys: ['test.#'], db, schema, transport: consuming, handler: recorder.handler, prefetch: 20, logger: testLogger() });
      const events = Array.from({ length: 2_000 }, (_, n) => integrationEvent(n));
      await writeOutbox(db, schema, events);
      relay = await startOutboxRelay({ db, schema, publisher: publishing, batchSize: 250, pollIntervalMs: 50, logger: testLogger() });

      await eventually('2,000 applied', recorder.appliedCount, (count) => count === 2_000);
      expect(await outboxCount(db, schema)).toBe(0);

      // The same messages once more, as after a relay crash between confirm and delete.
      await writeOutbox(db, schema, events.slice(0, 100));
      relay.notify();
      await eventually('100 redeliveries skipped', async () => consumer!.status().duplicates, (n) => n === 100);

      expect(await recorder.appliedCount()).toBe(2_000);
      expect(recorder.invocations.size).toBe(2_000);
      expect([...recorder.invocations.values()].every((n) => n === 1)).toBe(true);
      expect(consumer.status()).toMatchObject({ applied: 2_000, duplicates: 100, failures: 0 });
      const inbox = await db.knex.withSchema(schema).table('inbox').where({ consumer: consumerName }).count<{ count: string }[]>('* as count').first();
      expect(Number(inbox?.count)).toBe(2_000);
      expect(await relay.status()).toMatchObject({ pending: 0, publishedTotal: 2_100, failedAttempts: 0 });
    });

    it('keeps a message nobody listens for in <exchange>.unrouted, and publishes it like the others', async () => {
      const recorder = await recordingHandler(db, schema);
      consumer = await startConsumer({ name: consumerName, routingKeys: ['test.ThingHappened.v1'], db, schema, transport: consuming, handler: recorder.handler, logger: testLogger() });
      const orphan = integrationEvent(0, 'test.NobodyListens.v1');
      await writeOutbox(db, schema, [orphan, ...Array.from({ length: 50 }, (_, n) => integrationEvent(n + 1))]);
      relay = await startOutboxRelay({ db, schema, publisher: publishing, pollIntervalMs: 50, logger: testLogger() });

      await eventually('50 applied', recorder.appliedCount, (count) => count === 50);
      await eventually('the outbox emptied', () => outboxCount(db, schema), (n) => n === 0);
      const unrouted = await drainQueue(amqpUrl, unroutedName(exchange));
      expect(unrouted.map((m) => m.messageId)).toEqual([orphan.messageId]);
    });

    it('reports a message that not even the alternate exchange can route, and keeps its row while the rows behind it are published', async () => {
      const recorder = await recordingHandler(db, schema);
      consumer = await startConsumer({ name: consumerName, routingKeys: ['test.ThingHappened.v1'], db, schema, transport: consuming, handler: recorder.handler, logger: testLogger() });
      relay = await startOutboxRelay({ db, schema, publisher: publishing, pollIntervalMs: 50, retry: { initialDelayMs: 20, maxDelayMs: 200 }, logger: testLogger() });
      await writeOutbox(db, schema, [integrationEvent(0)]);
      await eventually('the publisher open', recorder.appliedCount, (count) => count === 1);
      // the topology broken under the running transports (they declare it again only when a channel opens)
      await deleteBrokerObjects(amqpUrl, [unroutedName(exchange)]);

      const orphan = integrationEvent(1, 'test.NobodyListens.v1');
      await writeOutbox(db, schema, [orphan, ...Array.from({ length: 50 }, (_, n) => integrationEvent(n + 2))]);
      relay.notify();
      await eventually('51 applied', recorder.appliedCount, (count) => count === 51);
      const row = await eventually(
        'the orphan tried twice',
        () => db.knex.withSchema(schema).table('outbox').first('message_id', 'attempts', 'last_error'),
        (r) => Number(r?.attempts) >= 2,
      );
      expect(row).toMatchObject({ message_id: orphan.messageId, last_error: expect.stringMatching(/^unroutable/) });
      expect(await outboxCount(db, schema)).toBe(1);
      expect((await relay.status()).lastError?.message).toMatch(/^unroutable/);
    });
  });
});
