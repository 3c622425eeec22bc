/**
 * `npm run bench:orders`: checkout and the stock reservation that follows it, over HTTP against
 * the all-in-one composition on a fresh PostgreSQL database. After a set-up that is not timed
 * (shops, published products with plenty of stock, buyers with an address), it measures:
 *
 * 1. checkout throughput and latency: 50 connections for 20 s (after a warm-up), each
 *    POST /v1/orders with explicit items (1 to 3 lines from 1 or 2 shops), a new Idempotency-Key,
 *    cash on delivery or bKash, a random buyer; and, last of all, the latency at the goal's
 *    rate: 500 checkouts/s started on schedule (open loop) over at most 50 connections for 20 s;
 * 2. checkout → reserved and visible, from sending the checkout until GET /v1/orders/{id} shows
 *    each of its orders awaiting_payment or confirmed (read every 5 ms): checkouts paced at
 *    100/s with nothing else running, one in four followed (the goal); for reference, a few
 *    checkouts one at a time (no queueing anywhere), and one checkout in 10 while 50 connections
 *    check out. The time is split into the steps the event store dated.
 *
 * After each phase it waits until no order placed is pending and the consumers are quiet, and
 * reports how long the reservation process took to catch up after the load, and what one
 * checkout cost the server. Prints a table and writes bench/results/orders.json.
 *
 * PostgreSQL: BDBAZAR_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/bdbazar_bench);
 * each run creates `<database>_orders_<random>` and drops it at the end. RabbitMQ: when
 * BDBAZAR_BENCH_RABBITMQ_URL is set, integration events go through it (an exchange and queues of
 * the run's own, deleted at the end); otherwise the in-process bus. BDBAZAR_BENCH_SCALE (default
 * 1) scales the sellers, buyers, samples and durations (0.25 for a quick try).
 * BDBAZAR_BENCH_PROJECTIONS_PROCESS=1 (with RabbitMQ): the projections service runs in a process of its
 * own, as docker-compose deploys it, instead of inside the marketplace's.
 * BDBAZAR_BENCH_CPU_PROFILE=<phase> (warm-up, load, at-rate, alone, paced, under-load): a CPU profile of the
 * server process during that phase, in bench/results/orders-<phase>.cpuprofile (cpuProfile.ts).
 * BDBAZAR_BENCH_LOG_LEVEL (default silent): the marketplace logs at that level (pino, on stdout).
 */
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@bdbazar/shared-kernel';
import { profiledPhase } from './cpuProfile';
import { checkpoint, commitsElsewhere, databaseOf, DEFAULT_POSTGRES_URL, ensureDatabase, serverFacts, type ServerFacts } from './eventStoreBench/postgres';
import { evaluate, machineFacts, machineText, formatMs, formatNumber, renderTable, writeJson, type Goal, type Row } from './eventStoreBench/report';
import { withCpu, type CpuSplit, type MeasuredLoad } from './httpBench/load';
import { CheckoutClient, type MeasuredOrderJob } from './ordersBench/checkoutLoad';
import { checkoutMix, type CheckoutMix } from './ordersBench/checkouts';
import { costSince, costSnapshot, type PhaseCost } from './ordersBench/cost';
import { followedFigures, orderIdsOf, samplesWithSteps, STEPS, type FollowedFigures, type Spread, type StepName } from './ordersBench/followed';
import { startBenchMarketplace, type BenchMarketplace } from './httpBench/marketplace';
import { OrderFacts, unsettled, type Backlog, type StoreSummary } from './ordersBench/orderFacts';
import type { OrderJob, TrackOptions } from './ordersBench/protocol';
import { setUpOrders } from './ordersBench/setup';

const SCALE = Number(process.env['BDBAZAR_BENCH_SCALE'] ?? '1');
const scaled = (n: number): number => Math.max(1, Math.round(n * SCALE));

const POSTGRES_URL = process.env['BDBAZAR_BENCH_POSTGRES_URL'] ?? DEFAULT_POSTGRES_URL;
const RABBITMQ_URL = process.env['BDBAZAR_BENCH_RABBITMQ_URL'] || undefined;
/** The projections service (projectors, outbox relay) as a process of its own, as deployed (needs RabbitMQ). */
const PROJECTIONS_PROCESS = process.env['BDBAZAR_BENCH_PROJECTIONS_PROCESS'] === '1';
/** The marketplace's log level (pino, on stdout; silent unless set): to find out why a run stalls or requests fail. */
const LOG_LEVEL = process.env['BDBAZAR_BENCH_LOG_LEVEL'] ?? 'silent';
const RESULTS_FILE = path.resolve(__dirname, '..', 'results', 'orders.json');

