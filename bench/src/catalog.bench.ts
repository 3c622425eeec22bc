/**
 * `npm run bench:catalog`: the catalogue at marketplace scale, over HTTP against the all-in-one
 * composition on a fresh PostgreSQL database. It seeds 100,000 products across 1,000 shops through
 * the command path, driven by autocannon: the first 10,000 one a request (POST /v1/products, for
 * reference), the rest in sellers' imports of 100 (POST /v1/products/bulk, the seeding rate's
 * goal: each product decided and appended as one listed alone would be), times the catalogue read model's
 * catch-up after the last command, then measures search (GET /v1/products) with a mix of keyword,
 * filter, facet and sort queries at 50 concurrent clients. Prints a table and writes
 * bench/results/catalog.json.
 *
 * PostgreSQL: BDBAZAR_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/bdbazar_bench);
 * each run creates `<database>_catalog_<random>` and drops it at the end. BDBAZAR_BENCH_SCALE
 * (default 1) scales the sellers, shops, products and durations, for a quick try (0.05: 5,000
 * products in 50 shops). BDBAZAR_BENCH_CPU_PROFILE=seeding or search: a CPU profile of the server
 * process during that phase, in bench/results/catalog-<phase>.cpuprofile (cpuProfile.ts).
 *
 * The set-up (sellers, shops, categories) goes over HTTP too, at bcrypt cost 4: this bench
 * measures the catalogue, not password hashing (bench:http does that).
 */
import os from 'node:os';
import path from 'node:path';
import { profiledPhase } from './cpuProfile';
import { generateCatalog, type CatalogStats } from './catalogBench/catalogData';
import { firstPageQueries, nextPages, QUERY_MIX, type Probed, type QueryKind } from './catalogBench/searchQueries';
import { restockTargets, startRestocking } from './catalogBench/restocking';
import { approvedSellers, createAdmin, createCategories, openShops, signInAgain, waitUntilShopsActive, type Account } from './catalogBench/setup';
import { StoreFacts, type Progress, type StoreSummary } from './catalogBench/storeFacts';
import { percentile, runCount, sleep } from './eventStoreBench/measure';
import { analyze, commitsElsewhere, databaseOf, DEFAULT_POSTGRES_URL, ensureDatabase, serverFacts, type ServerFacts } from './eventStoreBench/postgres';
import { evaluate, machineFacts, machineText, formatMs, formatNumber, renderTable, writeJson, type Goal, type Row } from './eventStoreBench/report';
import { LoadClient, withCpu, type CpuSplit, type MeasuredLoad } from './httpBench/load';
import { startBenchMarketplace, type BenchMarketplace } from './httpBench/marketplace';
import type { SearchQuery } from './httpBench/protocol';
import { call } from './httpBench/workloads';

const SCALE = Number(process.env['BDBAZAR_BENCH_SCALE'] ?? '1');
const scaled = (n: number): number => Math.max(1, Math.round(n * SCALE));

const POSTGRES_URL = process.env['BDBAZAR_BENCH_POSTGRES_URL'] ?? DEFAULT_POSTGRES_URL;
const RESULTS_FILE = path.resolve(__dirname, '..', 'results', 'catalog.json');

const CONFIG = {
  /** Of the products, the query mix and the load client's shuffles: the same catalogue every run. */
  seed: 20_260_601,
  sellers: scaled(100),
  shopsPerSeller: 10,
  products: Math.max(100, scaled(100_000)),
  seedConnections: 50,
  /** Products a seller's import lists at once (POST /v1/products/bulk): the seeding's requests. */
  importSize: 100,
  /** Products listed one a request (POST /v1/products) first, for reference: the rest are imported. */
  singleListings: Math.max(100, scaled(10_000)),
  searchConnections: 50,
  /** Requests in the search mix (each connection cycles through all of them in its own order). */
  searchMix: Math.max(300, scaled(2_000)),
  warmUpSeconds: Math.max(2, scaled(5)),
  durationSeconds: Math.max(5, scaled(20)),
  /** Seconds a response may take before autocannon counts a timeout. */
  timeoutSeconds: { seeding: 60, search: 10 },
  /** How long the read model may take to catch up before the run fails. */
  catchUpTimeoutSeconds: 900,
  /** Concurrent requests of the set-up and of probing the queries. */
  setupConcurrency: 8,
  bcryptCost: 4,
  password: 'a good password',
  /** Every request comes from 127.0.0.1: 100 sellers sign in twice or more. */
  loginAttemptsPerAddress: 1_000_000,
  /** Progress lines (and timeline samples) during seeding. */
  sampleEverySeconds: 10,
  /** Stock adjustments a second (+1 unit to products in stock) while the search mix runs again, round this many products. */
  restock: { perSecond: 100, products: 500 },
  /** Queries of each kind timed one at a time, nothing else running: what a search costs without queueing. */
  aloneQueriesPerKind: 25,
};

const GOALS = { seedingPerSecond: 2_000, catchUpSeconds: 10, searchP95Ms: 25, searchPerSecond: 2_000 };
const MARKETPLACE = 'marketplace (all-in-one)';

