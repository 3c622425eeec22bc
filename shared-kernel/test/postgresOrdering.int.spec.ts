/**
 * The PostgreSQL adapter must never let a reader skip an event. A sequence number is taken when a
 * row is inserted, not when its transaction commits, so a reader that trusts
 * `position > checkpoint` loses the events of a transaction that commits late. These tests hold a
 * transaction open on purpose and run many writers against a live subscriber.
 */
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../test/servers';
import { createPostgresEventStore, type EventStore, type RecordedEvent, type SubscriptionMessage } from '../src/eventStore';
import { event, waitFor } from './eventStoreContract';

/** `writers` concurrent writers take turns until `total` appends are made; `appendOne(n)` makes the n-th (from 1). */
async function appendConcurrently(writers: number, total: number, appendOne: (n: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) await appendOne(++next);
    }),
  );
}

/** A pool whose subscription reads are counted (their SQL alone reads data as text). */
function poolCountingTailReads(): { pool: Pool; tailReads: () => number; reset: () => void } {
  const pool = new Pool({ connectionString: requireServerUrl('postgres'), max: 40 });
  let reads = 0;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((config: unknown, ...rest: unknown[]) => {
      const text = typeof config === 'string' ? config : (config as { text?: string } | undefined)?.text;
      if (text?.includes('e.data::text')) reads++;
      return query(config, ...rest);
    }) as never;
  });
  return { pool, tailReads: () => reads, reset: () => (reads = 0) };
}