const CONFIG = {
  /** Of the products' prices and sizes and of the checkout mix: the same checkouts every run. */
  seed: 20_260_624,
  sellers: scaled(10),
  shopsPerSeller: 2,
  productsPerShop: 10,
  /** The most the API allows a new variant: no checkout of the run is refused for stock. */
  stockPerVariant: 1_000_000,
  buyers: Math.max(10, scaled(200)),
  /** Distinct checkouts in the mix (each run sends them in order, wrapping round, each with a new key). */
  mix: 5_000,
  /** Of the checkouts of 2 or 3 lines, the share whose lines come from two shops (two orders). */
  twoShopShare: 0.4,
  connections: 50,
  warmUpSeconds: Math.max(2, scaled(3)),
  durationSeconds: Math.max(5, scaled(20)),
  /** Seconds a checkout may take before autocannon counts a timeout. */
  timeoutSeconds: 10,
  /**
   * The goal's rate, open loop: checkouts started at this steady rate over at most `connections`
   * connections whatever the answers' pace, for the latency at that throughput (a closed loop
   * measures the latency at the most the server can take, where every connection queues).
   */
  atRate: { ratePerSecond: 500, durationSeconds: Math.max(5, scaled(20)) },
  /** Checkouts one at a time, each followed until reserved before the next: the latency without queueing. */
  alone: { checkouts: Math.max(5, scaled(10)) },
  /**
   * Checkouts paced at this rate, nothing else running, `followed` of them followed (one in
   * `every`: following every one at 5 ms would send thousands of reads a second to the server
   * whose reservation process it times).
   */
  paced: { ratePerSecond: 100, followed: Math.max(50, scaled(300)), every: 4 },
  /** The load again, one checkout in `every` followed. */
  underLoad: { durationSeconds: Math.max(4, scaled(6)), every: 10 },
  pollIntervalMs: 5,
  /**
   * Over all followed orders; when more are pending than that allows at 5 ms each, each is read
   * less often. The reads share the server's one event loop with the reservation process they
   * time: in a trial, 430 reads/s instead of 100 made the paced orders' latency 1.7 times as long.
   */
  maxReadsPerSecond: 200,
  followTimeoutMs: 120_000,
  /** How long the reservation process may take to settle every order after a phase. */
  settleTimeoutSeconds: 180,
  setupConcurrency: 8,
  bcryptCost: 4,
  password: 'a good password',
  /** Every request comes from 127.0.0.1: 200 buyers and the sellers sign in. */
  loginAttemptsPerAddress: 1_000_000,
};

/** Followed checkouts kept in the JSON file, with their steps, per phase. */
const SAMPLES_KEPT = 30;

const GOALS = { checkoutsPerSecond: 500, checkoutP99Ms: 100, reservedVisibleP99Ms: 250 };
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
    .filter(([code]) => code !== '201')
    .map(([code, count]) => `${formatNumber(count)}× ${code}`);
  const problems = [...codes, ...(load.errors ? [`${formatNumber(load.errors)} errors`] : []), ...(load.timeouts ? [`${formatNumber(load.timeouts)} timeouts`] : [])];
  return problems.length ? problems.join(', ') : 'every answer 201';
}

const clean = (load: MeasuredLoad): boolean => load.notOk === 0 && load.errors === 0 && load.timeouts === 0;

function checkpointsText(settled: Settled): string {
  return settled.checkpointsDuring === 0 ? '' : `; ${settled.checkpointsDuring} PostgreSQL checkpoint${settled.checkpointsDuring === 1 ? '' : 's'} began during it`;
}

function cpuText(cpu: CpuSplit): string {
  const postgres = cpu.postgres === null ? '' : `, PostgreSQL ${formatNumber(cpu.postgres, 2)}`;
  return `machine ${formatNumber(cpu.machine, 2)} cores busy: server process ${formatNumber(cpu.server, 2)} (event loop ${formatNumber(cpu.serverEventLoop * 100)}% busy), client ${formatNumber(cpu.client, 2)}${postgres}, ${cpu.postgres === null ? 'PostgreSQL and the rest' : 'the rest'} ${formatNumber(cpu.other, 2)}`;
}

const seconds = (ms: number) => `${formatNumber(ms / 1000, 1)} s`;
const percent = (part: number, whole: number) => `${formatNumber(whole ? (part / whole) * 100 : 0, 1)}%`;
const readsText = (f: FollowedFigures) => `a pending order read every ${formatMs(f.readIntervalMs)} ms (${formatNumber(f.readsPerSecond)} reads/s)${f.notCaughtUp ? `, ${formatNumber(f.notCaughtUp)} answered 503` : ''}`;
const spreadText = (s: Spread) => `${formatMs(s.p50)} / ${formatMs(s.p95)} / ${formatMs(s.p99)} / ${formatMs(s.max)}`;