const startedAt = performance.now();
const loadAtStart = os.loadavg()[0] ?? 0;
function progress(message: string): void {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${seconds} s] ${message}\n`);
}

function redact(connectionString: string): string {
  const url = new URL(connectionString);
  if (url.password) url.password = '***';
  return url.toString();
}

function failures(load: MeasuredLoad): string {
  const codes = Object.entries(load.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${formatNumber(count)}× ${code}`);
  const problems = [...codes, ...(load.errors ? [`${formatNumber(load.errors)} errors`] : []), ...(load.timeouts ? [`${formatNumber(load.timeouts)} timeouts`] : [])];
  return problems.length ? problems.join(', ') : 'no non-2xx';
}

function cpuText(cpu: CpuSplit): string {
  const postgres = cpu.postgres === null ? '' : `, PostgreSQL ${formatNumber(cpu.postgres, 2)}`;
  return `machine ${formatNumber(cpu.machine, 2)} cores busy: server process ${formatNumber(cpu.server, 2)} (event loop ${formatNumber(cpu.serverEventLoop * 100)}% busy), load client ${formatNumber(cpu.client, 2)}${postgres}, ${cpu.postgres === null ? 'PostgreSQL and the rest' : 'the rest'} ${formatNumber(cpu.other, 2)}`;
}

const seconds = (ms: number) => `${formatNumber(ms / 1000, 1)} s`;
const mib = (bytes: number) => `${formatNumber(bytes / 2 ** 20)} MiB`;
const percent = (part: number, whole: number) => `${formatNumber(whole ? (part / whole) * 100 : 0, 1)}%`;

interface ProbeFigures {
  queries: number;
  withResults: number;
  meanItems: number;
}

interface Alone {
  requests: number;
  p50: number;
  p95: number;
  max: number;
}

interface Measured {
  setup: { sellers: number; shops: number; categories: number; ms: Record<string, number>; cpu: CpuSplit };
  catalog: CatalogStats & { generateMs: number };
  /** The imports: `ok` and `okPerSecond` count products listed, the latencies are an import's. */
  seeding: MeasuredLoad;
  imports: { requests: number; ok: number; refused: number };
  /** The products listed one a request before the imports. */
  single: MeasuredLoad;
  catchUp: {
    ms: number;
    position: string;
    polls: number;
    cpu: CpuSplit;
    /** Events the catalog projector applied: while seeding ran, and after the last command until caught up. */
    appliedDuringSeeding: number | null;
    appliedAfterLastCommand: number | null;
    appendedDuringSeeding: number;
  };
  /** Transactions the database committed (each autocommit statement is one) and rolled back, per phase. */
  transactions: Record<'seeding' | 'catchUp' | 'search', { commits: number; rollbacks: number }>;
  timeline: Progress[];
  store: StoreSummary;
  search: {
    requests: number;
    distinct: number;
    probe: Record<string, ProbeFigures>;
    probeCpu: CpuSplit;
    probeMs: number;
    /** One request at a time, by kind and over all kinds (ms). */
    alone: Record<string, Alone>;
    warmUp: MeasuredLoad;
    run: MeasuredLoad;
    /** The same mix with every answer computed (X-Consistent-After bypasses the query API's answer cache). */
    uncached: MeasuredLoad;
    /** The same mix while sellers adjust stock (no product going in or out of stock). */
    duringRestock: MeasuredLoad;
    restocked: { ok: number; failed: number; perSecond: number };
  };
}

