/**
 * `npm run bench:event-store`: our event store's PostgreSQL and embedded (PGlite) adapters and
 * Emmett's PostgreSQL event store through the same workloads in one run, beside a raw INSERT
 * ceiling measured on the same server. Prints a table and writes bench/results/event-store.json.
 *
 * PostgreSQL: BDBAZAR_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/bdbazar_bench;
 * created when missing, its bench schemas dropped at start); Emmett gets `<database>_emmett`,
 * created fresh. BDBAZAR_BENCH_SCALE (default 1) scales every count and duration, for a quick try.
 *
 * The stores run one after the other, ours first: loading Emmett changes node-postgres' global type
 * parsers (see emmettTarget.ts), which must not touch our adapter's figures.
 */
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { createEmbeddedEventStore, createPostgresEventStore } from '@bdbazar/shared-kernel';
import { EMMETT_VERSION, openEmmettTarget } from './eventStoreBench/emmettTarget';
import { formatMs, formatNumber, evaluate, machineFacts, machineText, renderTable, writeJson, type Goal, type Row } from './eventStoreBench/report';
import { ourTarget } from './eventStoreBench/ourTarget';
import {
  analyze,
  checkpoint,
  commitsElsewhere,
  databaseOf,
  DEFAULT_POSTGRES_URL,
  dropSchemas,
  ensureDatabase,
  rawInsertsPerSecond,
  recreateDatabase,
  serverFacts,
  withDatabase,
} from './eventStoreBench/postgres';
import type { BenchTarget, SubscriberPlacement } from './eventStoreBench/target';
import {
  appendsToNewStreams,
  appendToSubscriberLatency,
  catchUpByPaging,
  catchUpBySubscription,
  fillStore,
  hotStreams,
  readLongStream,
  type CatchUpResult,
  type Delivery,
} from './eventStoreBench/workloads';

const SCALE = Number(process.env.BDBAZAR_BENCH_SCALE ?? '1');
const scaled = (n: number): number => Math.max(1, Math.round(n * SCALE));

const POSTGRES_URL = process.env.BDBAZAR_BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
const EMMETT_URL = withDatabase(POSTGRES_URL, `${databaseOf(POSTGRES_URL)}_emmett`);
const RESULTS_FILE = path.resolve(__dirname, '..', 'results', 'event-store.json');

const CONFIG = {
  /** Connections of each store's pool: 32 writers, plus our LISTEN connection and one spare. */
  poolSize: 34,
  reference: [
    { connections: 1, inserts: scaled(3_000) },
    { connections: 32, inserts: scaled(20_000) },
  ],
  appends: {
    runs: [
      { writers: 1, appends: scaled(3_000) },
      { writers: 8, appends: scaled(20_000) },
      { writers: 32, appends: scaled(20_000) },
    ],
    warmUp: scaled(300),
  },
  hot: { writers: 32, streams: 100, durationMs: scaled(5_000) },
  read: { events: 1_000, reads: scaled(200), warmUp: scaled(20) },
  catchUp: { events: scaled(100_000), writers: 8, batch: 10, streams: 2_000, pageSizes: [1_000, 5_000] },
  latency: { ratePerSecond: 1_000, durationMs: scaled(5_000) },
};

const SCHEMA = { main: 'bench_es', catchUp: 'bench_es_catchup', raw: 'bench_raw' };
const POSTGRES = 'PostgreSQL';
const EMBEDDED = 'embedded (PGlite)';

const GOALS: Record<string, Goal> = {
  'appends.1': { text: '≥ 2,500/s', met: (row) => (row.value ?? 0) >= 2_500 },
  'appends.32': { text: '≥ 8,000/s', met: (row) => (row.value ?? 0) >= 8_000 },
  hot: { text: '≥ 4,000/s', met: (row) => (row.value ?? 0) >= 4_000 },
  read: { text: 'p50 ≤ 3 ms', met: (row) => (row.value ?? Infinity) <= 3 },
  ...Object.fromEntries(
    ['catchup.page1000', 'catchup.page5000', 'catchup.subscription'].map((key) => [
      key,
      { text: '≥ 100,000/s, exactly once', met: (row: Row) => (row.value ?? 0) >= 100_000 && row.details?.exactlyOnce === true },
    ]),
  ),
  'latency.same instance': { text: 'p99 ≤ 10 ms, all seen', met: (row) => (row.value ?? Infinity) <= 10 && row.details?.received === row.details?.sent },
  'latency.second instance': { text: 'p99 ≤ 10 ms, all seen', met: (row) => (row.value ?? Infinity) <= 10 && row.details?.received === row.details?.sent },
};