/** After a phase: how long from its last checkout until every order placed read as past pending. */
interface Settled {
  /** Orders not yet past pending in the read model when the last checkout was answered. */
  unsettledAtEnd: number;
  ms: number;
  backlog: Backlog;
  /** How much longer until the consumers had worked through their backlog too (nothing moving), ms. */
  quietAfterMs: number;
  /** From the phase's start until quiet. */
  cost: PhaseCost;
  /** Checkpoints PostgreSQL began while the job ran (after one forced before it). */
  checkpointsDuring: number;
}

interface Followed {
  job: MeasuredOrderJob;
  figures: FollowedFigures;
  settled: Settled;
  /** The first few followed checkouts, with when each step of their orders was written. */
  samples: ReturnType<typeof samplesWithSteps>;
}

interface Measured {
  setup: { sellers: number; shops: number; products: number; variants: number; buyers: number; ms: Record<string, number>; cpu: CpuSplit };
  mix: CheckoutMix['stats'];
  warmUp: { load: MeasuredLoad; settled: Settled };
  load: MeasuredLoad & { ordersPlaced: number; settled: Settled };
  atRate: MeasuredLoad & { ordersPlaced: number; settled: Settled };
  alone: Followed;
  paced: Followed;
  underLoad: Followed;
  store: StoreSummary;
}

