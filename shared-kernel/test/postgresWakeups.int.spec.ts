/**
 * A writer announces its commits (NOTIFY) only while another store may listen: the transactions
 * that would wake no one are spared, and a store that starts subscribing is woken by the next
 * commit, not a poll later.
 */
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../test/servers';
import { createPostgresEventStore, type EventStore, type RecordedEvent } from '../src/eventStore';
import { notifyChannel } from '../src/eventStore/sql/schema';
import { event, waitFor } from './eventStoreContract';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithServer('postgres', 'the PostgreSQL adapter: commit announcements', () => {
  const schema = uniqueSchema('es_wake');
  const url = () => requireServerUrl('postgres');
  let overheard: Client;
  /** What a plain LISTEN on the store's channel hears (it is not a store: writers do not count it). */
  const payloads: string[] = [];
  const stores: EventStore[] = [];

  const openStore = async (max: number, pollIntervalMs = 10_000): Promise<EventStore> => {
    const store = await createPostgresEventStore({ connectionString: url(), schema, poolConfig: { max }, pollIntervalMs });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    // The schema first, then a row of a store that stopped heartbeating a minute ago: nobody counts it.
    await (await openStore(2)).close();
    const pool = new Pool({ connectionString: url() });
    await pool.query(`insert into ${schema}.listeners (instance_id, seen_at) values ('crashed-long-ago', now() - interval '1 minute')`);
    await pool.end();
    overheard = new Client({ connectionString: url() });
    await overheard.connect();
    overheard.on('notification', (message) => payloads.push(message.payload ?? ''));
    await overheard.query(`listen "${notifyChannel(schema)}"`);
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await overheard.end();
    const pool = new Pool({ connectionString: url() });
    await pool.query(`drop schema if exists ${schema} cascade`);
    await pool.end();
  });

  it('stops announcing while no other store listens, and starts again when one subscribes', async () => {
    const writer = await openStore(8);
    // Its first commits are announced, until it has learnt that no other store listens.
    const quietSince = async (): Promise<void> => {
      const deadline = Date.now() + 5_000;
      let heard = payloads.length;
      let quietFor = 0;
      while (quietFor < 300) {
        if (Date.now() > deadline) throw new Error('the writer never stopped announcing');
        await writer.appendToStream(`quiet-${randomUUID()}`, [event()]);
        await sleep(20);
        quietFor = payloads.length === heard ? quietFor + 20 : 0;
        heard = payloads.length;
      }
    };
    await quietSince();
    const before = payloads.length;
    for (let n = 0; n < 50; n++) await writer.appendToStream(`alone-${randomUUID()}`, [event()]);
    await sleep(100);
    expect(payloads.length).toBe(before);

    // Another store subscribes (as another process would): it greets the channel, and the
    // writer's next commit wakes it at once (it polls only every 10 s).
    const reader = await openStore(4);
    const received: RecordedEvent[] = [];
    let caughtUp = false;
    const subscription = reader.subscribeToAll({ fromPosition: 'end' }).subscribe((message) => {
      if (message.kind === 'caughtUp') caughtUp = true;
      if (message.kind === 'event') received.push(message.event);
    });
    try {
      await waitFor(() => caughtUp && payloads.some((payload) => payload.startsWith('+')), 5_000);
      const greeting = payloads.find((payload) => payload.startsWith('+'))!;
      await sleep(50);
      const id = `heard-${randomUUID()}`;
      await writer.appendToStream(id, [event()]);
      await waitFor(() => received.some((e) => e.streamId === id), 2_000);
      expect(payloads.length).toBeGreaterThan(payloads.indexOf(greeting) + 1);

      // Closing, the reader takes its row away.
      subscription.unsubscribe();
      await reader.close();
      const pool = new Pool({ connectionString: url() });
      const { rows } = await pool.query(`select count(*)::int as n from ${schema}.listeners where instance_id = $1`, [greeting.slice(1)]);
      await pool.end();
      expect(rows[0].n).toBe(0);
    } finally {
      subscription.unsubscribe();
    }
  }, 30_000);

  it('a writer whose pool cannot spare a LISTEN connection announces every commit window', async () => {
    const writer = await openStore(2);
    const before = payloads.length;
    for (let n = 0; n < 5; n++) {
      await writer.appendToStream(`small-${randomUUID()}`, [event()]);
      await sleep(20);
    }
    await waitFor(() => payloads.length >= before + 5, 2_000);
  });
});
