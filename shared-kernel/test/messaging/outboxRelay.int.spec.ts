/**
 * The outbox relay against PostgreSQL, with a publisher the test controls: rows leave only after
 * their confirmation, failures are counted and retried, one relay per outbox is active.
 */
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../../test/servers';
import {
  migrateRuntimeSchema,
  openDatabase,
  PublishError,
  startOutboxRelay,
  type Database,
  type OutboundMessage,
  type OutboxRelay,
  type Publisher,
} from '../../src';
import { eventually, integrationEvent, outboxCount, testLogger, writeOutbox } from './fixtures';

/** Confirms every message, after checking that its row is still in the outbox. */
class CheckingPublisher implements Publisher {
  readonly published: string[] = [];
  rowsMissingAtConfirm = 0;
  failNext = 0;

  constructor(private readonly db: Database, private readonly schema: string) {}

  async publish(messages: readonly OutboundMessage[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new PublishError(messages.map((m) => ({ messageId: m.messageId, routingKey: m.routingKey, reason: 'connection' as const })), messages.length);
    }
    const ids = messages.map((m) => m.messageId);
    const present = await this.db.knex.withSchema(this.schema).table('outbox').whereIn('message_id', ids).count<{ count: string }[]>('* as count').first();
    this.rowsMissingAtConfirm += ids.length - Number(present?.count ?? 0);
    this.published.push(...ids);
  }

  async close(): Promise<void> {}
}