async function main(): Promise<void> {
  await ensureDatabase(POSTGRES_URL);
  const server = await serverFacts(POSTGRES_URL);
  progress(`PostgreSQL ${server.version} at ${redact(POSTGRES_URL)}; ${os.cpus().length} CPUs; scale ${SCALE}: ${formatNumber(CONFIG.products)} products, ${formatNumber(CONFIG.sellers * CONFIG.shopsPerSeller)} shops`);

  const market = await startBenchMarketplace({ postgresUrl: POSTGRES_URL, bcryptCost: CONFIG.bcryptCost, loginAttemptsPerAddress: CONFIG.loginAttemptsPerAddress, bench: 'catalog' });
  const ownDatabases = [databaseOf(POSTGRES_URL), market.database];
  const commitsBefore = await commitsElsewhere(POSTGRES_URL, ownDatabases);
  progress(`marketplace at ${market.url} on database ${market.database}`);
  const client = LoadClient.start();
  const facts = await StoreFacts.open(market.databaseUrl);
  // Ctrl+C: the load client ends with it, the run fails, and the finally below drops the database.
  const interrupted = () => process.stderr.write('interrupted; stopping and dropping the database\n');
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  let measured: Measured;
  try {
    measured = await measure(client, market, facts);
  } finally {
    await facts.close();
    await client.stop();
    await market.stop();
  }
  const disturbance = {
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: os.loadavg()[0] ?? 0,
    commitsInOtherDatabases: (await commitsElsewhere(POSTGRES_URL, ownDatabases)) - commitsBefore,
  };

  const { rows, goals } = rowsOf(measured);
  evaluate(rows, goals, MARKETPLACE);
  print(rows, measured, server, disturbance, market.processes);
  await writeJson(RESULTS_FILE, {
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - startedAt) / 1000),
    machine: machineFacts(),
    disturbance,
    postgres: { url: redact(POSTGRES_URL), database: market.database, ...server },
    config: { scale: SCALE, ...CONFIG },
    goals: GOALS,
    measured,
    rows,
  });
  progress(`done; figures also in ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

async function measure(client: LoadClient, market: BenchMarketplace, facts: StoreFacts): Promise<Measured> {
  const { url } = market;

  // 1. Set-up over HTTP: an admin, approved sellers with approved shops the product service knows, the category tree.
  const ms: Record<string, number> = {};
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const began = performance.now();
    const result = await work();
    ms[name] = performance.now() - began;
    return result;
  };
  const { result: setup, cpu: setupCpu } = await withCpu(async () => {
    const admin = await step('admin', () => createAdmin(market.marketplace, url, CONFIG.password));
    const sellers = await step('sellers', () => approvedSellers(url, admin, CONFIG.sellers, CONFIG.password, CONFIG.setupConcurrency));
    progress(`${sellers.length} sellers registered, KYC approved, approved (${seconds(ms['sellers'] ?? 0)})`);
    const shops = await step('shops', () => openShops(url, admin, sellers, CONFIG.shopsPerSeller, CONFIG.setupConcurrency));
    progress(`${shops.length} shops opened and approved (${seconds(ms['shops'] ?? 0)})`);
    await step('shopsKnown', () =>
      waitUntilShopsActive(
        market.marketplace,
        shops.map((shop) => shop.id),
        120_000,
      ),
    );
    const categories = await step('categories', () => createCategories(url, admin));
    progress(`product service knows every shop (${seconds(ms['shopsKnown'] ?? 0)} more); ${categories.roots.length + categories.leaves.flat().length} categories (${seconds(ms['categories'] ?? 0)})`);
    return { sellers, shops, categories };
  });
  const shopIds = setup.shops.map((shop) => shop.id);

  // 2. Seeding: every product once, through POST /v1/products.
  const generateBegan = performance.now();
  const generated = generateCatalog({ seed: CONFIG.seed, products: CONFIG.products, shops: shopIds, categories: setup.categories });
  const generateMs = performance.now() - generateBegan;
  const sellers = await signInAgain(url, setup.sellers, CONFIG.password, CONFIG.setupConcurrency);
  const tokens = Object.fromEntries(setup.shops.map((shop) => [shop.id, (sellers[shop.owner] as Account).accessToken]));
  progress(
    `generated ${formatNumber(generated.stats.products)} products (${mib(generated.stats.bodyBytes)} of JSON) in ${seconds(generateMs)}; seeding over ${CONFIG.seedConnections} connections`,
  );
  // The first products one a request, as a seller's form posts them (for reference) ...
  const singles = generated.products.slice(0, Math.min(CONFIG.singleListings, generated.products.length - 1));
  const single = await client.run({
    url,
    plan: { kind: 'listProducts', products: singles, tokens },
    connections: CONFIG.seedConnections,
    amount: singles.length,
    timeoutSeconds: CONFIG.timeoutSeconds.seeding,
  });
  progress(`one product a request: ${formatNumber(single.okPerSecond)} products/s, p50 ${formatMs(single.latencyMs.p50)} ms, p99 ${formatMs(single.latencyMs.p99)} ms (${failures(single)}); ${cpuText(single.cpu)}`);
  if (single.sampleFailures.length) progress(`one product a request: the first refusals: ${JSON.stringify(single.sampleFailures)}`);
  // ... and the rest imported, each seller's in imports of up to 100, as a catalogue is moved in.
  const imports = importsOf(generated.products.slice(singles.length), tokens, CONFIG.importSize);
  const before = await facts.progress();
  const timeline: Progress[] = [before];
  const stopSampling = facts.sample(
    CONFIG.sampleEverySeconds * 1000,
    (sample) =>
      progress(
        `seeding: ${formatNumber(sample.appended - before.appended)} events appended; catalog projector ${sample.catalogApplied === null ? 'not started' : `has applied ${formatNumber(sample.catalogApplied - (before.catalogApplied ?? 0))}`}`,
      ),
    (error) => progress(`a progress sample failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  let importRun: MeasuredLoad;
  try {
    importRun = await profiledPhase('catalog', 'seeding', () => client.run({
      url,
      plan: { kind: 'importProducts', imports },
      connections: CONFIG.seedConnections,
      amount: imports.length,
      timeoutSeconds: CONFIG.timeoutSeconds.seeding,
    }));
  } finally {
    await stopSampling().then((samples) => timeline.push(...samples));
  }
  const listed = importRun.itemsOk ?? 0;
  const seeding: MeasuredLoad = { ...importRun, ok: listed, okPerSecond: importRun.durationSeconds > 0 ? listed / importRun.durationSeconds : 0 };
  const importFigures = { requests: importRun.ok, ok: listed, refused: importRun.itemsRefused ?? 0 };
  const atLastCommand = await facts.progress();
  progress(
    `seeding: ${formatNumber(seeding.okPerSecond)} products/s, p50 ${formatMs(seeding.latencyMs.p50)} ms, p99 ${formatMs(seeding.latencyMs.p99)} ms (${failures(seeding)}); ${formatNumber((atLastCommand.commits - before.commits) / Math.max(1, seeding.ok), 1)} transactions a product; ${cpuText(seeding.cpu)}`,
  );
  if (seeding.sampleFailures.length) progress(`seeding: the first refusals: ${JSON.stringify(seeding.sampleFailures)}`);
  if (!seeding.lastPosition) throw new Error('no product was listed');
  const position = seeding.lastPosition;

  // 3. Catch-up: from the last command's answer until the catalogue answers a read consistent with its position.
  const { result: caughtUp, cpu: catchUpCpu } = await withCpu(() => waitForCatalog(url, position, CONFIG.catchUpTimeoutSeconds * 1000));
  const whenCaughtUp = await facts.progress();
  const catchUpMs = caughtUp.atEpochMs - seeding.lastResponseAtEpochMs;
  const applied = (from: Progress, to: Progress) => (from.catalogApplied === null || to.catalogApplied === null ? null : to.catalogApplied - from.catalogApplied);
  progress(`catalogue caught up ${seconds(catchUpMs)} after the last command (${caughtUp.polls} ${caughtUp.polls === 1 ? 'read' : 'reads'}); ${cpuText(catchUpCpu)}`);

  const store = await facts.summary();
  // What autovacuum would have done within a minute or so of the bulk load: the search plans depend on it.
  await analyze(market.databaseUrl);

  // 4. Search: probe every first page once (their cursors make the second pages), time some one at a
  // time (the service time, without queueing), then warm up and measure at 50 connections.
  const firsts = firstPageQueries({ seed: CONFIG.seed, count: CONFIG.searchMix, categories: setup.categories, shops: shopIds });
  const probeBegan = performance.now();
  const { result: probed, cpu: probeCpu } = await withCpu(() => probe(url, firsts));
  const probeMs = performance.now() - probeBegan;
  const queries: SearchQuery[] = [...firsts, ...nextPages(probed, CONFIG.searchMix, CONFIG.seed)];
  const distinct = new Set(queries.map((query) => query.path)).size;
  const probeFigures = figuresByKind(probed);
  progress(`search mix: ${formatNumber(queries.length)} requests, ${formatNumber(distinct)} distinct; probed ${formatNumber(probed.length)} first pages in ${seconds(probeMs)}`);

  const searchJob = { url, plan: { kind: 'search', queries, seed: CONFIG.seed } as const, connections: CONFIG.searchConnections, timeoutSeconds: CONFIG.timeoutSeconds.search };
  // One at a time and computed afresh: X-Consistent-After (already reached) bypasses the answer cache.
  const alone = await timeAlone(url, queries, CONFIG.aloneQueriesPerKind, position);
  progress(`search alone (one request at a time, ${formatNumber(alone['all']?.requests ?? 0)} requests): p50 ${formatMs(alone['all']?.p50 ?? Number.NaN)} ms, p95 ${formatMs(alone['all']?.p95 ?? Number.NaN)} ms`);
  const warmUp = await client.run({ ...searchJob, durationSeconds: CONFIG.warmUpSeconds });
  const beforeSearch = await facts.progress();
  const run = await profiledPhase('catalog', 'search', () => client.run({ ...searchJob, durationSeconds: CONFIG.durationSeconds }));
  const afterSearch = await facts.progress();
  progress(`search: ${formatNumber(run.okPerSecond)}/s, p50 ${formatMs(run.latencyMs.p50)} ms, p95 ${formatMs(run.latencyMs.p95)} ms, p99 ${formatMs(run.latencyMs.p99)} ms (${failures(run)}); ${cpuText(run.cpu)}`);
  // The catalogue stood still during that run, so the query API answered repeated queries from its
  // cache; this run computes every answer, as when the catalogue changes between requests.
  const uncached = await client.run({ ...searchJob, plan: { ...searchJob.plan, headers: { 'X-Consistent-After': position } }, durationSeconds: CONFIG.durationSeconds });
  progress(`search, every answer computed: ${formatNumber(uncached.okPerSecond)}/s, p95 ${formatMs(uncached.latencyMs.p95)} ms (${failures(uncached)}); ${cpuText(uncached.cpu)}`);
  // Sellers receive stock meanwhile, and no product goes in or out of stock: the catalogue moves,
  // what the storefront shows does not, so its cached answers stay good.
  const restocking = startRestocking(url, await restockTargets(market.databaseUrl, CONFIG.restock.products), tokens, CONFIG.restock.perSecond);
  let duringRestock: MeasuredLoad;
  let restocked: Awaited<ReturnType<typeof restocking.stop>>;
  try {
    duringRestock = await client.run({ ...searchJob, durationSeconds: CONFIG.durationSeconds });
  } finally {
    restocked = await restocking.stop();
  }
  if (restocked.failed > 0) throw new Error(`${restocked.failed} stock adjustments failed, e.g. ${restocked.firstFailure}`);
  progress(
    `search while sellers restock (${formatNumber(restocked.perSecond)} adjustments/s): ${formatNumber(duringRestock.okPerSecond)}/s, p95 ${formatMs(duringRestock.latencyMs.p95)} ms (${failures(duringRestock)}); ${cpuText(duringRestock.cpu)}`,
  );

  return {
    setup: { sellers: setup.sellers.length, shops: setup.shops.length, categories: setup.categories.roots.length + setup.categories.leaves.flat().length, ms, cpu: setupCpu },
    catalog: { ...generated.stats, generateMs },
    seeding,
    imports: importFigures,
    single,
    catchUp: {
      ms: catchUpMs,
      position,
      polls: caughtUp.polls,
      cpu: catchUpCpu,
      appliedDuringSeeding: applied(before, atLastCommand),
      appliedAfterLastCommand: applied(atLastCommand, whenCaughtUp),
      appendedDuringSeeding: atLastCommand.appended - before.appended,
    },
    transactions: { seeding: transactionsBetween(before, atLastCommand), catchUp: transactionsBetween(atLastCommand, whenCaughtUp), search: transactionsBetween(beforeSearch, afterSearch) },
    timeline,
    store,
    search: { requests: queries.length, distinct, probe: probeFigures, probeCpu, probeMs, alone, warmUp, run, uncached, duringRestock, restocked },
  };
}

