/**
 * PostgreSQL keeps the plans of prepared statements and of PL/pgSQL functions. A plan made while
 * the store was new (every table a few rows) must not scan a table in full once it holds many:
 * here every statement the store sends or runs is planned generic while the store is new, and
 * after it grew each must still find its rows by an index.
 */
import { Pool, type PoolClient } from 'pg';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../test/servers';
import { createPostgresEventStore, type EventStore } from '../src/eventStore';
import { event, events, stream } from './eventStoreContract';

describeWithServer('postgres', 'the PostgreSQL adapter\'s kept plans', () => {
  const schema = uniqueSchema('es_kept_plans');
  const plans: string[] = [];
  let pool: Pool;
  let admin: Pool;
  let store: EventStore;

  beforeAll(async () => {
    admin = new Pool({ connectionString: requireServerUrl('postgres'), max: 1 });
    // Every connection of the store's pool plans generic at once and sends each plan to its client.
    pool = new Pool({
      connectionString: requireServerUrl('postgres'),
      max: 4,
      options: '-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_nested_statements=on -c client_min_messages=log -c plan_cache_mode=force_generic_plan',
    });
    pool.on('connect', (client: PoolClient) => {
      client.on('notice', (notice) => {
        if (notice.message?.includes('Query Text')) plans.push(notice.message);
      });
    });
    store = await createPostgresEventStore({ pool, schema });
  });

  afterAll(async () => {
    await store.close();
    await pool.end().catch(() => undefined);
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  /** Every way the store reads and writes, each statement prepared at its first use. */
  async function useEveryStatement(id: string): Promise<void> {
    const sent = events(3);
    const first = await store.appendToStream(id, sent, { expectedRevision: 'no_stream' });
    // a batch (the first goes alone): new streams, and a retry of the append above
    await Promise.all([...[stream(), stream(), stream()].map((s) => store.appendToStream(s, [event()])), store.appendToStream(id, sent)]);
    await store.appendToStream(id, [event()]);
    await store.readStream(id);
    await store.readStream(id, { direction: 'backwards', maxCount: 2 });
    await store.readStream(id, { fromRevision: 1, maxCount: 2 });
    await store.readAll({ fromPosition: first.position, maxCount: 5 });
    await store.readAll({ direction: 'backwards', maxCount: 5 });
    await store.readAll({ fromPosition: first.position, maxCount: 5, filter: { streamCategories: ['plans'] } });
    await store.readAll({ fromPosition: first.position, maxCount: 5, filter: { eventTypePrefixes: ['Thing'] } });
    const live = firstValueFrom(store.subscribeToAll({ fromPosition: first.position }).pipe(filter((m) => m.kind === 'event'), take(3), toArray()));
    await live;
    await store.deleteStream(stream(), { expectedRevision: 'any' });
  }

  it('finds rows by an index in every statement it keeps, however much the tables grew since', async () => {
    for (let n = 0; n < 3; n++) await useEveryStatement(stream('plans'));
    await admin.query(`insert into ${schema}.streams (stream_id, last_revision) select 'grown-' || n, 4 from generate_series(1, 20000) n`);
    await admin.query(
      `insert into ${schema}.events (stream_id, revision, event_id, type, data, metadata)
       select 'grown-' || n, r, gen_random_uuid(), 'Grown', '{}', '{}' from generate_series(1, 20000) n, generate_series(0, 4) r`,
    );
    plans.length = 0;
    await useEveryStatement(stream('plans'));

    // the reads of a stream, of all events and of the tail were among them, on their indexes
    for (const index of ['events_pkey', 'events_global_order', 'events_event_id', 'streams_pkey']) {
      expect(plans.some((plan) => plan.includes(`using ${index} on`))).toBe(true);
    }
    const scans = plans.filter((plan) => /Seq Scan on (streams|events)\b/.test(plan));
    expect(scans).toEqual([]);
  });
});