/** How to open each store: for the main workloads, and empty for the catch-up. */
interface StoreSpec {
  name: string;
  open(purpose: 'main' | 'catch-up'): Promise<BenchTarget>;
  /** Run before each part, e.g. a CHECKPOINT on the store's database. */
  settle?(): Promise<void>;
  /** Run after the catch-up fill, e.g. ANALYZE (as autovacuum would soon after a bulk load). */
  afterFill?(): Promise<void>;
  placements: SubscriberPlacement[];
}

const STORES: StoreSpec[] = [
  {
    name: POSTGRES,
    async open(purpose) {
      const schema = purpose === 'main' ? SCHEMA.main : SCHEMA.catchUp;
      // The bench owns the pool (same settings the store would use) to count the connections it opens.
      const pool = new Pool({ connectionString: POSTGRES_URL, max: CONFIG.poolSize });
      pool.on('error', () => undefined);
      let connectionsOpened = 0;
      pool.on('connect', () => connectionsOpened++);
      const store = await createPostgresEventStore({ pool, schema });
      return ourTarget({
        name: POSTGRES,
        store,
        openSecondInstance: () => createPostgresEventStore({ connectionString: POSTGRES_URL, schema, poolConfig: { max: 4 } }),
        notes: { pool: `pg pool max ${CONFIG.poolSize}; second instance: its own pool (max 4)`, schema },
        connectionsOpened: () => connectionsOpened,
        afterClose: () => pool.end(),
      });
    },
    settle: () => checkpoint(POSTGRES_URL),
    afterFill: () => analyze(POSTGRES_URL),
    placements: ['same instance', 'second instance'],
  },
  {
    name: EMBEDDED,
    async open() {
      const store = await createEmbeddedEventStore({ dataDir: 'memory://', schema: SCHEMA.main });
      return ourTarget({
        name: EMBEDDED,
        store,
        noSecondInstanceReason: "memory:// data lives in one PGlite instance (one connection, this process)",
        notes: { dataDir: 'memory:// (a fresh instance for the catch-up)' },
      });
    },
    placements: ['same instance', 'second instance'],
  },
  {
    name: `Emmett ${EMMETT_VERSION}`,
    async open() {
      await recreateDatabase(EMMETT_URL);
      return openEmmettTarget({ connectionString: EMMETT_URL, poolSize: CONFIG.poolSize, catchUpBatchSize: 1_000 });
    },
    settle: () => checkpoint(EMMETT_URL),
    afterFill: () => analyze(EMMETT_URL),
    placements: ['same instance', 'second instance'],
  },
];

const startedAt = performance.now();
/** Other work on the machine skews every figure: the 1-minute load average when the run began. */
const loadAtStart = os.loadavg()[0] ?? 0;
function progress(message: string): void {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${seconds} s] ${message}\n`);
}

// ------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  await ensureDatabase(POSTGRES_URL);
  await dropSchemas(POSTGRES_URL, Object.values(SCHEMA));
  const server = await serverFacts(POSTGRES_URL);
  const ownDatabases = [databaseOf(POSTGRES_URL), databaseOf(EMMETT_URL)];
  const commitsBefore = await commitsElsewhere(POSTGRES_URL, ownDatabases);
  progress(`PostgreSQL ${server.version} at ${redact(POSTGRES_URL)}; Emmett in ${databaseOf(EMMETT_URL)}`);

  const rows: Row[] = await referenceRows();
  const notes: Record<string, Record<string, string>> = {};
  for (const spec of STORES) {
    const result = await runStore(spec);
    rows.push(...result.rows);
    notes[spec.name] = result.notes;
  }
  await dropSchemas(POSTGRES_URL, [SCHEMA.raw]);
  const disturbance: Disturbance = {
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: os.loadavg()[0] ?? 0,
    commitsInOtherDatabases: (await commitsElsewhere(POSTGRES_URL, ownDatabases)) - commitsBefore,
  };

  const order = [...new Set(rows.map((row) => row.key))];
  rows.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
  evaluate(rows, GOALS, POSTGRES);
  print(rows, server, notes, disturbance);
  await writeJson(RESULTS_FILE, {
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - startedAt) / 1000),
    machine: machineFacts(),
    disturbance,
    postgres: { url: redact(POSTGRES_URL), emmettDatabase: databaseOf(EMMETT_URL), ...server },
    config: { scale: SCALE, ...CONFIG },
    stores: notes,
    rows,
  });
  progress(`done; figures also in ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

