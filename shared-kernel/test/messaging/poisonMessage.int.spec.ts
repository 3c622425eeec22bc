/**
 * A message whose handler always fails ends in `<name>.dlq` after maxAttempts deliveries, and the
 * messages behind it are all applied (RabbitMQ quorum queue, delivery limit, dead-lettering).
 */
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../../test/servers';
import { migrateRuntimeSchema, openDatabase, openRabbitMqTransport, outboundMessage, startConsumer, type Consumer, type Database, type RabbitMqTransport } from '../../src';
import { deleteBrokerObjects, drainQueue, eventually, integrationEvent, recordingHandler, testLogger, uniqueName } from './fixtures';

describeWithServer('postgres', 'a poison message on RabbitMQ', () => {
  describeWithServer('rabbitmq', 'with a quorum queue and a dead-letter queue', () => {
    const amqpUrl = requireServerUrl('rabbitmq');
    let db: Database;
    let schema: string;
    let exchange: string;
    let consumerName: string;
    let transport: RabbitMqTransport;
    let consumer: Consumer | undefined;

    beforeEach(async () => {
      db = await openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres') });
      schema = uniqueSchema('poison');
      await migrateRuntimeSchema(db, schema);
      exchange = uniqueName('test.events');
      consumerName = uniqueName('test.consumer');
      transport = await openRabbitMqTransport({ url: amqpUrl, exchange, logger: testLogger() });
    });

    afterEach(async () => {
      await consumer?.stop();
      await transport.close();
      await deleteBrokerObjects(amqpUrl, [consumerName, `${consumerName}.dlq`], [exchange]);
      await db.knex.raw(`drop schema if exists ${schema} cascade`);
      await db.close();
    });

    it('ends in the dead-letter queue after maxAttempts, and the messages behind it keep flowing', async () => {
      const events = Array.from({ length: 200 }, (_, n) => integrationEvent(n));
      const poison = events[3]!;
      const recorder = await recordingHandler(db, schema, (event) => event.messageId === poison.messageId);
      consumer = await startConsumer({
        name: consumerName,
        routingKeys: ['test.#'],
        db,
        schema,
        transport,
        handler: recorder.handler,
        maxAttempts: 3,
        prefetch: 1, // one at a time: the poison message blocks nothing even so
        logger: testLogger(),
      });
      await transport.publish(events.map((event) => outboundMessage(event)));

      await eventually('199 applied', recorder.appliedCount, (count) => count === 199);
      const deadLetters = await eventually('the poison message dead-lettered', () => drainQueue(amqpUrl, `${consumerName}.dlq`), (found) => found.length > 0);

      expect(deadLetters.map((letter) => letter.messageId)).toEqual([poison.messageId]);
      expect(deadLetters[0]!.body).toEqual(poison);
      expect(deadLetters[0]!.headers['x-first-death-reason']).toBe('delivery_limit');
      expect(recorder.invocations.get(poison.messageId)).toBe(3);
      expect(consumer.status()).toMatchObject({ applied: 199, failures: 3 });
      const applied = await db.knex.withSchema(schema).table('applied').pluck('message_id');
      expect(new Set(applied)).toEqual(new Set(events.filter((e) => e !== poison).map((e) => e.messageId)));
    });
  });
});
