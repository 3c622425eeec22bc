/**
 * A consumer that joins after integration events went out gets them with `npm run projections --
 * republish <projector> --to <consumer>`: on the in-process bus (PGlite) and on RabbitMQ
 * (PostgreSQL), it alone receives them, the consumers that had them see nothing, and only what the
 * projector already published is sent.
 */
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../../test/servers';
import {
  CliUsageError,
  createEmbeddedEventStore,
  createInProcessBus,
  migrateRuntimeSchema,
  openDatabase,
  openRabbitMqTransport,
  startConsumer,
  startOutboxRelay,
  type Consumer,
  type Database,
  type EventStore,
  type OutboxRelay,
  type Transport,
} from '../../src';
import { orderSummariesProjector, sampleOrderHistory } from '../../src/projections/fixtures/orderSummaries';
import { deleteBrokerObjects, eventually, outboxCount, testLogger, uniqueName } from '../messaging/fixtures';
import { projectionsCliOutput } from './cliOutput';

interface Bench {
  db: Database;
  /** Publishing and consuming (the same in-process bus, or two RabbitMQ connections). */
  publisher: Transport;
  consuming: Transport;
  /** What RabbitMQ calls a consumer's queue, for the clean-up. */
  names: string[];
  close(): Promise<void>;
}

