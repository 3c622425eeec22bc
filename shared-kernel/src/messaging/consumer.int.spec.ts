/**
 * The inbox records of idempotent handlers: written after the message is acknowledged,
 * micro-batched (a few statements for many messages), committed without waiting for the WAL
 * flush, duplicates still told apart, a failed insert costing counts but no message. On
 * PostgreSQL and on PGlite, over the in-process bus.
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, outboundMessage, startConsumer, type Consumer, type Database, type InProcessBus, type IntegrationEvent } from '..';
import { describeWithServer, requireServerUrl } from '../../../test/servers';
import { endConsumerScene, eventually, gate, idsOf, inboxIds, integrationEvent, openConsumerScene, testLogger } from '../../test/messaging/fixtures';

const CONSUMER = 'test.batched-inbox';

/** An idempotent handler whose runs all wait for `release()`, so that they finish in one tick. */
function gatedHandler() {
  const invocations = new Map<string, number>();
  let running = 0;
  const released = gate();
  const handle = async (event: IntegrationEvent): Promise<void> => {
    invocations.set(event.messageId, (invocations.get(event.messageId) ?? 0) + 1);
    running += 1;
    await released.passed();
    running -= 1;
  };
  return { handle, invocations, running: () => running, release: released.open };
}

/** The inbox inserts this knex sends from now on, with their SQL and bindings. */
function watchInboxInserts(db: Database, schema: string) {
  const seen: Array<{ sql: string; bindings: unknown[] }> = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => {
    if (/\binsert\b/i.test(query.sql) && query.sql.includes(`"${schema}".inbox`)) seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  };
  db.knex.on('query', listener);
  return { seen, stop: () => db.knex.removeListener('query', listener) };
}