describeWithServer('postgres', 'the outbox relay', () => {
  let db: Database;
  let schema: string;
  const relays: OutboxRelay[] = [];

  beforeEach(async () => {
    db = await openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres') });
    schema = uniqueSchema('relay');
    await migrateRuntimeSchema(db, schema);
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await db.knex.raw(`drop schema if exists ${schema} cascade`);
    await db.close();
  });

  const start = async (publisher: Publisher, extra: { standbyRetryMs?: number; batchSize?: number } = {}): Promise<OutboxRelay> => {
    const relay = await startOutboxRelay({ db, schema, publisher, pollIntervalMs: 50, retry: { initialDelayMs: 10, maxDelayMs: 50 }, logger: testLogger(), ...extra });
    relays.push(relay);
    return relay;
  };

  it('publishes in id order and deletes a row only after its message was confirmed', async () => {
    const events = Array.from({ length: 1_234 }, (_, n) => integrationEvent(n));
    await writeOutbox(db, schema, events);
    const publisher = new CheckingPublisher(db, schema);
    const relay = await start(publisher, { batchSize: 100 });

    await eventually('an empty outbox', () => outboxCount(db, schema), (count) => count === 0);
    expect(publisher.published).toEqual(events.map((e) => e.messageId));
    expect(publisher.rowsMissingAtConfirm).toBe(0);
    expect(await relay.status()).toMatchObject({ state: 'active', pending: 0, publishedTotal: 1_234, failedAttempts: 0, lastError: null });
  });

  it('takes one statement a batch: the read of the next batch deletes the rows of the last', async () => {
    const events = Array.from({ length: 1_000 }, (_, n) => integrationEvent(n));
    await writeOutbox(db, schema, events);
    const statements: string[] = [];
    const watch = (query: { sql: string }) => {
      if (query.sql.includes(`"${schema}".outbox`) || query.sql.includes(`${schema}.outbox`)) statements.push(query.sql);
    };
    db.knex.on('query', watch);
    try {
      const publisher = new CheckingPublisher(db, schema);
      await start(publisher, { batchSize: 100 });
      await eventually('an empty outbox', () => outboxCount(db, schema), (count) => count === 0);
      expect(publisher.published).toEqual(events.map((e) => e.messageId));
      expect(publisher.rowsMissingAtConfirm).toBe(0);
    } finally {
      db.knex.removeListener('query', watch);
    }
    const relayed = statements.filter((sql) => !/count\(\*\)|limit 0/.test(sql));
    // 10 batches and the read that found the outbox empty (it deleted the 10th batch)
    expect(relayed).toHaveLength(11);
    expect(relayed.every((sql) => sql.includes('delete from'))).toBe(true);
  });

  it('deletes the rows of its last batch when it stops right after publishing them', async () => {
    const events = Array.from({ length: 3 }, (_, n) => integrationEvent(n));
    const publisher = new CheckingPublisher(db, schema);
    let stopping: Promise<void> | undefined;
    // asked to stop while its publish is confirmed: no read of a next batch follows
    const stopAfterPublish: Publisher = {
      publish: async (messages) => {
        await publisher.publish(messages);
        stopping ??= relay.stop(); // the outbox is empty until `relay` is set
      },
      close: async () => undefined,
    };
    const relay = await start(stopAfterPublish, { batchSize: 100 });
    await writeOutbox(db, schema, events);
    await eventually('the relay asked to stop', async () => stopping !== undefined, (asked) => asked);
    await stopping;
    expect(publisher.published).toEqual(events.map((e) => e.messageId));
    expect(await outboxCount(db, schema)).toBe(0);
  });

  it('keeps the rows of a failed publish, counts the attempt, records the error, and retries', async () => {
    const events = Array.from({ length: 10 }, (_, n) => integrationEvent(n));
    await writeOutbox(db, schema, events);
    const publisher = new CheckingPublisher(db, schema);
    publisher.failNext = 3;
    const relay = await start(publisher);

    await eventually('an empty outbox', () => outboxCount(db, schema), (count) => count === 0);
    expect(publisher.published).toEqual(events.map((e) => e.messageId));
    const status = await relay.status();
    expect(status.failedAttempts).toBe(30);
    expect(status.lastError?.message).toMatch(/^connection:/);
  });

  it('records attempts and last_error on the rows while it cannot publish', async () => {
    await writeOutbox(db, schema, [integrationEvent(1)]);
    const publisher = new CheckingPublisher(db, schema);
    publisher.failNext = Number.POSITIVE_INFINITY;
    await start(publisher);

    const row = await eventually(
      'a row tried three times',
      () => db.knex.withSchema(schema).table('outbox').first('attempts', 'last_error'),
      (r) => Number(r?.attempts) >= 3,
    );
    expect(row.last_error).toMatch(/connection to the bus was lost/);
    expect(await outboxCount(db, schema)).toBe(1);
  });

  it('wakes at once on notify() instead of waiting for its poll', async () => {
    const publisher = new CheckingPublisher(db, schema);
    const relay = await startOutboxRelay({ db, schema, publisher, pollIntervalMs: 60_000, logger: testLogger() });
    relays.push(relay);
    await new Promise((resolve) => setTimeout(resolve, 100)); // now idle, for a minute
    await writeOutbox(db, schema, [integrationEvent(1)]);
    const started = Date.now();
    relay.notify();
    await eventually('an empty outbox', () => outboxCount(db, schema), (count) => count === 0, 5_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('runs one active relay per outbox; a standby takes over when the active one stops', async () => {
    const first = new CheckingPublisher(db, schema);
    const second = new CheckingPublisher(db, schema);
    const active = await start(first, { standbyRetryMs: 50 });
    await eventually('the first relay active', () => active.status(), (s) => s.state === 'active');
    const standby = await start(second, { standbyRetryMs: 50 });
    await writeOutbox(db, schema, Array.from({ length: 20 }, (_, n) => integrationEvent(n)));
    await eventually('an empty outbox', () => outboxCount(db, schema), (count) => count === 0);
    expect((await standby.status()).state).toBe('standby');
    expect(first.published).toHaveLength(20);
    expect(second.published).toHaveLength(0);

    await active.stop();
    await eventually('the standby active', () => standby.status(), (s) => s.state === 'active');
    await writeOutbox(db, schema, Array.from({ length: 5 }, (_, n) => integrationEvent(100 + n)));
    await eventually('an empty outbox', () => outboxCount(db, schema), (count) => count === 0);
    expect(second.published).toHaveLength(5);
  });
});
