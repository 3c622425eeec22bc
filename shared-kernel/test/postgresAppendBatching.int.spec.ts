/**
 * Appends sent while others are in flight share one transaction (`append_batch`). What a caller
 * sees must not change: its own answer, its own error, nothing lost when the shared transaction
 * fails, and no deadlock between batches locking the same streams.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Pool } from 'pg';
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../test/servers';
import { createPostgresEventStore, decodePosition, DuplicateEventIdError, type EventStore, type PostgresEventStoreOptions } from '../src/eventStore';
import { event, events, stream } from './eventStoreContract';

describeWithServer('postgres', 'the PostgreSQL adapter batching appends', () => {
  const schemas: string[] = [];
  const stores: EventStore[] = [];
  let pool: Pool;

  beforeAll(() => {
    pool = new Pool({ connectionString: requireServerUrl('postgres'), max: 2 });
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const schema of schemas) await pool.query(`drop schema if exists ${schema} cascade`);
    await pool.end();
  });

  async function open(options: Partial<PostgresEventStoreOptions> = {}, schema = uniqueSchema('es_batch')): Promise<EventStore> {
    if (!schemas.includes(schema)) schemas.push(schema);
    const store = await createPostgresEventStore({ connectionString: requireServerUrl('postgres'), schema, poolConfig: { max: 8 }, ...options });
    stores.push(store);
    return store;
  }

  const transactionOf = (position: string): bigint => decodePosition(position).major;

  it('commits appends sent while another is in flight in one transaction, each caller getting its own revision and position', async () => {
    const store = await open();
    const streams = Array.from({ length: 20 }, () => stream());
    const results = await Promise.all(streams.map((id, n) => store.appendToStream(id, events(n % 3 + 1), { expectedRevision: 'no_stream' })));

    expect(results.map((r) => r.nextExpectedRevision)).toEqual(streams.map((_, n) => n % 3));
    // the store was idle: the first went out at once, alone; the other 19 followed in one transaction
    const [first, ...rest] = results.map((r) => transactionOf(r.position));
    expect(new Set(rest).size).toBe(1);
    expect(rest[0]).not.toBe(first);
    const positions = results.slice(1).map((r) => decodePosition(r.position).minor);
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1))); // in the order sent
    for (const [n, id] of streams.entries()) expect(await store.readStream(id)).toHaveLength(n % 3 + 1);
  });

  it('tries each append again alone when their shared transaction fails, so only the faulty one fails', async () => {
    const store = await open();
    const shared = event();
    const [innocent, first, faulty] = [stream(), stream(), stream()];
    // The faulty append's second event has the id of the first append's event, in another stream:
    // a unique violation that aborts the shared transaction, not a refusal it can answer alone.
    const outcomes = await Promise.allSettled([
      store.appendToStream(innocent, events(2)),
      store.appendToStream(first, [shared]),
      store.appendToStream(faulty, [event(), shared]),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventIdError);
    expect(await store.readStream(innocent)).toHaveLength(2);
    expect((await store.readStream(first)).map((e) => e.id)).toEqual([shared.id]);
    expect(await store.readStream(faulty)).toEqual([]);
  });

  it('never deadlocks: batches in flight together, from several processes, lock shared streams in one order', async () => {
    const schema = uniqueSchema('es_batch');
    // four stores on one schema stand for four processes, each with its own batches in flight
    const processes = await Promise.all(Array.from({ length: 4 }, () => open({ appendBatching: { maxInFlight: 2, maxAppends: 8 } }, schema)));
    const hot = Array.from({ length: 6 }, () => stream('hot'));
    const perWriter = 30;
    await Promise.all(
      Array.from({ length: 32 }, async (_, writer) => {
        const store = processes[writer % processes.length]!;
        for (let n = 0; n < perWriter; n++) {
          // each writer walks the streams in its own order, so batches name them in every order
          await store.appendToStream(hot[(writer + n * (writer % 2 === 0 ? 1 : 5)) % hot.length]!, [event('Hot', { writer, n })]);
        }
      }),
    );

    let total = 0;
    for (const id of hot) {
      const read = await processes[0]!.readStream(id);
      expect(read.map((e) => e.revision)).toEqual(read.map((_, n) => n));
      total += read.length;
    }
    expect(total).toBe(32 * perWriter);
  });

  it('upgrades a store whose events kept their data as jsonb (schema version 1)', async () => {
    const schema = uniqueSchema('es_v1');
    const before = await open({}, schema);
    const id = stream();
    await before.appendToStream(id, [event('ThingHappened', { b: 2, a: [1, { c: null }] }, { actor: 'x' })]);
    await pool.query(`alter table ${schema}.events alter column data type jsonb using data::jsonb, alter column metadata type jsonb using metadata::jsonb`);

    const after = await open({}, schema);
    const { rows } = await pool.query<{ column_name: string; data_type: string }>(
      `select column_name, data_type from information_schema.columns where table_schema = $1 and table_name = 'events' and column_name in ('data', 'metadata') order by 1`,
      [schema],
    );
    expect(rows).toEqual([
      { column_name: 'data', data_type: 'json' },
      { column_name: 'metadata', data_type: 'json' },
    ]);
    await after.appendToStream(id, [event()], { expectedRevision: 0 });
    expect((await after.readStream(id)).map((e) => [e.data, e.metadata])).toEqual([
      [{ b: 2, a: [1, { c: null }] }, { actor: 'x' }],
      [{ n: 1 }, {}],
    ]);
  });

  describe('append_batch, against its appends applied one after the other', () => {
    /** What a stream holds before the batch. */
    type Before = { kind: 'none' } | { kind: 'live' | 'soft-deleted'; events: number } | { kind: 'tombstoned' };
    /** One append of the batch: new events, or again the events of an append made before it (a retry, as sent or changed). */
    interface BatchAppend {
      stream: number;
      expected: string;
      events: { kind: 'new'; count: number } | { kind: 'retry'; of: number; changed: boolean };
    }
    interface StoredEvent {
      id: string;
      type: string;
      data: unknown;
      metadata: unknown;
    }

    const STREAMS = 5;
    const before = fc.constantFrom<Before>(
      { kind: 'none' },
      { kind: 'live', events: 1 },
      { kind: 'live', events: 3 },
      { kind: 'soft-deleted', events: 2 },
      { kind: 'tombstoned' },
    );
    const batchAppend = fc.record<BatchAppend>({
      stream: fc.integer({ min: 0, max: STREAMS }), // the last one never existed
      expected: fc.constantFrom('any', 'no_stream', 'stream_exists', '0', '1', '2', '3', '4'),
      events: fc.oneof(
        { weight: 4, arbitrary: fc.record({ kind: fc.constant('new' as const), count: fc.integer({ min: 0, max: 3 }) }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('retry' as const), of: fc.integer({ min: 0, max: STREAMS - 1 }), changed: fc.boolean() }) },
      ),
    });

    const schemaPair: string[] = [];
    beforeAll(async () => {
      for (let n = 0; n < 2; n++) {
        const schema = uniqueSchema('es_setwise');
        await open({}, schema);
        schemaPair.push(schema);
      }
    });

    /** Writes the same history in both schemas; answers each stream's last append (for retries). */
    async function writeBefore(streams: string[], befores: Before[]): Promise<Array<StoredEvent[] | null>> {
      const lastAppends: Array<StoredEvent[] | null> = [];
      for (const [n, state] of befores.entries()) {
        const sent = state.kind === 'live' || state.kind === 'soft-deleted'
          ? Array.from({ length: state.events }, (_, k) => ({ id: randomUUID(), type: 'Before', data: { n, k }, metadata: { k } }))
          : null;
        lastAppends.push(sent);
        for (const schema of schemaPair) {
          if (sent) await pool.query(`select * from ${schema}.append_events($1, 'any', $2::json)`, [streams[n], JSON.stringify(sent)]);
          if (state.kind === 'soft-deleted' || state.kind === 'tombstoned') {
            await pool.query(`select ${schema}.delete_stream($1, 'any', $2)`, [streams[n], state.kind === 'tombstoned']);
          }
        }
      }
      return lastAppends;
    }

    async function state(schema: string, streams: string[]) {
      const rows = await pool.query(`select stream_id, last_revision::int, state, truncate_before::int from ${schema}.streams where stream_id = any($1) order by stream_id`, [streams]);
      const stored = await pool.query(
        `select stream_id, revision::int, event_id::text, type, data::text, metadata::text from ${schema}.events where stream_id = any($1) order by stream_id, revision`,
        [streams],
      );
      return { streams: rows.rows, events: stored.rows };
    }

    it('answers each append and writes its events and stream row as append_locked does, one append after the other', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(before, { minLength: STREAMS, maxLength: STREAMS }), fc.array(batchAppend, { minLength: 1, maxLength: 6 }), async (befores, batch) => {
          const streams = Array.from({ length: STREAMS + 1 }, () => stream());
          const lastAppends = await writeBefore(streams, befores);
          const appends = batch.map((append) => {
            let sent: StoredEvent[];
            if (append.events.kind === 'new') {
              sent = Array.from({ length: append.events.count }, (_, k) => ({ id: randomUUID(), type: 'During', data: { k }, metadata: {} }));
            } else {
              const earlier = lastAppends[append.events.of] ?? [{ id: randomUUID(), type: 'During', data: {}, metadata: {} }];
              sent = append.events.changed ? earlier.map((e) => ({ ...e, data: { changed: true } })) : earlier;
            }
            return { stream: streams[append.stream]!, expected: append.expected, events: sent };
          });

          const [setwise, oneByOne] = schemaPair as [string, string];
          const client = await pool.connect();
          let failed: unknown;
          try {
            await client.query('begin');
            const answered = await client.query(`select ord::int, code, detail, next_revision::int, transaction_id, global_position::text from ${setwise}.append_batch($1::json) order by ord`, [JSON.stringify(appends)]);
            await client.query('commit');
            await client.query('begin');
            const expected = [];
            for (const append of appends) {
              const { rows } = await client.query(`select code, detail, next_revision::int from ${oneByOne}.append_locked($1, $2, $3::json)`, [append.stream, append.expected, JSON.stringify(append.events)]);
              expected.push(rows[0]);
            }
            await client.query('commit');

            expect(answered.rows.map(({ code, detail, next_revision }) => ({ code, detail, next_revision }))).toEqual(expected);
            // an accepted append's position and transaction are those of its last event
            for (const [n, row] of answered.rows.entries()) {
              const last = appends[n]!.events.at(-1);
              if (row.code !== null || !last) continue;
              const { rows } = await client.query(`select transaction_id::text, global_position::text from ${setwise}.events where event_id = $1`, [last.id]);
              expect([row.transaction_id, row.global_position]).toEqual([rows[0].transaction_id, rows[0].global_position]);
            }
          } catch (error) {
            failed = error;
            throw error;
          } finally {
            // a failed run's connection may be inside an aborted transaction: not for the next run
            client.release(failed !== undefined);
          }
          expect(await state(setwise, streams)).toEqual(await state(oneByOne, streams));
        }),
        { numRuns: 150 },
      );
    });
  });

  it('stores each event\'s data and metadata as written, alone or in a batch, several events to an append', async () => {
    const schema = uniqueSchema('es_text');
    const store = await open({}, schema);
    // keys out of order, nesting, unicode and escapes: the text jsonb would have rewritten
    const data = (n: number) => ({ z: n, a: [1, { y: null, b: 'ঢাকা "quoted" \\ \u2028' }], m: { k2: true, k1: 1.5 } });
    const appends = Array.from({ length: 6 }, (_, n) => [event('ThingHappened', data(n), { zeta: n, alpha: 'x' }), event('OtherThing', data(n + 100), { n })]);

    await store.appendToStream(stream(), appends[0]!);
    await Promise.all(appends.slice(1).map((batch) => store.appendToStream(stream(), batch)));

    const { rows } = await pool.query<{ event_id: string; data: string; metadata: string }>(`select event_id::text, data::text, metadata::text from ${schema}.events`);
    const written = new Map(appends.flat().map((e) => [e.id, [JSON.stringify(e.data), JSON.stringify(e.metadata)]]));
    expect(rows).toHaveLength(12);
    for (const row of rows) expect([row.data, row.metadata]).toEqual(written.get(row.event_id));
  });

  it('stores data that is null, a string, a number, a boolean or an array, alone or in a batch', async () => {
    const store = await open();
    const values = [null, 'text', 5, true, [1, null], null];
    const streams = values.map(() => stream());
    const sent = values.map((value) => [event('ThingHappened', value as never)]);
    const append = (n: number) => store.appendToStream(streams[n]!, sent[n]!);

    const first = await append(0);
    await Promise.all(values.slice(1).map((_, n) => append(n + 1)));
    // retries of stored events, batched together: the same answers, nothing added
    const retried = await Promise.all([append(0), append(5)]);

    expect(retried[0]).toEqual(first);
    expect(retried[1].nextExpectedRevision).toBe(0);
    for (const [n, id] of streams.entries()) expect((await store.readStream(id)).map((e) => e.data)).toEqual([values[n]]);
  });
});