/** Each seller's products in imports of up to `size`, sellers taking turns (as many sellers import at once). */
function importsOf(products: ReadonlyArray<{ shopId: string; body: string }>, tokens: Record<string, string>, size: number): Array<{ token: string; body: string }> {
  const bySeller = new Map<string, string[]>();
  for (const product of products) {
    const token = tokens[product.shopId] ?? '';
    let bodies = bySeller.get(token);
    if (!bodies) bySeller.set(token, (bodies = []));
    bodies.push(product.body);
  }
  const queues = [...bySeller].map(([token, bodies]) => ({ token, bodies }));
  const imports: Array<{ token: string; body: string }> = [];
  while (queues.some((q) => q.bodies.length > 0)) {
    for (const queue of queues) {
      const chunk = queue.bodies.splice(0, size);
      if (chunk.length) imports.push({ token: queue.token, body: `{"products":[${chunk.join(',')}]}` });
    }
  }
  return imports;
}

function transactionsBetween(from: Progress, to: Progress): { commits: number; rollbacks: number } {
  return { commits: to.commits - from.commits, rollbacks: to.rollbacks - from.rollbacks };
}

/**
 * Reads one product with X-Consistent-After: `position` until the query API answers 200 (it holds
 * the request a bounded time and answers 503 while the catalog projector is behind).
 */
