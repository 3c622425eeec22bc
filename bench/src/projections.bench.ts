/**
 * `npm run bench:projections`: how fast the projector runtime rebuilds a representative read model,
 * how soon an appended event's row is visible, beside the raw limits of the same PostgreSQL
 * measured in the same run (multi-row INSERT and COPY of as many rows).
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import {
  createPostgresEventStore,
  openDatabase,
  rebuildProjector,
  silentLogger,
  startProjectorWorker,
  type EventStore,
  type Position,
} from '@bdbazar/shared-kernel';
import { orderSummariesProjector, sampleOrderHistory } from '@bdbazar/shared-kernel/projections/fixtures/orderSummaries';
import { percentile, perSecond, runPaced, waitUntil } from './eventStoreBench/measure';
import { DEFAULT_POSTGRES_URL, dropSchemas, ensureDatabase } from './eventStoreBench/postgres';
import { evaluate, formatMs, formatNumber, renderTable, writeJson, type Row } from './eventStoreBench/report';

const EVENTS = 100_000;
const LAG_RATE = 500;
const LAG_SECONDS = 10;
const url = process.env['BDBAZAR_BENCH_POSTGRES_URL'] ?? DEFAULT_POSTGRES_URL;
const logger = silentLogger();

async function fill(store: EventStore): Promise<void> {
  const history = sampleOrderHistory(EVENTS / 2, 5_000);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < history.length) {
        const { streamId, events } = history[next++]!;
        await store.appendToStream(streamId, events);
      }
    }),
  );
}

/**
 * Builds the sample projector's first generation over the whole store (which also writes its
 * 45,000 integration events to the outbox), then rebuilds it into a second generation: the
 * operator's rebuild, which replays everything and publishes nothing again.
 */
async function buildAndRebuild(store: EventStore, schemaSuffix: string): Promise<{ first: { rate: number; ms: number }; rebuild: { rate: number; ms: number } }> {
  const db = await openDatabase({ kind: 'postgres', connectionString: url });
  try {
    const definition = orderSummariesProjector({ name: `bench_orders_${schemaSuffix}` });
    const timedRun = async (): Promise<{ rate: number; ms: number }> => {
      const started = performance.now();
      const outcome = await rebuildProjector({ store, db, runtimeSchema: `bench_rt_${schemaSuffix}`, definition, logger });
      const ms = performance.now() - started;
      if (outcome.state !== 'caught_up' || outcome.eventsApplied !== EVENTS) throw new Error(`rebuild ended ${outcome.state} after ${outcome.eventsApplied} events`);
      return { rate: perSecond(EVENTS, ms), ms };
    };
    return { first: await timedRun(), rebuild: await timedRun() };
  } finally {
    await db.close();
  }
}

/** The same number of rows as the rebuild writes (orders), in batches of 5,000: multi-row INSERT, then COPY. */
async function rawLimits(schema: string): Promise<{ insert: number; copy: number }> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await pool.query(`create schema if not exists ${schema}; drop table if exists ${schema}.raw; create table ${schema}.raw (order_id text primary key, buyer_id text, status text, total bigint, lines int, revision int, updated_at timestamptz)`);
    const rows = Array.from({ length: EVENTS }, (_, n) => ({ order_id: randomUUID(), buyer_id: randomUUID(), status: 'paid', total: n, lines: 1, revision: 1, updated_at: new Date().toISOString() }));
    let started = performance.now();
    for (let i = 0; i < rows.length; i += 5000) {
      await pool.query(`insert into ${schema}.raw select * from json_populate_recordset(null::${schema}.raw, $1::json)`, [JSON.stringify(rows.slice(i, i + 5000))]);
    }
    const insert = perSecond(EVENTS, performance.now() - started);
    await pool.query(`truncate ${schema}.raw`);
    const client = await pool.connect();
    started = performance.now();
    try {
      const lines = rows.map((r) => `${r.order_id}\t${r.buyer_id}\t${r.status}\t${r.total}\t${r.lines}\t${r.revision}\t${r.updated_at}\n`);
      await pipeline(Readable.from(lines), client.query(copyFrom(`copy ${schema}.raw from stdin`)));
    } finally {
      client.release();
    }
    return { insert, copy: perSecond(EVENTS, performance.now() - started) };
  } finally {
    await pool.end();
  }
}