async function main(): Promise<void> {
  await ensureDatabase(POSTGRES_URL);
  const server = await serverFacts(POSTGRES_URL);
  progress(`PostgreSQL ${server.version} at ${redact(POSTGRES_URL)}; ${os.cpus().length} CPUs; scale ${SCALE}; ${RABBITMQ_URL ? `RabbitMQ at ${new URL(RABBITMQ_URL).host}` : 'in-process bus'}`);

  const market = await startBenchMarketplace({
    postgresUrl: POSTGRES_URL,
    bcryptCost: CONFIG.bcryptCost,
    loginAttemptsPerAddress: CONFIG.loginAttemptsPerAddress,
    bench: 'orders',
    logger: createLogger({ name: 'bench-orders', level: LOG_LEVEL }),
    ...(RABBITMQ_URL ? { rabbitmqUrl: RABBITMQ_URL } : {}),
    projectionsProcess: PROJECTIONS_PROCESS,
  });
  const ownDatabases = [databaseOf(POSTGRES_URL), market.database];
  const commitsBefore = await commitsElsewhere(POSTGRES_URL, ownDatabases);
  progress(`marketplace at ${market.url} on database ${market.database}, ${market.bus}`);
  const client = CheckoutClient.start();
  const facts = await OrderFacts.open(market.databaseUrl);
  // Ctrl+C: the client ends with it, the run fails, and the finally below drops the database.
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
  print(rows, measured, server, market.bus, disturbance, market.processes);
  await writeJson(RESULTS_FILE, {
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - startedAt) / 1000),
    machine: machineFacts(),
    disturbance,
    postgres: { url: redact(POSTGRES_URL), database: market.database, ...server },
    bus: market.bus,
    config: { scale: SCALE, ...CONFIG },
    goals: GOALS,
    measured: {
      ...measured,
      // The followed checkouts themselves are many: their figures are kept, and the first few as samples.
      alone: { ...measured.alone, job: { ...measured.alone.job, tracked: undefined } },
      paced: { ...measured.paced, job: { ...measured.paced.job, tracked: undefined } },
      underLoad: { ...measured.underLoad, job: { ...measured.underLoad.job, tracked: undefined } },
    },
    rows,
  });
  progress(`done; figures also in ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

async function measure(client: CheckoutClient, market: BenchMarketplace, facts: OrderFacts): Promise<Measured> {
  const { url } = market;

  // 1. Set-up over HTTP, not timed beyond how long it took.
  const { result: setup, cpu: setupCpu } = await withCpu(() =>
    setUpOrders(
      market.marketplace,
      url,
      {
        seed: CONFIG.seed,
        sellers: CONFIG.sellers,
        shopsPerSeller: CONFIG.shopsPerSeller,
        productsPerShop: CONFIG.productsPerShop,
        stockPerVariant: CONFIG.stockPerVariant,
        buyers: CONFIG.buyers,
        password: CONFIG.password,
        concurrency: CONFIG.setupConcurrency,
        copiesTimeoutMs: 120_000,
      },
      progress,
    ),
  );
  const mix = checkoutMix({ seed: CONFIG.seed, count: CONFIG.mix, buyers: setup.buyers, variantsByShop: setup.variantsByShop, twoShopShare: CONFIG.twoShopShare });
  const base = { url, tokens: setup.buyers.map((buyer) => buyer.accessToken), checkouts: mix.checkouts, timeoutSeconds: CONFIG.timeoutSeconds };
  const track = (every: number): TrackOptions => ({ every, pollIntervalMs: CONFIG.pollIntervalMs, maxReadsPerSecond: CONFIG.maxReadsPerSecond, timeoutMs: CONFIG.followTimeoutMs });
  progress(
    `checkout mix: ${formatNumber(mix.stats.checkouts)} checkouts, ${formatNumber(mix.stats.linesPerCheckout, 2)} lines and ${formatNumber(mix.stats.ordersPerCheckout, 2)} orders each, ${percent(mix.stats.cashOnDeliveryShare, 1)} cash on delivery`,
  );

  /** Runs a job, then waits until the reservation process has settled every order placed. */
  const runAndSettle = async (job: OrderJob): Promise<{ job: MeasuredOrderJob; settled: Settled }> => {
    // each phase starts alike (as bench:event-store's workloads do): else the checkpoint the load's
    // WAL calls for may run on through the next phase, each page's first change after it logged whole
    await checkpoint(market.databaseUrl);
    const checkpointsBefore = await facts.checkpointsSoFar();
    const before = await costSnapshot(facts);
    const result = await profiledPhase('orders', job.keyPrefix, () => client.run(job));
    const checkpointsDuring = (await facts.checkpointsSoFar()) - checkpointsBefore;
    const atEnd = await facts.backlog();
    const settled = await facts.waitUntilSettled(CONFIG.settleTimeoutSeconds * 1000);
    const quietAfterMs = await facts.waitUntilQuiet(CONFIG.settleTimeoutSeconds * 1000);
    const cost = await costSince(facts, before);
    const lastResponseAt = result.load.lastResponseAtEpochMs - performance.timeOrigin;
    return { job: result, settled: { unsettledAtEnd: Math.max(0, unsettled(atEnd)), ms: Math.max(0, settled.at - lastResponseAt), backlog: settled.backlog, quietAfterMs, cost, checkpointsDuring } };
  };

  // 2. Checkout load: a warm-up (discarded), then the measured run; each followed by the reservations catching up.
  const loadJob = (keyPrefix: string, durationSeconds: number, withTrack: TrackOptions | null): OrderJob => ({
    ...base,
    kind: 'load',
    keyPrefix,
    connections: CONFIG.connections,
    durationSeconds,
    track: withTrack,
  });
  const warmUp = await runAndSettle(loadJob('warm-up', CONFIG.warmUpSeconds, null));
  progress(`warm-up: ${formatNumber(warmUp.job.load.okPerSecond)} checkouts/s (${failures(warmUp.job.load)}); settled ${seconds(warmUp.settled.ms)} after`);
  if (warmUp.job.load.sampleFailures.length) progress(`warm-up: the first refusals: ${JSON.stringify(warmUp.job.load.sampleFailures)}`);

  const load = await runAndSettle(loadJob('load', CONFIG.durationSeconds, null));
  const l = load.job.load;
  progress(
    `checkout: ${formatNumber(l.okPerSecond)}/s, p50 ${formatMs(l.latencyMs.p50)} ms, p99 ${formatMs(l.latencyMs.p99)} ms (${failures(l)}); ${formatNumber(load.settled.unsettledAtEnd)} orders pending at the end, all settled ${seconds(load.settled.ms)} later; ${cpuText(l.cpu)}${checkpointsText(load.settled)}`,
  );
  if (l.sampleFailures.length) progress(`checkout: the first refusals: ${JSON.stringify(l.sampleFailures)}`);

  /** Runs a job that follows checkouts, then dates the steps of the orders it followed. */
  const followed = async (name: string, job: OrderJob): Promise<Followed> => {
    const { job: result, settled } = await runAndSettle(job);
    const steps = await facts.steps(orderIdsOf(result.tracked));
    const figures = followedFigures(result, steps);
    progress(
      `${name}: ${formatNumber(result.load.okPerSecond)} checkouts/s; ${formatNumber(figures.orders)} orders reserved and visible after p50 ${formatMs(figures.reservedVisible.p50)} ms, p99 ${formatMs(figures.reservedVisible.p99)} ms (${figures.failures} failed; ${formatNumber(figures.readsPerSecond)} reads/s); ${cpuText(result.cpu)}${checkpointsText(settled)}`,
    );
    if (figures.sampleFailures.length) progress(`${name}: the first failures: ${JSON.stringify(figures.sampleFailures)}`);
    return { job: result, figures, settled, samples: samplesWithSteps(result.tracked, steps, SAMPLES_KEPT) };
  };

  // 3. Checkout → reserved and visible: one at a time; paced, nothing else running; under the load.
  const alone = await followed('one at a time', { ...base, kind: 'sequential', keyPrefix: 'alone', count: CONFIG.alone.checkouts, track: track(1) });
  const paced = await followed(`paced ${CONFIG.paced.ratePerSecond}/s`, {
    ...base,
    kind: 'paced',
    keyPrefix: 'paced',
    ratePerSecond: CONFIG.paced.ratePerSecond,
    count: CONFIG.paced.followed * CONFIG.paced.every,
    connections: CONFIG.connections,
    track: track(CONFIG.paced.every),
  });
  const underLoad = await followed('under load', loadJob('under-load', CONFIG.underLoad.durationSeconds, track(CONFIG.underLoad.every)));

  // 4. The goal's rate, open loop: last, so that the phases before run on the database they always did.
  const atRate = await runAndSettle({
    ...base,
    kind: 'paced',
    keyPrefix: 'at-rate',
    ratePerSecond: CONFIG.atRate.ratePerSecond,
    count: CONFIG.atRate.ratePerSecond * CONFIG.atRate.durationSeconds,
    connections: CONFIG.connections,
    track: null,
  });
  const r = atRate.job.load;
  progress(
    `checkout at ${CONFIG.atRate.ratePerSecond}/s: ${formatNumber(r.okPerSecond)}/s answered, p50 ${formatMs(r.latencyMs.p50)} ms, p99 ${formatMs(r.latencyMs.p99)} ms (${failures(r)}); ${formatNumber(atRate.settled.unsettledAtEnd)} orders pending at the end, all settled ${seconds(atRate.settled.ms)} later; ${cpuText(r.cpu)}${checkpointsText(atRate.settled)}`,
  );

  return {
    setup: { sellers: setup.sellers.length, shops: setup.shops.length, products: setup.shops.length * CONFIG.productsPerShop, variants: setup.variants.length, buyers: setup.buyers.length, ms: setup.ms, cpu: setupCpu },
    mix: mix.stats,
    warmUp: { load: warmUp.job.load, settled: warmUp.settled },
    load: { ...l, ordersPlaced: load.job.ordersPlaced, settled: load.settled },
    atRate: { ...r, ordersPlaced: atRate.job.ordersPlaced, settled: atRate.settled },
    alone,
    paced,
    underLoad,
    store: await facts.summary(),
  };
}

/** One row per step: p50 / p99 of each followed phase side by side. */
function stepRows(m: Measured): Row[] {
  const phases: Array<[string, FollowedFigures]> = [
    ['one at a time', m.alone.figures],
    ['paced', m.paced.figures],
    ['under load', m.underLoad.figures],
  ];
  return (Object.entries(STEPS) as Array<[StepName, string]>).map(([step, label]) => ({
    key: `steps.${step}`,
    workload: 'where the time went, per order (event store timestamps)',
    store: label,
    kind: 'reference',
    value: m.paced.figures.steps[step].p50,
    higherIsBetter: false,
    result: phases.map(([, figures]) => `${formatMs(figures.steps[step].p50)} / ${formatMs(figures.steps[step].p99)}`).join(' · '),
    unit: `ms p50 / p99: ${phases.map(([name]) => name).join(' · ')}`,
    details: Object.fromEntries(phases.map(([name, figures]) => [name, figures.steps[step]])),
  }));
}

function rowsOf(m: Measured): { rows: Row[]; goals: Record<string, Goal> } {
  const loadWorkload = `checkout: POST /v1/orders, ${CONFIG.connections} connections, ${CONFIG.durationSeconds} s`;
  const l = m.load;
  const r = m.atRate;
  const a = m.alone.figures;
  const p = m.paced.figures;
  const u = m.underLoad.figures;
  const ordersPerSecond = l.ordersPlaced / Math.max(0.001, l.durationSeconds);
  const perCheckout = (total: number) => total / Math.max(1, l.ok);
  const reservedWorkload = `checkout → order reserved and visible (GET /v1/orders/{id} every ${CONFIG.pollIntervalMs} ms)`;

  const rows: Row[] = [
    {
      key: 'checkout',
      workload: loadWorkload,
      store: MARKETPLACE,
      kind: 'ours',
      value: l.okPerSecond,
      higherIsBetter: true,
      result: formatNumber(l.okPerSecond),
      unit: 'checkouts/s',
      note: `${formatNumber(l.ok)} in ${formatNumber(l.durationSeconds, 1)} s after ${CONFIG.warmUpSeconds} s warm-up, ${formatNumber(ordersPerSecond)} orders/s; ${failures(l)}`,
      details: { ok: l.ok, ordersPlaced: l.ordersPlaced, statusCodes: l.statusCodes, errors: l.errors, timeouts: l.timeouts, durationSeconds: l.durationSeconds, cpu: l.cpu, sampleFailures: l.sampleFailures },
    },
    {
      key: 'checkout.latency',
      workload: loadWorkload,
      store: MARKETPLACE,
      kind: 'ours',
      value: l.latencyMs.p99,
      higherIsBetter: false,
      result: `${formatMs(l.latencyMs.p50)} / ${formatMs(l.latencyMs.p95)} / ${formatMs(l.latencyMs.p99)}`,
      unit: 'ms p50 / p95 / p99',
      note: `max ${formatMs(l.latencyMs.max)} ms`,
      details: { ...l.latencyMs },
    },
    {
      key: 'checkout.atRate',
      workload: `checkout at the goal's rate: ${formatNumber(CONFIG.atRate.ratePerSecond)}/s (open loop), ≤ ${CONFIG.connections} connections, ${CONFIG.atRate.durationSeconds} s`,
      store: MARKETPLACE,
      kind: 'ours',
      value: r.latencyMs.p99,
      higherIsBetter: false,
      result: `${formatMs(r.latencyMs.p50)} / ${formatMs(r.latencyMs.p95)} / ${formatMs(r.latencyMs.p99)}`,
      unit: 'ms p50 / p95 / p99',
      note: `${formatNumber(r.okPerSecond)}/s answered 201, max ${formatMs(r.latencyMs.max)} ms, ${failures(r)}; ${formatNumber(r.settled.unsettledAtEnd)} of ${formatNumber(r.settled.backlog.placed)} orders still pending at its end, all reserved ${seconds(r.settled.ms)} later`,
      details: { ...r.latencyMs, okPerSecond: r.okPerSecond, statusCodes: r.statusCodes, errors: r.errors, timeouts: r.timeouts, cpu: r.cpu, settled: r.settled },
    },
    {
      key: 'settle',
      workload: 'reservation process after the load: last checkout answered → every order reserved and visible',
      store: MARKETPLACE,
      kind: 'reference',
      value: l.settled.ms / 1000,
      higherIsBetter: false,
      result: formatNumber(l.settled.ms / 1000, 2),
      unit: 's',
      note: `${formatNumber(l.settled.unsettledAtEnd)} of ${formatNumber(l.settled.backlog.placed)} orders still pending when the load stopped (the consumers quiet ${seconds(l.settled.quietAfterMs)} after that); ${Object.entries(l.settled.backlog.byStatus)
        .map(([status, count]) => `${status} ${formatNumber(count)}`)
        .join(', ')}`,
      details: { ...l.settled },
    },
    {
      key: 'cost',
      workload: 'cost of one checkout, placed and reserved (the load, from its first checkout until quiet)',
      store: MARKETPLACE,
      kind: 'reference',
      value: perCheckout(l.settled.cost.eventLoopBusyMs),
      higherIsBetter: false,
      result: [l.settled.cost.eventLoopBusyMs, l.settled.cost.serverCpuMs, l.settled.cost.commits].map((total) => formatNumber(perCheckout(total), 1)).join(' / ') + ` / ${l.settled.cost.writeSyscalls === null ? 'n/a' : formatNumber(perCheckout(l.settled.cost.writeSyscalls), 1)}`,
      unit: 'event loop ms / CPU ms / PostgreSQL transactions / socket writes',
      note: `per checkout (${formatNumber(l.ordersPlaced / Math.max(1, l.ok), 2)} orders, ${formatNumber(m.mix.linesPerCheckout, 2)} lines): one event loop, always busy, places and reserves at most ${formatNumber(1000 / perCheckout(l.settled.cost.eventLoopBusyMs))} checkouts/s`,
      details: { ...l.settled.cost, checkouts: l.ok, orders: l.ordersPlaced },
    },
    {
      key: 'reserved',
      workload: reservedWorkload,
      store: `paced ${CONFIG.paced.ratePerSecond} checkouts/s, 1 in ${CONFIG.paced.every} followed`,
      kind: 'ours',
      value: p.reservedVisible.p99,
      higherIsBetter: false,
      result: spreadText(p.reservedVisible),
      unit: 'ms p50 / p95 / p99 / max',
      note: `${formatNumber(p.orders)} orders of ${formatNumber(p.checkouts)} checkouts, ${p.failures} failed; all orders of a checkout p99 ${formatMs(p.checkoutReservedVisible.p99)} ms; ${Object.entries(p.byPaymentMethod)
        .map(([method, spread]) => `${method} p50 ${formatMs(spread.p50)} ms`)
        .join(', ')}; ${readsText(p)}; checkouts p50 ${formatMs(m.paced.job.load.latencyMs.p50)} ms, ${failures(m.paced.job.load)}`,
      details: { ...p, load: m.paced.job.load, settled: m.paced.settled },
    },
    {
      key: 'reserved.alone',
      workload: reservedWorkload,
      store: 'one checkout at a time (no queueing)',
      kind: 'reference',
      value: a.reservedVisible.p99,
      higherIsBetter: false,
      result: spreadText(a.reservedVisible),
      unit: 'ms p50 / p95 / p99 / max',
      note: `${formatNumber(a.orders)} orders of ${formatNumber(a.checkouts)} checkouts, ${a.failures} failed; the order first visible (placed) p50 ${formatMs(a.placedVisible.p50)} ms; checkouts p50 ${formatMs(a.checkoutLatency.p50)} ms; ${readsText(a)}`,
      details: { ...a, load: m.alone.job.load },
    },
    {
      key: 'reserved.underLoad',
      workload: reservedWorkload,
      store: `under load: ${CONFIG.connections} connections, 1 checkout in ${CONFIG.underLoad.every} followed`,
      kind: 'reference',
      value: u.reservedVisible.p99,
      higherIsBetter: false,
      result: spreadText(u.reservedVisible),
      unit: 'ms p50 / p95 / p99 / max',
      note: `${formatNumber(u.orders)} orders, ${u.failures} failed, while checking out ${formatNumber(m.underLoad.job.load.okPerSecond)}/s for ${CONFIG.underLoad.durationSeconds} s (p99 ${formatMs(m.underLoad.job.load.latencyMs.p99)} ms, ${failures(m.underLoad.job.load)}); ${readsText(u)}`,
      details: { ...u, load: m.underLoad.job.load, settled: m.underLoad.settled },
    },
    ...stepRows(m),
  ];

  const goals: Record<string, Goal> = {
    checkout: { text: `≥ ${formatNumber(GOALS.checkoutsPerSecond)}/s, all 201`, met: (row) => (row.value ?? 0) >= GOALS.checkoutsPerSecond && clean(l) },
    'checkout.latency': { text: `p99 ≤ ${GOALS.checkoutP99Ms} ms`, met: (row) => (row.value ?? Infinity) <= GOALS.checkoutP99Ms },
    'checkout.atRate': {
      text: `p99 ≤ ${GOALS.checkoutP99Ms} ms at ≥ ${formatNumber(GOALS.checkoutsPerSecond)}/s, all 201`,
      met: (row) => (row.value ?? Infinity) <= GOALS.checkoutP99Ms && r.okPerSecond >= GOALS.checkoutsPerSecond * 0.98 && clean(r),
    },
    reserved: { text: `p99 ≤ ${GOALS.reservedVisibleP99Ms} ms, none failed`, met: (row) => (row.value ?? Infinity) <= GOALS.reservedVisibleP99Ms && p.failures === 0 && p.orders > 0 },
  };
  return { rows, goals };
}