function republishSuite(label: string, open: () => Promise<Bench>): void {
  describe(label, () => {
    let store: EventStore;
    let bench: Bench;
    let schema: string;
    let relay: OutboxRelay | undefined;
    const consumers: Consumer[] = [];
    const definition = orderSummariesProjector({ name: 'republished_orders' });
    let paidIds: string[];

    beforeEach(async () => {
      store = await createEmbeddedEventStore({ dataDir: 'memory://' });
      bench = await open();
      schema = uniqueSchema('republish');
      await migrateRuntimeSchema(bench.db, schema);
      for (const { streamId, events } of sampleOrderHistory(120, 12)) await store.appendToStream(streamId, events);
      paidIds = (await store.readAll({ filter: { streamCategories: ['order'] } })).filter((e) => e.type === 'OrderPaid').map((e) => e.id);
    });

    afterEach(async () => {
      await relay?.stop();
      relay = undefined;
      await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
      await bench.db.knex.raw(`drop schema if exists ${schema} cascade`);
      await bench.close();
      await store.close();
    });

    const cli = (...argv: string[]): Promise<string> =>
      projectionsCliOutput(argv, {
        definitions: [definition],
        runtimeSchema: schema,
        progressEveryMs: 60_000,
        open: async () => ({ store, db: bench.db, close: async () => undefined }),
      });

    /** A consumer that keeps the message ids it was handed. */
    async function consumer(name: string, routingKeys: string[]): Promise<{ consumer: Consumer; received: string[] }> {
      const received: string[] = [];
      const started = await startConsumer({
        name,
        routingKeys,
        db: bench.db,
        schema,
        transport: bench.consuming,
        idempotentHandler: async (event) => void received.push(event.source.eventId),
        logger: testLogger(),
      });
      consumers.push(started);
      return { consumer: started, received };
    }

    const relayOutbox = async (): Promise<void> => {
      relay ??= await startOutboxRelay({ db: bench.db, schema, publisher: bench.publisher, batchSize: 50, pollIntervalMs: 20, retry: { initialDelayMs: 10, maxDelayMs: 50 }, logger: testLogger() });
      relay.notify();
    };

    it('sends what was published before a consumer joined to it alone, and nothing more', async () => {
      const early = await consumer(uniqueName('early'), ['order.#']);
      bench.names.push(early.consumer.name);
      expect(await cli('rebuild', definition.name)).toContain('Rebuilt republished_orders generation 1');
      await relayOutbox();
      await eventually('the early consumer to have every OrderPaid', async () => early.received.length, (n) => n === paidIds.length);
      await eventually('an empty outbox', () => outboxCount(bench.db, schema), (n) => n === 0);
      expect(paidIds.length).toBeGreaterThan(10);

      // Events after the projector last published (it is not running): the projector sends them itself, to everyone.
      for (const { streamId, events } of sampleOrderHistory(12, 3)) await store.appendToStream(`${streamId}-later`, events);

      const late = await consumer(uniqueName('late'), ['order.#']);
      const narrow = await consumer(uniqueName('narrow'), ['order.OrderShipped.v1']);
      bench.names.push(late.consumer.name, narrow.consumer.name);
      expect(late.received).toEqual([]);

      const said = await cli('republish', definition.name, '--to', late.consumer.name);
      expect(said).toMatch(new RegExp(`^Republished ${paidIds.length} integration events of republished_orders to ${late.consumer.name} \\(240 events read, up to \\d{20}/\\d{20}\\)`));
      await relayOutbox();
      await eventually('the late consumer to have every earlier OrderPaid', async () => late.received.length, (n) => n >= paidIds.length);
      await eventually('an empty outbox', () => outboxCount(bench.db, schema), (n) => n === 0);
      expect([...late.received].sort()).toEqual([...paidIds].sort());
      expect(early.received).toHaveLength(paidIds.length);
      expect(narrow.received).toEqual([]);

      // Addressed to a consumer bound for none of them: acknowledged, not handled.
      expect(await cli('republish', definition.name, '--to', narrow.consumer.name)).toContain(`Republished ${paidIds.length} integration events`);
      await relayOutbox();
      await eventually('the narrow consumer to skip them all', async () => narrow.consumer.status().skipped, (n) => n === paidIds.length);
      expect(narrow.received).toEqual([]);

      // From a position on: only the events from there.
      const from = (await store.readAll({ filter: { streamCategories: ['order'] } })).filter((e) => e.type === 'OrderPaid')[5]!;
      expect(await cli('republish', definition.name, '--to', late.consumer.name, '--from', from.position)).toContain(`Republished ${paidIds.length - 5} integration events`);
      await relayOutbox();
      await eventually('an empty outbox', () => outboxCount(bench.db, schema), (n) => n === 0);
      await eventually('the redeliveries to be counted', async () => late.consumer.status().duplicates, (n) => n === paidIds.length - 5);
    }, 60_000);

    it('keeps messages for a consumer without a queue in the outbox, saying why, while the rest flows', async () => {
      expect(await cli('rebuild', definition.name)).toContain('Rebuilt');
      const everyone = await consumer(uniqueName('everyone'), ['order.#']);
      bench.names.push(everyone.consumer.name);
      await relayOutbox();
      await eventually('an empty outbox', () => outboxCount(bench.db, schema), (n) => n === 0);

      const nobody = uniqueName('nobody');
      expect(await cli('republish', definition.name, '--to', nobody)).toContain(`Republished ${paidIds.length} integration events of republished_orders to ${nobody}`);
      await relayOutbox();
      const rows = await eventually(
        'the relay to mark them unroutable',
        () => bench.db.knex.withSchema(schema).table('outbox').select<Array<{ destination: string; last_error: string | null }>>('destination', 'last_error'),
        (found) => found.length > 0 && found.every((row) => row.last_error?.startsWith('unroutable') === true),
      );
      expect(rows).toHaveLength(paidIds.length);
      expect(new Set(rows.map((row) => row.destination))).toEqual(new Set([nobody]));
      expect(everyone.received).toHaveLength(paidIds.length);
    }, 60_000);

    it('leaves out what still waits in the outbox, and refuses what it cannot do', async () => {
      expect(await cli('republish', definition.name, '--to', 'some.consumer')).toBe('republished_orders has published nothing yet; there is nothing to republish.\n');
      expect(await cli('rebuild', definition.name)).toContain('Rebuilt');
      // Nothing relayed yet: every message still waits, addressed to everyone.
      const said = await cli('republish', definition.name, '--to', 'some.consumer');
      expect(said).toContain('Republished 0 integration events');
      expect(said).toContain(`${paidIds.length} were left out: a message with the same id still waits in the outbox. Run this again once the outbox has drained.`);

      await expect(cli('republish')).rejects.toThrow(/^republish needs a projector name: one of republished_orders\.$/);
      await expect(cli('republish', definition.name)).rejects.toThrow(/^republish needs the consumer to send to: --to <consumer>/);
      await expect(cli('republish', definition.name, '--to', 'Not A Name')).rejects.toThrow(CliUsageError);
      await expect(cli('republish', definition.name, '--to', 'a.consumer', '--from', 'yesterday')).rejects.toThrow(/^--from takes a position as commands answer it/);
      await expect(cli('republish', definition.name, '--to', 'a', '--to', 'b')).rejects.toThrow(/^usage/);
    });
  });
}

republishSuite('republishing on the in-process bus (PGlite)', async () => {
  const db = await openDatabase({ kind: 'pglite' });
  const bus = createInProcessBus({ redeliveryDelayMs: 5, logger: testLogger() });
  return { db, publisher: bus, consuming: bus, names: [], close: async () => (await bus.close(), await db.close()) };
});

describeWithServer('postgres', 'republishing on RabbitMQ', () => {
  describeWithServer('rabbitmq', 'with PostgreSQL', () => {
    republishSuite('(a broker and a server)', async () => {
      const url = requireServerUrl('rabbitmq');
      const db = await openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres') });
      const exchange = uniqueName('test.events');
      const publishing = await openRabbitMqTransport({ url, exchange, connectionName: 'test republish relay', logger: testLogger() });
      const consuming = await openRabbitMqTransport({ url, exchange, connectionName: 'test republish consumers', logger: testLogger() });
      const names: string[] = [];
      return {
        db,
        publisher: publishing,
        consuming,
        names,
        close: async () => {
          await publishing.close();
          await consuming.close();
          await deleteBrokerObjects(url, names.flatMap((name) => [name, `${name}.dlq`]), [exchange]);
          await db.close();
        },
      };
    });
  });
});