async function referenceRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { connections, inserts } of CONFIG.reference) {
    await checkpoint(POSTGRES_URL);
    const perSecond = await rawInsertsPerSecond(POSTGRES_URL, SCHEMA.raw, connections, inserts);
    progress(`reference: raw INSERT, ${connections} connection(s): ${formatNumber(perSecond)}/s`);
    rows.push({
      key: `reference.${connections}`,
      workload: 'reference: raw single-row INSERT (uuid pk, jsonb)',
      store: `pg, ${connections} connection${connections === 1 ? '' : 's'}`,
      kind: 'reference',
      value: perSecond,
      higherIsBetter: true,
      result: formatNumber(perSecond),
      unit: 'rows/s',
      note: `${formatNumber(inserts)} inserts`,
    });
  }
  return rows;
}

async function runStore(spec: StoreSpec): Promise<{ rows: Row[]; notes: Record<string, string> }> {
  const rows: Row[] = [];
  const row = (partial: Omit<Row, 'store' | 'kind'>, target: BenchTarget): void => {
    rows.push({ ...partial, store: spec.name, kind: target.kind });
    progress(`${spec.name} · ${partial.workload}: ${partial.result} ${partial.unit}${partial.note ? ` (${partial.note})` : ''}`);
  };

  const target = await spec.open('main');
  const notes = { ...target.notes };
  try {
    await spec.settle?.();
    for (const { writers, appends } of CONFIG.appends.runs) {
      const result = await appendsToNewStreams(target, writers, appends, CONFIG.appends.warmUp);
      row(
        {
          key: `appends.${writers}`,
          workload: `appends, ${writers} writer${writers === 1 ? '' : 's'} (1 event, new stream)`,
          value: result.perSecond,
          higherIsBetter: true,
          result: formatNumber(result.perSecond),
          unit: 'appends/s',
          note: `${formatNumber(appends)} appends`,
          details: { ...result },
        },
        target,
      );
    }

    await spec.settle?.();
    const { writers, streams, durationMs } = CONFIG.hot;
    const hot = await hotStreams(target, writers, streams, durationMs);
    const attempts = hot.successes + hot.conflicts;
    row(
      {
        key: 'hot',
        workload: `hot streams: ${writers} writers, ${streams} streams, expected revisions`,
        value: hot.perSecond,
        higherIsBetter: true,
        result: formatNumber(hot.perSecond),
        unit: 'ok appends/s',
        note:
          `${formatNumber(hot.conflicts)} conflicts (${formatNumber((100 * hot.conflicts) / Math.max(1, attempts), 1)}% of ${formatNumber(attempts)} attempts) in ${formatNumber(hot.durationMs / 1000, 1)} s` +
          (hot.connectionsOpened === null ? '' : `; pool opened ${formatNumber(hot.connectionsOpened)} new connections`),
        details: { ...hot },
      },
      target,
    );

    const read = await readLongStream(target, CONFIG.read.events, CONFIG.read.reads, CONFIG.read.warmUp);
    row(
      {
        key: 'read',
        workload: `read a ${formatNumber(read.events)}-event stream`,
        value: read.p50Ms,
        higherIsBetter: false,
        result: `${formatMs(read.p50Ms)} / ${formatMs(read.p99Ms)}`,
        unit: 'ms p50 / p99',
        note: `${read.reads} reads after ${CONFIG.read.warmUp} warm-up`,
        details: { ...read },
      },
      target,
    );

    const { ratePerSecond, durationMs: latencyMs } = CONFIG.latency;
    const latencies = await appendToSubscriberLatency(target, spec.placements, ratePerSecond, latencyMs);
    for (const latency of latencies) {
      const workload = `append → subscriber at ${formatNumber(ratePerSecond)}/s, ${latency.placement}`;
      if ('unavailable' in latency) {
        row({ key: `latency.${latency.placement}`, workload, value: null, higherIsBetter: false, result: 'n/a', unit: '', note: latency.unavailable }, target);
        continue;
      }
      const lost = latency.sent - latency.received;
      row(
        {
          key: `latency.${latency.placement}`,
          workload,
          value: latency.p99Ms,
          higherIsBetter: false,
          result: `${formatMs(latency.p50Ms)} / ${formatMs(latency.p99Ms)}`,
          unit: 'ms p50 / p99',
          note: `max ${formatMs(latency.maxMs)} ms; ${formatNumber(latency.received)} of ${formatNumber(latency.sent)} events seen${lost > 0 ? ` — ${formatNumber(lost)} NOT SEEN within 5 s of the last append` : ''}`,
          details: { ...latency },
        },
        target,
      );
    }
  } finally {
    await target.close();
  }

  rows.push(...(await runCatchUp(spec)));
  return { rows, notes };
}