describeWithServer('postgres', 'the PostgreSQL adapter under concurrency', () => {
  const schema = uniqueSchema('es_order');
  let store: EventStore;

  beforeAll(async () => {
    store = await createPostgresEventStore({ connectionString: requireServerUrl('postgres'), schema, poolConfig: { max: 40 }, pollIntervalMs: 10_000 });
  });

  afterAll(async () => {
    await store.close();
    const pool = new Pool({ connectionString: requireServerUrl('postgres') });
    await pool.query(`drop schema if exists ${schema} cascade`);
    await pool.end();
  });

  function subscribeFrom(from: string | 'start' | 'end'): { received: RecordedEvent[]; messages: SubscriptionMessage[]; stop: () => void } {
    const received: RecordedEvent[] = [];
    const messages: SubscriptionMessage[] = [];
    const subscription = store.subscribeToAll({ fromPosition: from, batchSize: 500 }).subscribe({
      next: (message) => {
        messages.push(message);
        if (message.kind === 'event') received.push(message.event);
      },
      error: (error: unknown) => {
        throw error;
      },
    });
    return { received, messages, stop: () => subscription.unsubscribe() };
  }

  it('holds back events committed after an open transaction, then delivers them all, none skipped', async () => {
    const head = (await store.headPosition()) ?? 'start';
    const subscriber = subscribeFrom(head);
    await waitFor(() => subscriber.messages.some((m) => m.kind === 'caughtUp'));

    // A slow writer takes its sequence number first and keeps its transaction open.
    const slow = new Client({ connectionString: requireServerUrl('postgres') });
    await slow.connect();
    const slowStream = `slow-${randomUUID()}`;
    const slowEvent = event('SlowThingHappened');
    try {
      await slow.query('begin');
      const [slowRow] = (
        await slow.query<{ global_position: string }>(`select global_position from ${schema}.append_events($1, 'any', $2::json)`, [
          slowStream,
          JSON.stringify([{ ...slowEvent, metadata: {} }]),
        ])
      ).rows;

      // Fast writers commit after it, with higher sequence numbers.
      const fastStream = `fast-${randomUUID()}`;
      const fast = Array.from({ length: 20 }, () => event('FastThingHappened'));
      for (const e of fast) await store.appendToStream(fastStream, [e]);
      const fastRead = await store.readStream(fastStream);
      expect(fastRead).toHaveLength(20);

      // A naive reader, ordering by sequence, now sees the fast events after the slow event's
      // sequence number, but not the slow event: it would move its checkpoint past it for good.
      const naive = new Client({ connectionString: requireServerUrl('postgres') });
      await naive.connect();
      const after = await naive.query(`select 1 from ${schema}.events where global_position > $1 and stream_id = $2`, [slowRow!.global_position, fastStream]);
      const slowVisible = await naive.query(`select 1 from ${schema}.events where stream_id = $1`, [slowStream]);
      await naive.end();
      expect(after.rowCount).toBe(20);
      expect(slowVisible.rowCount).toBe(0);

      // Ours holds them back while the slow transaction is open: nothing from after it is delivered.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscriber.received.filter((e) => e.streamId === fastStream || e.streamId === slowStream)).toEqual([]);
      expect(await store.readAll({ fromPosition: fastRead[0]!.position })).toEqual([]);

      await slow.query('commit');
      await waitFor(() => subscriber.received.filter((e) => e.streamId === fastStream).length === 20);
      const delivered = subscriber.received.filter((e) => e.streamId === fastStream || e.streamId === slowStream);
      expect(delivered.map((e) => e.id)).toEqual([slowEvent.id, ...fast.map((e) => e.id)]);
    } finally {
      subscriber.stop();
      await slow.end();
    }
  });

  it('delivers 20,000 events from 32 writers to a live subscriber exactly once, each stream in revision order', async () => {
    const head = (await store.headPosition()) ?? 'start';
    const category = `stress${randomUUID().slice(0, 6)}`;
    const subscriber = subscribeFrom(head);
    const streams = Array.from({ length: 200 }, () => `${category}-${randomUUID()}`);
    const total = 20_000;
    const writers = 32;
    const appendedIds = new Set<string>();

    await appendConcurrently(writers, total, async (n) => {
      const e = event('StressEventHappened', { at: n });
      appendedIds.add(e.id);
      await store.appendToStream(streams[Math.floor(Math.random() * streams.length)]!, [e]);
    });

    try {
      await waitFor(() => subscriber.received.filter((e) => e.streamId.startsWith(category)).length >= total, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // let any duplicate show itself
      const mine = subscriber.received.filter((e) => e.streamId.startsWith(category));
      expect(mine).toHaveLength(total);
      expect(new Set(mine.map((e) => e.id))).toEqual(appendedIds);

      const revisionsByStream = new Map<string, number[]>();
      for (const e of mine) revisionsByStream.set(e.streamId, [...(revisionsByStream.get(e.streamId) ?? []), e.revision]);
      for (const revisions of revisionsByStream.values()) {
        expect(revisions).toEqual(revisions.map((_, n) => n));
      }
      const positions = subscriber.received.map((e) => e.position);
      expect([...positions].sort()).toEqual(positions);
    } finally {
      subscriber.stop();
    }
  }, 120_000);

  it('serves live subscriptions with different filters from shared reads, each receiving exactly its events, in order', async () => {
    // A store over a pool of our own, to count the subscriptions' reads.
    const { pool, tailReads, reset } = poolCountingTailReads();
    const shared = await createPostgresEventStore({ pool, schema, pollIntervalMs: 10_000 });
    const run = randomUUID().slice(0, 6);
    const [apples, pears] = [`apple${run}`, `pear${run}`];
    const subscribers = [
      { want: (e: RecordedEvent) => e.streamId.startsWith(apples) || e.streamId.startsWith(pears), filter: undefined },
      { want: (e: RecordedEvent) => e.streamId.startsWith(apples), filter: { streamCategories: [apples] } },
      { want: (e: RecordedEvent) => e.streamId.startsWith(pears), filter: { streamCategories: [pears] } },
      { want: (e: RecordedEvent) => e.type === 'Ripened' && e.streamId.startsWith(pears), filter: { eventTypePrefixes: ['Ripen'] } },
    ].map(({ want, filter }) => {
      const received: RecordedEvent[] = [];
      let caughtUp = false;
      const subscription = shared.subscribeToAll({ fromPosition: 'end', filter, batchSize: 500 }).subscribe({
        next: (message) => {
          if (message.kind === 'caughtUp') caughtUp = true;
          if (message.kind === 'event' && want(message.event)) received.push(message.event);
        },
      });
      return { want, received, caughtUp: () => caughtUp, stop: () => subscription.unsubscribe() };
    });
    try {
      await waitFor(() => subscribers.every((s) => s.caughtUp()));
      await new Promise((resolve) => setTimeout(resolve, 100));

      // One append at a time: the four subscriptions wake together and share each read.
      reset();
      for (let n = 0; n < 10; n++) {
        const id = `${apples}-${randomUUID()}`;
        await shared.appendToStream(id, [event('Picked', { n })]);
        await waitFor(() => subscribers[1]!.received.some((e) => e.streamId === id));
        await waitFor(() => subscribers[0]!.received.some((e) => e.streamId === id));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Each append takes two reads (the new event, then nothing more), shared by the four
      // subscriptions; apart, they would send at least 80.
      expect(tailReads()).toBeLessThanOrEqual(30);

      // 32 writers, both categories, two event types: each subscription gets exactly its own, once, in order.
      const streams = Array.from({ length: 100 }, (_, n) => `${n % 2 ? apples : pears}-${randomUUID()}`);
      const appended: RecordedEvent[] = [];
      await appendConcurrently(32, 4_000, async (n) => {
        const streamId = streams[Math.floor(Math.random() * streams.length)]!;
        const e = event(n % 3 ? 'Picked' : 'Ripened', { at: n });
        const { position } = await shared.appendToStream(streamId, [e]);
        appended.push({ ...e, streamId, position } as unknown as RecordedEvent);
      });
      for (const subscriber of subscribers) {
        const expected = new Set(appended.filter((e) => subscriber.want(e)).map((e) => e.id));
        await waitFor(() => subscriber.received.filter((e) => expected.has(e.id)).length >= expected.size, 30_000);
      }
      await new Promise((resolve) => setTimeout(resolve, 200)); // let any duplicate show itself
      for (const subscriber of subscribers) {
        const expected = appended.filter((e) => subscriber.want(e));
        const mine = subscriber.received.filter((e) => (e.data as { at?: number }).at !== undefined);
        expect(mine).toHaveLength(expected.length);
        expect(new Set(mine.map((e) => e.id))).toEqual(new Set(expected.map((e) => e.id)));
        const positions = subscriber.received.map((e) => e.position);
        expect([...positions].sort()).toEqual(positions);
        expect(subscriber.received.every((e) => typeof e.data === 'object' && typeof e.metadata === 'object')).toBe(true);
      }
    } finally {
      subscribers.forEach((s) => s.stop());
      await shared.close();
      await pool.end();
    }
  }, 120_000);

  it('serves live subscriptions that fall behind from the events others read, each still receiving every event once, in order', async () => {
    const { pool, tailReads, reset } = poolCountingTailReads();
    const shared = await createPostgresEventStore({ pool, schema, pollIntervalMs: 10_000 });
    const category = `lag${randomUUID().slice(0, 6)}`;
    // Busy consumers: each asks for its next read only after a while, so they stand at different cursors.
    const subscribers = [1, 3, 17, 100, 500].map((batchSize, n) => {
      const received: RecordedEvent[] = [];
      let caughtUp = false;
      const demand = () => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 4 * n));
      const subscription = shared.subscribeToAll({ fromPosition: 'end', batchSize, demand }).subscribe({
        next: (message) => {
          if (message.kind === 'caughtUp') caughtUp = true;
          if (message.kind === 'event' && message.event.streamId.startsWith(category)) received.push(message.event);
        },
      });
      return { received, caughtUp: () => caughtUp, stop: () => subscription.unsubscribe() };
    });
    try {
      await waitFor(() => subscribers.every((s) => s.caughtUp()));
      reset();
      const streams = Array.from({ length: 50 }, () => `${category}-${randomUUID()}`);
      const appendedIds: string[] = [];
      await appendConcurrently(8, 3_000, async (n) => {
        const e = event('Lagged', { at: n });
        appendedIds.push(e.id);
        await shared.appendToStream(streams[Math.floor(Math.random() * streams.length)]!, [e]);
      });
      for (const subscriber of subscribers) await waitFor(() => subscriber.received.length >= appendedIds.length, 60_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // let any duplicate show itself
      for (const subscriber of subscribers) {
        expect(subscriber.received).toHaveLength(appendedIds.length);
        expect(new Set(subscriber.received.map((e) => e.id))).toEqual(new Set(appendedIds));
        const positions = subscriber.received.map((e) => e.position);
        expect([...positions].sort()).toEqual(positions);
        const revisionsByStream = new Map<string, number[]>();
        for (const e of subscriber.received) revisionsByStream.set(e.streamId, [...(revisionsByStream.get(e.streamId) ?? []), e.revision]);
        for (const revisions of revisionsByStream.values()) expect(revisions).toEqual(revisions.map((_, i) => i));
      }
      // The subscription reading one event at a time alone would send 3,000 reads.
      expect(tailReads()).toBeLessThan(appendedIds.length);
    } finally {
      subscribers.forEach((s) => s.stop());
      await shared.close();
      await pool.end();
    }
  }, 120_000);

  it('wakes a subscriber on commit through LISTEN/NOTIFY, not a poll interval later', async () => {
    // The store polls only every 10 s here, so a delivery within a second came by notification.
    const subscriber = subscribeFrom('end');
    try {
      await waitFor(() => subscriber.messages.some((m) => m.kind === 'caughtUp'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Written by another store (as by another process): only its NOTIFY can wake this one.
      const writer = await createPostgresEventStore({ connectionString: requireServerUrl('postgres'), schema, poolConfig: { max: 2 } });
      try {
        const id = `wake-${randomUUID()}`;
        await writer.appendToStream(id, [event()]);
        await waitFor(() => subscriber.received.some((e) => e.streamId === id), 1_000);
      } finally {
        await writer.close();
      }
    } finally {
      subscriber.stop();
    }
  });

  it('sets up the same schema from many processes at once', async () => {
    const shared = uniqueSchema('es_setup');
    const stores = await Promise.all(
      Array.from({ length: 5 }, () => createPostgresEventStore({ connectionString: requireServerUrl('postgres'), schema: shared, poolConfig: { max: 2 } })),
    );
    const id = `setup-${randomUUID()}`;
    await Promise.all(stores.map((s, n) => s.appendToStream(id, [event('SetUp', { n })])));
    expect(await stores[0]!.readStream(id)).toHaveLength(5);
    await Promise.all(stores.map((s) => s.close()));
    const pool = new Pool({ connectionString: requireServerUrl('postgres') });
    await pool.query(`drop schema ${shared} cascade`);
    await pool.end();
  });
});
