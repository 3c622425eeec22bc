/**
 * The inbox's retention: a consumer deletes its records older than its retention, a few thousand
 * a statement, and only its own; what it deleted is handled again if it ever comes back. On
 * PostgreSQL and on PGlite, over the in-process bus.
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, outboundMessage, pruneInbox, startConsumer, type Consumer, type Database, type InProcessBus } from '..';
import { describeWithServer, requireServerUrl } from '../../../test/servers';
import { endConsumerScene, eventually, integrationEvent, openConsumerScene, testLogger } from '../../test/messaging/fixtures';

const CONSUMER = 'test.retention';
const OTHER = 'test.retention-other';
const DAY_MS = 86_400_000;

function inboxRetentionSuite(open: () => Promise<Database>): void {
  let db: Database;
  let schema: string;
  let bus: InProcessBus;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    db = await open();
  });

  beforeEach(async () => {
    ({ schema, bus } = await openConsumerScene(db, 'inbox_keep'));
  });

  afterEach(async () => {
    await endConsumerScene(db, { schema, bus }, consumer);
    consumer = undefined;
  });

  afterAll(async () => {
    await db.close();
  });

  /** Inbox records of `consumer`, handled `daysAgo` days ago; their message ids. */
  const records = async (consumer: string, count: number, daysAgo: number): Promise<string[]> => {
    const ids = Array.from({ length: count }, () => randomUUID());
    const at = new Date(Date.now() - daysAgo * DAY_MS);
    await db.knex.withSchema(schema).table('inbox').insert(ids.map((message_id) => ({ consumer, message_id, processed_at: at })));
    return ids.sort();
  };
  const kept = async (consumer: string): Promise<string[]> =>
    (await db.knex.withSchema(schema).table('inbox').where({ consumer }).select<Array<{ message_id: string }>>('message_id')).map((row) => row.message_id).sort();

  /** The delete statements this knex sends on the inbox while `work` runs. */
  const deletesDuring = async <T>(work: () => Promise<T>): Promise<{ result: T; deletes: number }> => {
    let deletes = 0;
    const listener = (query: { sql: string }) => {
      if (/^delete from/i.test(query.sql) && query.sql.includes(`"${schema}".inbox`)) deletes += 1;
    };
    db.knex.on('query', listener);
    try {
      return { result: await work(), deletes };
    } finally {
      db.knex.removeListener('query', listener);
    }
  };

  it('deletes a consumer’s records handled before the moment given, in statements of batchSize, and nothing else', async () => {
    await records(CONSUMER, 10, 40);
    const recent = await records(CONSUMER, 4, 10);
    const othersOld = await records(OTHER, 5, 40);

    const { result: deleted, deletes } = await deletesDuring(() => pruneInbox({ db, schema, consumer: CONSUMER, before: new Date(Date.now() - 30 * DAY_MS), batchSize: 3 }));

    expect(deleted).toBe(10);
    // 3 + 3 + 3 + 1: the short statement ends it
    expect(deletes).toBe(4);
    expect(await kept(CONSUMER)).toEqual(recent);
    expect(await kept(OTHER)).toEqual(othersOld);
  });

  it('stops between statements once told to', async () => {
    await records(CONSUMER, 10, 40);
    const deleted = await pruneInbox({ db, schema, consumer: CONSUMER, before: new Date(), batchSize: 4, stopped: () => true });
    expect(deleted).toBe(4);
    expect(await kept(CONSUMER)).toHaveLength(6);
  });

  it('deletes nothing from an inbox with no record that old', async () => {
    const recent = await records(CONSUMER, 3, 1);
    expect(await pruneInbox({ db, schema, consumer: CONSUMER, before: new Date(Date.now() - 30 * DAY_MS) })).toBe(0);
    expect(await kept(CONSUMER)).toEqual(recent);
  });

  it('finds the records by a BRIN index on processed_at, which the migration creates', async () => {
    const indexes = (await db.knex.raw(`select indexdef from pg_indexes where schemaname = ? and tablename = 'inbox'`, [schema])) as { rows: Array<{ indexdef: string }> };
    expect(indexes.rows.map((row) => row.indexdef)).toContainEqual(expect.stringMatching(/USING brin \(processed_at\)/));
  });

  it('a running consumer deletes its records past its retention on its own, and handles a message deleted from the inbox as new if it comes again', async () => {
    const old = await records(CONSUMER, 7, 3);
    const recent = await records(CONSUMER, 2, 0.5);
    const handled: string[] = [];
    consumer = await startConsumer({
      name: CONSUMER,
      routingKeys: ['test.#'],
      db,
      schema,
      transport: bus,
      inboxRetentionDays: 2,
      inboxPruneIntervalMs: 20,
      idempotentHandler: async (event) => {
        handled.push(event.messageId);
      },
      logger: testLogger(),
    });

    await eventually('the old records to go', () => kept(CONSUMER), (ids) => ids.length === recent.length);
    expect(await kept(CONSUMER)).toEqual(recent);
    expect(consumer.status().inboxPruned).toBe(old.length);

    // a message whose record was deleted comes again: nothing says it was handled, so it is handled
    const event = { ...integrationEvent(1), messageId: old[0]! };
    await bus.publish([outboundMessage(event)]);
    await eventually('the message to count as applied', async () => consumer!.status(), (status) => status.applied === 1);
    expect(handled).toEqual([old[0]]);
  });

  it('refuses a retention that is not a positive number of days, and a pruning interval that is not positive', async () => {
    for (const inboxRetentionDays of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(startConsumer({ name: CONSUMER, routingKeys: ['test.#'], db, schema, transport: bus, inboxRetentionDays, idempotentHandler: async () => undefined, logger: testLogger() })).rejects.toThrow(
        /inboxRetentionDays must be a positive number of days/,
      );
    }
    await expect(startConsumer({ name: CONSUMER, routingKeys: ['test.#'], db, schema, transport: bus, inboxPruneIntervalMs: 0, idempotentHandler: async () => undefined, logger: testLogger() })).rejects.toThrow(
      /inboxPruneIntervalMs must be a positive number of milliseconds/,
    );
  });
}

describeWithServer('postgres', 'the inbox retention, on PostgreSQL', () => {
  inboxRetentionSuite(() => openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres') }));
});

describe('the inbox retention, on PGlite', () => {
  inboxRetentionSuite(() => openDatabase({ kind: 'pglite' }));
});