async function runCatchUp(spec: StoreSpec): Promise<Row[]> {
  const rows: Row[] = [];
  const target = await spec.open('catch-up');
  const add = (partial: Omit<Row, 'store' | 'kind'>): void => {
    rows.push({ ...partial, store: spec.name, kind: target.kind });
    progress(`${spec.name} · ${partial.workload}: ${partial.result} ${partial.unit}${partial.note ? ` (${partial.note})` : ''}`);
  };
  try {
    await spec.settle?.();
    const { events, writers, batch, streams, pageSizes } = CONFIG.catchUp;
    const fill = await fillStore(target, events, writers, batch, streams);
    add({
      key: 'catchup.fill',
      workload: `catch-up fill: ${formatNumber(events)} events, ${writers} writers × ${batch}-event appends`,
      value: fill.perSecond,
      higherIsBetter: true,
      result: formatNumber(fill.perSecond),
      unit: 'events/s',
      note: `over ${formatNumber(streams)} streams`,
      details: { events: fill.eventIds.length, perSecond: fill.perSecond },
    });
    await spec.afterFill?.();
    await spec.settle?.();

    for (const pageSize of pageSizes) {
      const paged = await catchUpByPaging(target, fill.eventIds, pageSize);
      add(catchUpRow(`catchup.page${pageSize}`, `catch-up: readAll, pages of ${formatNumber(pageSize)}`, paged));
    }
    const subscribed = await catchUpBySubscription(target, fill.eventIds);
    add(catchUpRow('catchup.subscription', "catch-up: subscribeToAll from 'start' to caughtUp", subscribed));
  } finally {
    await target.close();
  }
  return rows;
}

function catchUpRow(key: string, workload: string, result: CatchUpResult): Omit<Row, 'store' | 'kind'> {
  return {
    key,
    workload,
    value: result.perSecond,
    higherIsBetter: true,
    result: formatNumber(result.perSecond),
    unit: 'events/s',
    note: describeDelivery(result.delivery),
    details: { ...result.delivery, perSecond: result.perSecond },
  };
}

function describeDelivery(delivery: Delivery): string {
  const counts = `${formatNumber(delivery.delivered)} delivered of ${formatNumber(delivery.expected)}, ${formatNumber(delivery.missing)} missing, ${formatNumber(delivery.duplicates)} duplicate${delivery.unexpected ? `, ${formatNumber(delivery.unexpected)} unexpected` : ''}`;
  return `exactly once: ${delivery.exactlyOnce ? 'yes' : 'NO'} (${counts})`;
}

interface Disturbance {
  loadAverageAtStart: number;
  loadAverageAtEnd: number;
  commitsInOtherDatabases: number;
}

function print(rows: Row[], server: Awaited<ReturnType<typeof serverFacts>>, notes: Record<string, Record<string, string>>, disturbance: Disturbance): void {
  const settings = Object.entries(server.settings)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  const lines = [
    '',
    `Event store benchmark — ${new Date().toISOString()}`,
    `machine: ${machineText()}; PostgreSQL ${server.version} (${settings}), same host`,
    `other work during the run (skews every figure): load average ${disturbance.loadAverageAtStart.toFixed(2)} at start, ${disturbance.loadAverageAtEnd.toFixed(2)} at end; ${formatNumber(disturbance.commitsInOtherDatabases)} transactions committed in the server's other databases`,
    'ours/Emmett: the figure the goal is about, ours divided by Emmett\'s (throughput: > 1 means ours is faster; read and latency: < 1 means ours is faster)',
    '',
    renderTable(rows),
    '',
    'Exactly once (every appended event id delivered exactly once by the subscription):',
    ...rows
      .filter((row) => row.key === 'catchup.subscription')
      .map((row) => `  ${row.store}: ${row.details?.exactlyOnce ? 'yes' : 'NO'} — ${row.note ?? ''}`),
    '',
    'How each store was driven:',
    ...Object.entries(notes).flatMap(([store, entries]) => [`  ${store}`, ...Object.entries(entries).map(([name, value]) => `    ${name}: ${value}`)]),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