function print(rows: Row[], m: Measured, server: ServerFacts, bus: string, disturbance: { loadAverageAtStart: number; loadAverageAtEnd: number; commitsInOtherDatabases: number }, processes: string): void {
  const settings = Object.entries(server.settings)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  const cpuLines: Array<[string, CpuSplit, Settled | null]> = [
    [`set-up (${seconds(Object.values(m.setup.ms).reduce((a, b) => a + b, 0))})`, m.setup.cpu, null],
    [`checkout load (${formatNumber(m.load.durationSeconds, 1)} s)`, m.load.cpu, m.load.settled],
    [`one at a time (${seconds(m.alone.job.followMs)})`, m.alone.job.cpu, m.alone.settled],
    [`paced, 1 in ${CONFIG.paced.every} followed (${seconds(m.paced.job.followMs)})`, m.paced.job.cpu, m.paced.settled],
    [`load, 1 in ${CONFIG.underLoad.every} followed (${seconds(m.underLoad.job.followMs)})`, m.underLoad.job.cpu, m.underLoad.settled],
    [`at ${formatNumber(CONFIG.atRate.ratePerSecond)}/s (${formatNumber(m.atRate.durationSeconds, 1)} s)`, m.atRate.cpu, m.atRate.settled],
  ];
  const width = Math.max(...cpuLines.map(([label]) => label.length));
  const s = m.setup.ms;
  const x = m.mix;
  const lines = [
    '',
    `Orders benchmark — ${new Date().toISOString()} — integration events: ${bus}`,
    `machine: ${machineText()}; PostgreSQL ${server.version} (${settings}), same host`,
    `other work during the run (skews every figure): load average ${disturbance.loadAverageAtStart.toFixed(2)} at start, ${disturbance.loadAverageAtEnd.toFixed(2)} at end; ${formatNumber(disturbance.commitsInOtherDatabases)} transactions committed in the server's other databases`,
    `app: account, shop, product and order services + query API ${PROJECTIONS_PROCESS ? 'in this process, the projections service (projectors, outbox relay) in a process of its own (its CPU counts in "the rest")' : `+ projectors ${processes}`} over one fresh PostgreSQL database, ${bus}, LOG_LEVEL ${LOG_LEVEL}, no response validation`,
    `set-up over HTTP (not timed): ${m.setup.sellers} sellers, ${m.setup.shops} shops, ${m.setup.products} published products (${m.setup.variants} variants, ${formatNumber(CONFIG.stockPerVariant)} each in stock), ${m.setup.buyers} buyers with an address each, in ${seconds(Object.values(s).reduce((a, b) => a + b, 0))} (until the order service knew every variant and address: ${seconds(s['copiesKnown'] ?? 0)})`,
    `checkouts (seed ${CONFIG.seed}, scale ${SCALE}): a mix of ${formatNumber(x.checkouts)}, each with explicit items: ${formatNumber(x.linesPerCheckout, 2)} lines (1 to 3, quantity 1 to 3), ${formatNumber(x.ordersPerCheckout, 2)} orders (${percent(x.twoShopShare, 1)} from two shops), ${percent(x.cashOnDeliveryShare, 1)} cash on delivery (confirmed once reserved), the rest bKash (awaiting payment once reserved); a random buyer's token and address, a new Idempotency-Key each`,
    `load: autocannon in a child process, no pipelining, ${CONFIG.connections} connections, ${CONFIG.warmUpSeconds} s warm-up (discarded) + ${CONFIG.durationSeconds} s measured: the most the server takes, every connection sending its next checkout once answered. Then at the goal's rate, open loop: ${formatNumber(CONFIG.atRate.ratePerSecond)} checkouts/s started on schedule whatever the answers' pace, over at most ${CONFIG.connections} keep-alive connections (a checkout waiting for a free one counts that wait). Latencies are of 201 answers.`,
    `reserved and visible: from sending the checkout until GET /v1/orders/{id} answers awaiting_payment or confirmed, per order, read from the same child process: the first read with X-Consistent-After: <the checkout's position>, then every ${CONFIG.pollIntervalMs} ms, at most ${formatNumber(CONFIG.maxReadsPerSecond)} reads/s over all pending orders (past that each is read less often). Phases: ${CONFIG.alone.checkouts} checkouts one at a time; ${formatNumber(CONFIG.paced.followed * CONFIG.paced.every)} paced at ${CONFIG.paced.ratePerSecond}/s, 1 in ${CONFIG.paced.every} followed; ${CONFIG.underLoad.durationSeconds} s of the load, 1 in ${CONFIG.underLoad.every} followed. After each phase the bench waits until no order placed is pending and nothing moves (outbox empty, inboxes and store still for 300 ms). The steps are dated by the events' created_at (the appending transaction's start, PostgreSQL's clock on this host).`,
    '(the ours/Emmett column of the shared table printer does not apply here)',
    '',
    renderTable(rows),
    '',
    `Where the CPU went in each phase (cores busy on average; this machine has ${os.cpus().length}). Each phase from the warm-up on starts after a CHECKPOINT; a checkpoint PostgreSQL began during a phase, which slows it, is named on its line:`,
    ...cpuLines.map(([label, cpu, settled]) => `  ${label.padEnd(width)}  ${cpuText(cpu)}${settled ? checkpointsText(settled) : ''}`),
    '',
    `event store: ${formatNumber(m.store.events)} events: ${m.store.eventsByType
      .slice(0, 10)
      .map((row) => `${row.type} ${formatNumber(row.events)}`)
      .join(', ')}${m.store.eventsByType.length > 10 ? ', …' : ''}; database ${formatNumber(m.store.databaseBytes / 2 ** 20)} MiB`,
    `integration events handled, by consumer: ${m.store.messagesByConsumer.map((row) => `${row.consumer} ${formatNumber(row.messages)}`).join(', ')}`,
    `reservation process catching up after each phase: warm-up ${seconds(m.warmUp.settled.ms)}, load ${seconds(m.load.settled.ms)}, one at a time ${seconds(m.alone.settled.ms)}, paced ${seconds(m.paced.settled.ms)}, under load ${seconds(m.underLoad.settled.ms)}, at ${formatNumber(CONFIG.atRate.ratePerSecond)}/s ${seconds(m.atRate.settled.ms)}; orders at the end: ${Object.entries(m.atRate.settled.backlog.byStatus)
      .map(([status, count]) => `${status} ${formatNumber(count)}`)
      .join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
