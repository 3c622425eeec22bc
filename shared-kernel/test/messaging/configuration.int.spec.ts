/**
 * Bad configuration is refused before anything is declared (names, numbers), or, when only the
 * broker can tell (a queue declared earlier with other arguments, a wrong password, an exchange
 * of another type), with an error that says what to do.
 */
import { connect } from 'amqplib';
import { describeWithServer, requireServerUrl } from '../../../test/servers';
import {
  createInProcessBus,
  MessagingConfigurationError,
  migrateRuntimeSchema,
  openDatabase,
  openRabbitMqTransport,
  startConsumer,
  startOutboxRelay,
  type ConsumerOptions,
  type Database,
  type Transport,
} from '../../src';
import { deleteBrokerObjects, testLogger, uniqueName } from './fixtures';

const handler = async (): Promise<void> => undefined;

describe('messaging configuration', () => {
  let db: Database;
  let bus: Transport;

  beforeAll(async () => {
    db = await openDatabase({ kind: 'pglite' });
    await migrateRuntimeSchema(db);
  });

  beforeEach(() => {
    bus = createInProcessBus({ logger: testLogger() });
  });

  afterEach(async () => {
    await bus.close();
  });

  afterAll(async () => {
    await db.close();
  });

  const consumerWith = (overrides: Partial<ConsumerOptions>) =>
    startConsumer({ name: 'test.consumer', routingKeys: ['test.#'], db, transport: bus, handler, logger: testLogger(), ...overrides });

  it.each([
    ['a name with a space', { name: 'order payments' }, /consumer \(queue\) name "order payments" is not valid/],
    ['an empty name', { name: '' }, /consumer \(queue\) name "" is not valid/],
    ['a name RabbitMQ reserves', { name: 'amq.orders' }, /starts with 'amq\.'/],
    ['no routing keys', { routingKeys: [] }, /needs at least one routing key/],
    ['a malformed routing key pattern', { routingKeys: ['order..OrderPlaced'] }, /routing key pattern "order\.\.OrderPlaced" is not valid/],
    ['maxAttempts 0', { maxAttempts: 0 }, /maxAttempts of consumer 'test.consumer' must be a whole number from 1 to 1000; got 0/],
    ['maxAttempts 2.5', { maxAttempts: 2.5 }, /maxAttempts .* got 2.5/],
    ['prefetch 0', { prefetch: 0 }, /prefetch of consumer 'test.consumer' must be a whole number from 1/],
  ])('refuses a consumer with %s', async (_what, overrides, message) => {
    const error = await consumerWith(overrides).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagingConfigurationError);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a consumer whose inbox table is missing, saying how to create it', async () => {
    await expect(consumerWith({ schema: 'not_migrated' })).rejects.toThrow(/run migrateRuntimeSchema\(db, 'not_migrated'\) first/);
  });

  it('refuses a relay with a batch size of 0 or an invalid schema name', async () => {
    await expect(startOutboxRelay({ db, publisher: bus, batchSize: 0, logger: testLogger() })).rejects.toThrow(/batchSize must be a whole number from 1/);
    await expect(startOutboxRelay({ db, schema: 'Bad-Schema', publisher: bus, logger: testLogger() })).rejects.toThrow(/not a valid lower-case SQL identifier/);
  });

  it('refuses to publish with an invalid routing key', async () => {
    await expect(bus.publish([{ messageId: 'x', routingKey: 'order.#', payload: {} as never, headers: {} }])).rejects.toThrow(MessagingConfigurationError);
  });

  it.each([
    ['a name RabbitMQ reserves', 'amq.topic', /starts with 'amq\.'/],
    ['a name with a slash', 'events/orders', /exchange name "events\/orders" is not valid/],
  ])('refuses a RabbitMQ exchange with %s before connecting', async (_what, exchange, message) => {
    // Port 1 has nobody listening: the name is refused before any connection attempt.
    const error = await openRabbitMqTransport({ url: 'amqp://127.0.0.1:1', exchange, logger: testLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagingConfigurationError);
    expect((error as Error).message).toMatch(message);
  });
});

describeWithServer('rabbitmq', 'messaging configuration that only RabbitMQ can check', () => {
  const amqpUrl = requireServerUrl('rabbitmq');
  let db: Database;

  beforeAll(async () => {
    db = await openDatabase({ kind: 'pglite' });
    await migrateRuntimeSchema(db);
  });

  afterAll(async () => {
    await db.close();
  });

  it('refuses to change the maxAttempts of an existing queue, saying why', async () => {
    const exchange = uniqueName('test.events');
    const name = uniqueName('test.consumer');
    const transport = await openRabbitMqTransport({ url: amqpUrl, exchange, logger: testLogger() });
    try {
      const first = await startConsumer({ name, routingKeys: ['test.#'], db, transport, handler, maxAttempts: 3, logger: testLogger() });
      await first.stop();
      const error = await startConsumer({ name, routingKeys: ['test.#'], db, transport, handler, maxAttempts: 5, logger: testLogger() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagingConfigurationError);
      expect((error as Error).message).toMatch(new RegExp(`refused the queue '${name.replace(/\./g, '\\.')}': it exists with other arguments .*x-delivery-limit`));
    } finally {
      await transport.close();
      await deleteBrokerObjects(amqpUrl, [name, `${name}.dlq`], [exchange]);
    }
  });

  it('refuses wrong credentials at once instead of retrying for ever', async () => {
    const url = new URL(amqpUrl);
    url.password = 'not-the-password';
    const started = Date.now();
    const error = await openRabbitMqTransport({ url: url.toString(), logger: testLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagingConfigurationError);
    expect((error as Error).message).toMatch(/ACCESS_REFUSED/);
    expect((error as Error).message).not.toContain('not-the-password');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses an exchange that exists with another type', async () => {
    const exchange = uniqueName('test.fanout');
    const admin = await connect(amqpUrl);
    const channel = await admin.createChannel();
    await channel.assertExchange(exchange, 'fanout', { durable: true });
    try {
      const error = await openRabbitMqTransport({ url: amqpUrl, exchange, logger: testLogger() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessagingConfigurationError);
      expect((error as Error).message).toMatch(/inequivalent arg 'type'/);
    } finally {
      await channel.deleteExchange(exchange);
      await admin.close();
    }
  });
});