function batchedInboxSuite(open: () => Promise<Database>): void {
  let db: Database;
  let schema: string;
  let bus: InProcessBus;
  let consumer: Consumer | undefined;
  let inserts: ReturnType<typeof watchInboxInserts>;

  beforeAll(async () => {
    db = await open();
  });

  beforeEach(async () => {
    ({ schema, bus } = await openConsumerScene(db, 'inbox_batch'));
    inserts = watchInboxInserts(db, schema);
  });

  afterEach(async () => {
    inserts.stop();
    await endConsumerScene(db, { schema, bus }, consumer);
    consumer = undefined;
  });

  afterAll(async () => {
    await db.close();
  });

  /** The consumer's counts once `applied + duplicates` reached `count` (records land after the acknowledgement). */
  const countsAt = (count: number) =>
    eventually('the records to land', async () => consumer!.status(), (status) => status.applied + status.duplicates >= count);
  const start = (handler: ReturnType<typeof gatedHandler>) =>
    startConsumer({ name: CONSUMER, routingKeys: ['test.#'], db, schema, transport: bus, prefetch: 100, idempotentHandler: handler.handle, logger: testLogger() });

  /** Publishes, waits until `count` handler runs are waiting at the gate, opens it, and waits for the publish. */
  const deliverAtOnce = async (handler: ReturnType<typeof gatedHandler>, events: readonly IntegrationEvent[], count = events.length) => {
    const published = bus.publish(events.map((event) => outboundMessage(event)));
    await eventually('every handler running', async () => handler.running(), (n) => n === count);
    handler.release();
    await published;
  };

  it('records 50 messages delivered at once with far fewer inbox statements than messages', async () => {
    const handler = gatedHandler();
    consumer = await start(handler);
    const events = Array.from({ length: 50 }, (_, n) => integrationEvent(n));

    await deliverAtOnce(handler, events);

    expect(await countsAt(50)).toMatchObject({ applied: 50, duplicates: 0, failures: 0 });
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf(events));
    expect(inserts.seen.length).toBeGreaterThanOrEqual(1);
    expect(inserts.seen.length).toBeLessThanOrEqual(3);
  });

  it('acknowledges a message once its handler succeeded, without waiting for its record', async () => {
    const handler = gatedHandler();
    consumer = await start(handler);
    const event = integrationEvent(1);
    await deliverAtOnce(handler, [event]); // resolves once the message is acknowledged

    // checked in the same turn of the event loop: no record sent yet, nothing counted yet
    expect(inserts.seen).toHaveLength(0);
    expect(consumer.status()).toMatchObject({ applied: 0, duplicates: 0 });
    expect(await countsAt(1)).toMatchObject({ applied: 1, duplicates: 0 });
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf([event]));
  });

  it('still counts redeliveries as duplicates, a message twice in one batch included', async () => {
    const first = gatedHandler();
    consumer = await start(first);
    const events = Array.from({ length: 50 }, (_, n) => integrationEvent(n));
    await deliverAtOnce(first, events);
    await consumer.stop();

    const again = gatedHandler();
    consumer = await start(again);
    const fresh = integrationEvent(50);
    // The 50 again, and a new message published twice: both copies land in the same batch.
    await deliverAtOnce(again, [...events, fresh, fresh]);

    expect(await countsAt(52)).toMatchObject({ applied: 1, duplicates: 51, failures: 0 });
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf([...events, fresh]));
    expect(again.invocations.size).toBe(51); // the handler runs again (idempotent); only the record tells
  });

  it('loses only counts when an insert of records fails: every message was handled once, none comes back', async () => {
    // The first inbox insert of this schema fails (a sequence is not rolled back with it).
    await db.knex.raw(`create sequence "${schema}".inbox_inserts`);
    await db.knex.raw(`create function "${schema}".fail_first_inbox_insert() returns trigger language plpgsql as $$
      begin
        if nextval('"${schema}".inbox_inserts') = 1 then raise exception 'injected inbox failure'; end if;
        return null;
      end $$`);
    await db.knex.raw(`create trigger fail_first before insert on "${schema}".inbox for each statement execute function "${schema}".fail_first_inbox_insert()`);
    const handler = gatedHandler();
    consumer = await start(handler);
    const events = Array.from({ length: 50 }, (_, n) => integrationEvent(n));

    await deliverAtOnce(handler, events); // the bus's publish resolves once each message is acknowledged
    const status = await eventually('the failed insert to show', async () => consumer!.status(), (s) => s.lastError !== null);

    expect(status).toMatchObject({ applied: 0, duplicates: 0, failures: 0, lastError: { message: expect.stringContaining('injected inbox failure') } });
    expect([...handler.invocations.values()]).toEqual(Array.from({ length: 50 }, () => 1));
    expect(bus.deadLetters(CONSUMER)).toEqual([]);
    expect(await inboxIds(db, schema, CONSUMER)).toEqual([]);

    // A redelivery runs the handler again (idempotent) and, unrecorded before, counts as applied.
    await deliverAtOnce(handler, events.slice(0, 5));
    expect(await countsAt(5)).toMatchObject({ applied: 5, duplicates: 0 });
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf(events.slice(0, 5)));
  });

  it('stops only once the pending batch is written', async () => {
    const handler = gatedHandler();
    consumer = await start(handler);
    const events = Array.from({ length: 50 }, (_, n) => integrationEvent(n));
    const published = bus.publish(events.map((event) => outboundMessage(event)));
    await eventually('every handler running', async () => handler.running(), (n) => n === 50);

    handler.release();
    await consumer.stop();

    expect(consumer.status()).toMatchObject({ applied: 50, failures: 0 });
    expect(await inboxIds(db, schema, CONSUMER)).toEqual(idsOf(events));
    await published;
  });

  it('writes the records with an asynchronous commit', async () => {
    const handler = gatedHandler();
    consumer = await start(handler);
    await deliverAtOnce(handler, [integrationEvent(1)]);
    await countsAt(1);
    expect(inserts.seen).toHaveLength(1);

    // The same statement, inside a transaction that lets us look at the setting it leaves.
    const { sql, bindings } = inserts.seen[0]!;
    const setting = await db.knex.transaction(async (trx) => {
      await trx.raw(sql.replace(/\$\d+/g, '?'), [bindings[0] as string, [randomUUID()]]);
      return ((await trx.raw('show synchronous_commit')) as { rows: Array<{ synchronous_commit: string }> }).rows[0]?.synchronous_commit;
    });

    expect(setting).toBe('off');
    expect(((await db.knex.raw('show synchronous_commit')) as { rows: Array<{ synchronous_commit: string }> }).rows[0]?.synchronous_commit).toBe('on');
  });
}

describeWithServer('postgres', 'the inbox records of an idempotent consumer, on PostgreSQL', () => {
  batchedInboxSuite(() => openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres') }));
});

describe('the inbox records of an idempotent consumer, on PGlite', () => {
  batchedInboxSuite(() => openDatabase({ kind: 'pglite' }));
});