/** A steady 500 events/s into a live projector: time from before the append to the batch's commit. */
async function appendToVisible(store: EventStore, schemaSuffix: string): Promise<number[]> {
  const db = await openDatabase({ kind: 'postgres', connectionString: url });
  const pending = new Map<Position, number>();
  const lags: number[] = [];
  let applied: Position = '';
  const definition = orderSummariesProjector({ name: `bench_live_${schemaSuffix}` });
  const worker = startProjectorWorker({
    store,
    db,
    runtimeSchema: `bench_rt_${schemaSuffix}`,
    definition,
    logger,
    onProgress: (progress) => {
      if (!progress.position) return;
      applied = progress.position;
      const now = performance.now();
      for (const [position, started] of pending) {
        if (position <= applied) {
          lags.push(now - started);
          pending.delete(position);
        }
      }
    },
  });
  try {
    await waitUntil(() => worker.progress()?.state === 'live', 120_000);
    await runPaced(LAG_RATE, LAG_SECONDS * 1000, async () => {
      const orderId = randomUUID();
      const started = performance.now();
      const { position } = await store.appendToStream(`order-${orderId}`, [
        { id: randomUUID(), type: 'OrderPlaced', data: { orderId, buyerId: randomUUID(), total: { amount: 100, currency: 'BDT' }, lines: 1 } },
      ]);
      if (position <= applied) lags.push(performance.now() - started);
      else pending.set(position, started);
    });
    await waitUntil(() => pending.size === 0, 10_000);
    return lags;
  } finally {
    await worker.stop();
    await db.close();
  }
}

async function main(): Promise<void> {
  await ensureDatabase(url);
  const suffix = randomUUID().slice(0, 8);
  const esSchema = `bench_es_${suffix}`;
  const store = await createPostgresEventStore({ connectionString: url, schema: esSchema, poolConfig: { max: 16 } });
  const schemas = [esSchema, `bench_rt_${suffix}`, `bench_raw_${suffix}`, `bench_orders_${suffix}`, `bench_orders_${suffix}_g1`, `bench_orders_${suffix}_g2`, `bench_live_${suffix}`, `bench_live_${suffix}_g1`];
  try {
    process.stdout.write(`filling the store with ${formatNumber(EVENTS)} events (8 writers)...\n`);
    await fill(store);
    process.stdout.write('rebuilding...\n');
    const { first, rebuild } = await buildAndRebuild(store, suffix);
    const raw = await rawLimits(`bench_raw_${suffix}`);
    process.stdout.write(`append-to-visible at ${LAG_RATE} events/s for ${LAG_SECONDS} s...\n`);
    const lags = await appendToVisible(store, suffix);

    const rows: Row[] = [
      { key: 'first-build', workload: `rebuild, ${formatNumber(EVENTS)} events (orders + buyers, 2 upserts a batch)`, store: 'first build (g1)', kind: 'ours', value: first.rate, higherIsBetter: true, result: formatNumber(first.rate), unit: 'events/s', note: `${formatNumber(first.ms / 1000, 1)} s; also writes 45,000 outbox rows` },
      { key: 'rebuild', workload: `rebuild, ${formatNumber(EVENTS)} events (orders + buyers, 2 upserts a batch)`, store: 'rebuild (g2)', kind: 'ours', value: rebuild.rate, higherIsBetter: true, result: formatNumber(rebuild.rate), unit: 'events/s', note: `${formatNumber(rebuild.ms / 1000, 1)} s incl. indexes and switch-over; publishes nothing again` },
      { key: 'raw-insert', workload: `rebuild, ${formatNumber(EVENTS)} events (orders + buyers, 2 upserts a batch)`, store: 'raw multi-row INSERT', kind: 'reference', value: raw.insert, higherIsBetter: true, result: formatNumber(raw.insert), unit: 'rows/s', note: 'one table, batches of 5,000' },
      { key: 'raw-copy', workload: `rebuild, ${formatNumber(EVENTS)} events (orders + buyers, 2 upserts a batch)`, store: 'raw COPY', kind: 'reference', value: raw.copy, higherIsBetter: true, result: formatNumber(raw.copy), unit: 'rows/s', note: 'one table' },
      { key: 'lag-p50', workload: `append to row visible, ${LAG_RATE} events/s`, store: 'projector runtime', kind: 'ours', value: percentile(lags, 0.5), higherIsBetter: false, result: formatMs(percentile(lags, 0.5)), unit: 'ms p50', note: `${formatNumber(lags.length)} events` },
      { key: 'lag-p99', workload: `append to row visible, ${LAG_RATE} events/s`, store: 'projector runtime', kind: 'ours', value: percentile(lags, 0.99), higherIsBetter: false, result: formatMs(percentile(lags, 0.99)), unit: 'ms p99' },
    ];
    evaluate(rows, { rebuild: { text: '≥ 40,000/s', met: (row) => (row.value ?? 0) >= 40_000 } }, 'rebuild (g2)');
    evaluate(rows, { 'lag-p99': { text: '≤ 50 ms', met: (row) => (row.value ?? Infinity) <= 50 } }, 'projector runtime');
    process.stdout.write(`\n${renderTable(rows)}\n`);
    await writeJson('bench/results/projections.json', rows);
  } finally {
    await store.close();
    await dropSchemas(url, schemas);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