async function waitForCatalog(url: string, position: string, timeoutMs: number): Promise<{ atEpochMs: number; polls: number }> {
  const deadline = performance.now() + timeoutMs;
  for (let polls = 1; ; polls++) {
    const asked = performance.now();
    const answer = await call(url, 'GET', '/v1/products?limit=1', null, undefined, { 'X-Consistent-After': position });
    if (answer.status === 200) return { atEpochMs: performance.timeOrigin + performance.now(), polls };
    if (answer.status !== 503) throw new Error(`waiting for the catalogue: ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
    if (performance.now() > deadline) throw new Error(`the catalogue did not reach ${position} within ${timeoutMs / 1000} s`);
    if (performance.now() - asked < 20) await sleep(20); // it answered at once: do not spin
  }
}

/** Every distinct first page once; any answer but 200 fails the run (the mix would measure errors). */
async function probe(url: string, queries: readonly SearchQuery[]): Promise<Probed[]> {
  const paths = [...new Set(queries.map((query) => query.path))];
  const answers = new Map<string, { items: number; nextCursor: string | null }>();
  const refused: string[] = [];
  await runCount(paths.length, CONFIG.setupConcurrency, async (index) => {
    const queryPath = paths[index] as string;
    const answer = await call(url, 'GET', queryPath, null);
    if (answer.status !== 200) {
      refused.push(`${queryPath} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      return;
    }
    const items = Array.isArray(answer.body['items']) ? answer.body['items'].length : 0;
    const nextCursor = typeof answer.body['nextCursor'] === 'string' ? answer.body['nextCursor'] : null;
    answers.set(queryPath, { items, nextCursor });
  });
  if (refused.length) throw new Error(`${refused.length} of ${paths.length} search queries were refused, e.g.:\n  ${refused.slice(0, 5).join('\n  ')}`);
  return queries.map((query) => ({ query, ...(answers.get(query.path) as { items: number; nextCursor: string | null }) }));
}

/** The first `perKind` distinct queries of each kind, one request at a time; 'all' pools them. */
async function timeAlone(url: string, queries: readonly SearchQuery[], perKind: number, position: string): Promise<Record<string, Alone>> {
  const chosen = new Map<string, string[]>();
  for (const query of queries) {
    const paths = chosen.get(query.kind) ?? [];
    if (paths.length < perKind && !paths.includes(query.path)) paths.push(query.path);
    chosen.set(query.kind, paths);
  }
  const all: number[] = [];
  const alone: Record<string, Alone> = {};
  const summary = (latencies: number[]): Alone => ({ requests: latencies.length, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: Math.max(...latencies) });
  for (const [kind, paths] of chosen) {
    const latencies: number[] = [];
    for (const queryPath of paths) {
      const began = performance.now();
      const answer = await call(url, 'GET', queryPath, null, undefined, { 'X-Consistent-After': position });
      if (answer.status !== 200) throw new Error(`${queryPath} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      latencies.push(performance.now() - began);
    }
    alone[kind] = summary(latencies);
    all.push(...latencies);
  }
  alone['all'] = summary(all);
  return alone;
}

function figuresByKind(probed: readonly Probed[]): Record<string, ProbeFigures> {
  const figures: Record<string, ProbeFigures> = {};
  for (const { query, items } of probed) {
    const kind = (figures[query.kind] ??= { queries: 0, withResults: 0, meanItems: 0 });
    kind.meanItems = (kind.meanItems * kind.queries + items) / (kind.queries + 1);
    kind.queries++;
    if (items > 0) kind.withResults++;
  }
  return figures;
}

function rowsOf(m: Measured): { rows: Row[]; goals: Record<string, Goal> } {
  const seedingWorkload = `seeding: POST /v1/products/bulk, ${CONFIG.importSize} products (publish) an import, ${CONFIG.seedConnections} connections`;
  const singleWorkload = `reference: POST /v1/products, one product a request, ${CONFIG.seedConnections} connections`;
  const single = m.single;
  const searchWorkload = `search: GET /v1/products, mix of ${formatNumber(m.search.requests)} (${formatNumber(m.search.distinct)} distinct), ${CONFIG.searchConnections} connections`;
  const seeding = m.seeding;
  const search = m.search.run;
  const variantsPerProduct = m.catalog.variants / m.catalog.products;
  const projectorRate = m.catchUp.appliedDuringSeeding === null ? 'n/a' : formatNumber(m.catchUp.appliedDuringSeeding / seeding.durationSeconds);

  const rows: Row[] = [
    {
      key: 'seeding',
      workload: seedingWorkload,
      store: MARKETPLACE,
      kind: 'ours',
      value: seeding.okPerSecond,
      higherIsBetter: true,
      result: formatNumber(seeding.okPerSecond),
      unit: 'products/s',
      note: `${formatNumber(seeding.ok)} products listed by ${formatNumber(m.imports.requests)} imports in ${formatNumber(seeding.durationSeconds, 1)} s, ${formatNumber(m.imports.refused)} refused; ${failures(seeding)}; ${formatNumber(variantsPerProduct, 2)} variants (SKU claims) each; the first ${formatNumber(single.ok)} were listed one a request (below)`,
      details: { ok: seeding.ok, imports: m.imports, statusCodes: seeding.statusCodes, errors: seeding.errors, timeouts: seeding.timeouts, durationSeconds: seeding.durationSeconds, cpu: seeding.cpu, sampleFailures: seeding.sampleFailures },
    },
    {
      key: 'seeding.latency',
      workload: seedingWorkload,
      store: MARKETPLACE,
      kind: 'ours',
      value: seeding.latencyMs.p99,
      higherIsBetter: false,
      result: `${formatMs(seeding.latencyMs.p50)} / ${formatMs(seeding.latencyMs.p95)} / ${formatMs(seeding.latencyMs.p99)}`,
      unit: 'ms p50 / p95 / p99',
      note: `an import of ${CONFIG.importSize} answered`,
      details: { ...seeding.latencyMs },
    },
    {
      key: 'single',
      workload: singleWorkload,
      store: MARKETPLACE,
      kind: 'ours',
      value: single.okPerSecond,
      higherIsBetter: true,
      result: formatNumber(single.okPerSecond),
      unit: 'products/s',
      note: `${formatNumber(single.ok)} listed in ${formatNumber(single.durationSeconds, 1)} s; ${failures(single)}; ${cpuText(single.cpu)}`,
      details: { ok: single.ok, statusCodes: single.statusCodes, durationSeconds: single.durationSeconds, cpu: single.cpu, sampleFailures: single.sampleFailures },
    },
    {
      key: 'single.latency',
      workload: singleWorkload,
      store: MARKETPLACE,
      kind: 'ours',
      value: single.latencyMs.p99,
      higherIsBetter: false,
      result: `${formatMs(single.latencyMs.p50)} / ${formatMs(single.latencyMs.p95)} / ${formatMs(single.latencyMs.p99)}`,
      unit: 'ms p50 / p95 / p99',
      details: { ...single.latencyMs },
    },
    {
      key: 'catchUp',
      workload: 'catalogue read model: last command answered → consistent read',
      store: MARKETPLACE,
      kind: 'ours',
      value: m.catchUp.ms / 1000,
      higherIsBetter: false,
      result: formatNumber(m.catchUp.ms / 1000, 2),
      unit: 's',
      note: `${m.catchUp.appliedAfterLastCommand === null ? '?' : formatNumber(m.catchUp.appliedAfterLastCommand)} events applied after the last command; the projector applied ${projectorRate} events/s during seeding`,
      details: { ...m.catchUp },
    },
    {
      key: 'search',
      workload: searchWorkload,
      store: MARKETPLACE,
      kind: 'ours',
      value: search.okPerSecond,
      higherIsBetter: true,
      result: formatNumber(search.okPerSecond),
      unit: 'requests/s',
      note: `${formatNumber(search.ok)} in ${formatNumber(search.durationSeconds, 1)} s after ${CONFIG.warmUpSeconds} s warm-up; ${failures(search)}`,
      details: { ok: search.ok, statusCodes: search.statusCodes, errors: search.errors, timeouts: search.timeouts, durationSeconds: search.durationSeconds, cpu: search.cpu, sampleFailures: search.sampleFailures },
    },
    {
      key: 'search.latency',
      workload: searchWorkload,
      store: MARKETPLACE,
      kind: 'ours',
      value: search.latencyMs.p95,
      higherIsBetter: false,
      result: `${formatMs(search.latencyMs.p50)} / ${formatMs(search.latencyMs.p95)} / ${formatMs(search.latencyMs.p99)}`,
      unit: 'ms p50 / p95 / p99',
      details: { ...search.latencyMs },
    },
    {
      key: 'search.uncached',
      workload: 'search, the same mix, every answer computed (answer cache bypassed)',
      store: MARKETPLACE,
      kind: 'reference',
      value: m.search.uncached.okPerSecond,
      higherIsBetter: true,
      result: `${formatNumber(m.search.uncached.okPerSecond)} /s; ${formatMs(m.search.uncached.latencyMs.p50)} / ${formatMs(m.search.uncached.latencyMs.p95)} / ${formatMs(m.search.uncached.latencyMs.p99)}`,
      unit: 'requests/s; ms p50 / p95 / p99',
      note: `as when what the storefront shows changes between requests; ${failures(m.search.uncached)}; ${cpuText(m.search.uncached.cpu)}`,
      details: { ...m.search.uncached.latencyMs, cpu: m.search.uncached.cpu },
    },
    {
      key: 'search.duringRestock',
      workload: `search, the same mix, while sellers restock (${formatNumber(CONFIG.restock.perSecond)} stock adjustments/s)`,
      store: MARKETPLACE,
      kind: 'reference',
      value: m.search.duringRestock.okPerSecond,
      higherIsBetter: true,
      result: `${formatNumber(m.search.duringRestock.okPerSecond)} /s; ${formatMs(m.search.duringRestock.latencyMs.p50)} / ${formatMs(m.search.duringRestock.latencyMs.p95)} / ${formatMs(m.search.duringRestock.latencyMs.p99)}`,
      unit: 'requests/s; ms p50 / p95 / p99',
      note: `${formatNumber(m.search.restocked.ok)} adjustments (${formatNumber(m.search.restocked.perSecond)}/s), none taking a product in or out of stock: the catalogue moves, its answers stay; ${failures(m.search.duringRestock)}; ${cpuText(m.search.duringRestock.cpu)}`,
      details: { ...m.search.duringRestock.latencyMs, cpu: m.search.duringRestock.cpu, restocked: m.search.restocked },
    },
  ];
  const alone = m.search.alone['all'];
  if (alone) {
    rows.push({
      key: 'search.alone',
      workload: 'reference: the same searches one at a time (no queueing)',
      store: MARKETPLACE,
      kind: 'reference',
      value: alone.p95,
      higherIsBetter: false,
      result: `${formatMs(alone.p50)} / ${formatMs(alone.p95)} / ${formatMs(alone.max)}`,
      unit: 'ms p50 / p95 / max',
      note: `${alone.requests} requests, up to ${CONFIG.aloneQueriesPerKind} distinct of each kind, one after another: the service time without queueing`,
      details: { ...m.search.alone },
    });
  }

  // The share of each query kind: how many of the requests, how fast, how many found something when probed.
  for (const [kind, { label }] of Object.entries(QUERY_MIX) as Array<[QueryKind, { label: string }]>) {
    const figures = search.byKind?.[kind];
    if (!figures) continue;
    const probed = m.search.probe[kind];
    const found = probed ? `; ${percent(probed.withResults, probed.queries)} of the first pages found some, ${formatNumber(probed.meanItems, 1)} items a page` : '';
    const single = m.search.alone[kind];
    const aloneText = single ? `alone: p50 ${formatMs(single.p50)} ms, max ${formatMs(single.max)} ms (${single.requests}); ` : '';
    rows.push({
      key: `search.${kind}`,
      workload: 'search, by query kind (same run)',
      store: label,
      kind: 'ours',
      value: figures.latencyMs.p95,
      higherIsBetter: false,
      result: `${formatMs(figures.latencyMs.p50)} / ${formatMs(figures.latencyMs.p95)} / ${formatMs(figures.latencyMs.p99)}`,
      unit: 'ms p50 / p95 / p99',
      note: `${aloneText}${percent(figures.ok, search.ok)} of the 2xx (${formatNumber(figures.ok / search.durationSeconds)}/s)${figures.notOk ? `, ${formatNumber(figures.notOk)} not 2xx` : ''}${found}`,
      details: { ...figures },
    });
  }

  const goals: Record<string, Goal> = {
    seeding: { text: `≥ ${formatNumber(GOALS.seedingPerSecond)}/s`, met: (row) => (row.value ?? 0) >= GOALS.seedingPerSecond },
    catchUp: { text: `≤ ${GOALS.catchUpSeconds} s`, met: (row) => (row.value ?? Infinity) <= GOALS.catchUpSeconds },
    search: { text: `≥ ${formatNumber(GOALS.searchPerSecond)}/s`, met: (row) => (row.value ?? 0) >= GOALS.searchPerSecond },
    'search.latency': { text: `p95 ≤ ${GOALS.searchP95Ms} ms`, met: (row) => (row.value ?? Infinity) <= GOALS.searchP95Ms },
  };
  return { rows, goals };
}

function print(rows: Row[], m: Measured, server: ServerFacts, disturbance: { loadAverageAtStart: number; loadAverageAtEnd: number; commitsInOtherDatabases: number }, processes: string): void {
  const settings = Object.entries(server.settings)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  const c = m.catalog;
  const topLeaves = c.perLeaf
    .slice(0, 3)
    .map((leaf) => `${leaf.slug} ${percent(leaf.products, c.products)}`)
    .join(', ');
  const lastLeaf = c.perLeaf.at(-1);
  const cpuLines: Array<[string, CpuSplit]> = [
    [`set-up (${seconds(Object.values(m.setup.ms).reduce((a, b) => a + b, 0))})`, m.setup.cpu],
    [`seeding (${formatNumber(m.seeding.durationSeconds, 1)} s)`, m.seeding.cpu],
    [`catch-up (${seconds(m.catchUp.ms)})`, m.catchUp.cpu],
    [`probing the queries (${seconds(m.search.probeMs)})`, m.search.probeCpu],
    [`search (${formatNumber(m.search.run.durationSeconds, 1)} s)`, m.search.run.cpu],
  ];
  const width = Math.max(...cpuLines.map(([label]) => label.length));
  const s = m.setup.ms;
  const lines = [
    '',
    `Catalogue benchmark — ${new Date().toISOString()}`,
    `machine: ${machineText()}; PostgreSQL ${server.version} (${settings}), same host`,
    `other work during the run (skews every figure): load average ${disturbance.loadAverageAtStart.toFixed(2)} at start, ${disturbance.loadAverageAtEnd.toFixed(2)} at end; ${formatNumber(disturbance.commitsInOtherDatabases)} transactions committed in the server's other databases`,
    `app: account, shop and product services + query API + projectors ${processes} over one fresh PostgreSQL database, in-process bus, LOG_LEVEL silent, no response validation; bcrypt cost ${CONFIG.bcryptCost} for the set-up's passwords`,
    `load: autocannon in a child process, no pipelining; seeding posts each product once, the first ${formatNumber(m.single.ok)} one a request, the rest in imports of ${CONFIG.importSize} of one seller's products, over ${CONFIG.seedConnections} connections (each run lasts from the first request to the last answer); search ${CONFIG.searchConnections} connections, ${CONFIG.warmUpSeconds} s warm-up (discarded) + ${CONFIG.durationSeconds} s measured, each connection cycling through the whole mix in its own order. Latencies are of 2xx answers.`,
    `catalogue (seed ${CONFIG.seed}, scale ${SCALE}): ${formatNumber(c.products)} products in ${formatNumber(m.setup.shops)} shops of ${formatNumber(m.setup.sellers)} sellers, ${m.setup.categories} categories (10 roots × 5 leaves, Zipf: ${topLeaves} … ${lastLeaf ? `${lastLeaf.slug} ${percent(lastLeaf.products, c.products)}` : ''}); ${formatNumber(c.variants / c.products, 2)} variants a product; ${percent(c.banglaTitles, c.products)} Bangla titles; ${percent(c.outOfStock, c.products)} out of stock; ${percent(c.noBrand, c.products)} without a brand; ${formatNumber(c.bodyBytes / c.products)} bytes a request body`,
    `set-up over HTTP: sellers ${seconds(s['sellers'] ?? 0)}, shops ${seconds(s['shops'] ?? 0)}, until the product service knew every shop ${seconds(s['shopsKnown'] ?? 0)}, categories ${seconds(s['categories'] ?? 0)}; generating the bodies ${seconds(c.generateMs)}. The database was ANALYZEd after the catch-up, before the search runs (as autovacuum would soon after a bulk load).`,
    '(the ours/Emmett column of the shared table printer does not apply here)',
    '',
    renderTable(rows),
    '',
    `Where the CPU went in each phase (cores busy on average; this machine has ${os.cpus().length}):`,
    ...cpuLines.map(([label, cpu]) => `  ${label.padEnd(width)}  ${cpuText(cpu)}`),
    '',
    `event store: ${formatNumber(m.store.events)} events (${formatNumber(m.catchUp.appendedDuringSeeding)} appended during seeding, ${formatNumber(m.catchUp.appendedDuringSeeding / m.seeding.durationSeconds)}/s): ${m.store.eventsByType
      .slice(0, 8)
      .map((row) => `${row.type} ${formatNumber(row.events)}`)
      .join(', ')}${m.store.eventsByType.length > 8 ? ', …' : ''}`,
    `PostgreSQL transactions (each autocommit statement is one; the bench's own few included): seeding ${formatNumber(m.transactions.seeding.commits)} committed (${formatNumber(m.transactions.seeding.commits / Math.max(1, m.seeding.ok), 1)} a product listed), ${formatNumber(m.transactions.seeding.rollbacks)} rolled back; catch-up ${formatNumber(m.transactions.catchUp.commits)}; search ${formatNumber(m.transactions.search.commits)} (${formatNumber(m.transactions.search.commits / Math.max(1, m.search.run.ok), 2)} a search answered)`,
    `database: ${mib(m.store.databaseBytes)}; biggest: ${m.store.biggestRelations.map((relation) => `${relation.name} ${mib(relation.bytes)}`).join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
