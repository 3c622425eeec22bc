/**
 * `npm run bench:http`: the marketplace over HTTP (the all-in-one composition: account service,
 * query API and projectors on one port, over a fresh PostgreSQL database), driven by autocannon,
 * beside a minimal Express 5 route and the raw bcrypt verification rate measured in the same run.
 * Prints a table and writes bench/results/http.json.
 *
 * PostgreSQL: BDBAZAR_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/bdbazar_bench);
 * each run creates `<database>_http_<random>` and drops it at the end. BDBAZAR_BENCH_SCALE (default
 * 1) scales every count and duration, for a quick try. BDBAZAR_BENCH_CPU_PROFILE=ceiling, read or
 * update: a CPU profile of this process during that measured run, in
 * bench/results/http-<phase>.cpuprofile (cpuProfile.ts).
 *
 * autocannon runs in a child process (httpBench/loadClient.ts), so that the HTTP client does not
 * share the server's event loop; on this machine they still share the CPUs with PostgreSQL.
 *
 * The order matters: the bcrypt-bound rows (registration, login) run before the profile updates,
 * whose events the projector is still applying for a while after the run.
 */
import os from 'node:os';
import path from 'node:path';
import { profiledPhase } from './cpuProfile';
import { evaluate, machineFacts, machineText, formatMs, formatNumber, renderTable, writeJson, type Goal, type Row } from './eventStoreBench/report';
import { commitsElsewhere, databaseOf, DEFAULT_POSTGRES_URL, ensureDatabase, serverFacts, type ServerFacts } from './eventStoreBench/postgres';
import { hashFor, measureBcryptCompares, threadPoolSize, type BcryptRate } from './httpBench/bcryptRate';
import { startCeiling } from './httpBench/ceiling';
import { LoadClient, withCpu, type CpuSplit, type MeasuredLoad } from './httpBench/load';
import { startBenchMarketplace } from './httpBench/marketplace';
import type { LoadJob, SignedInUser } from './httpBench/protocol';
import { addAddresses, readAfter, updateProfileOnce } from './httpBench/workloads';

const SCALE = Number(process.env['BDBAZAR_BENCH_SCALE'] ?? '1');
const scaled = (n: number): number => Math.max(1, Math.round(n * SCALE));

const POSTGRES_URL = process.env['BDBAZAR_BENCH_POSTGRES_URL'] ?? DEFAULT_POSTGRES_URL;
const RESULTS_FILE = path.resolve(__dirname, '..', 'results', 'http.json');

const CONFIG = {
  connections: 50,
  /** Fast routes: a warm-up run (discarded), then the measured run. */
  warmUpSeconds: scaled(3),
  durationSeconds: scaled(10),
  /** bcrypt's cost for every password in the run: production's (the config default). */
  bcryptCost: 12,
  password: 'a good password',
  /** Registrations, one new email each; the registered users are then the login pool and the profile users. */
  registrations: Math.max(50, scaled(200)),
  /** Raw bcrypt compares, measured before and after the logins. */
  bcryptCompares: Math.max(50, scaled(120)),
  /** Users whose profiles are read (one per connection) and updated (each connection cycling through its own). */
  readUsers: 50,
  updateUsers: 200,
  /** Seconds a response may take before autocannon counts a timeout: bcrypt-bound requests queue for seconds. */
  timeoutSeconds: { fast: 10, bcrypt: 300 },
  /**
   * BDBAZAR_LOGIN_ATTEMPTS_PER_ADDRESS for the app: every request comes from 127.0.0.1 (the app
   * does not trust proxies), and the default 100 per 15 min would cap the login run.
   */
  loginAttemptsPerAddress: 1_000_000,
};

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

/** The share of the run's calls that were not 2xx, as a note. */
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

interface Measured {
  ceiling: MeasuredLoad;
  register: MeasuredLoad;
  login: MeasuredLoad;
  bcrypt: { before: BcryptRate & { cpu: CpuSplit }; after: BcryptRate & { cpu: CpuSplit } };
  read: MeasuredLoad;
  update: MeasuredLoad;
  /** After the update run: how long until the profiles read back the last update (projector lag). */
  projectorCatchUpMs: number;
  users: { registered: number; signedIn: number; read: number; updated: number };
}

async function main(): Promise<void> {
  await ensureDatabase(POSTGRES_URL);
  const server = await serverFacts(POSTGRES_URL);
  progress(`PostgreSQL ${server.version} at ${redact(POSTGRES_URL)}; ${os.cpus().length} CPUs; UV_THREADPOOL_SIZE ${threadPoolSize()}${process.env['UV_THREADPOOL_SIZE'] ? '' : ' (default)'}`);

  const ceilingServer = await startCeiling();
  const market = await startBenchMarketplace({ postgresUrl: POSTGRES_URL, bcryptCost: CONFIG.bcryptCost, loginAttemptsPerAddress: CONFIG.loginAttemptsPerAddress });
  const ownDatabases = [databaseOf(POSTGRES_URL), market.database];
  const commitsBefore = await commitsElsewhere(POSTGRES_URL, ownDatabases);
  progress(`marketplace at ${market.url} on database ${market.database}; ceiling at ${ceilingServer.url}`);
  const client = LoadClient.start();
  // Ctrl+C: the load client ends with it, the run fails, and the finally below drops the database.
  const interrupted = () => process.stderr.write('interrupted; stopping and dropping the database\n');
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  let measured: Measured;
  try {
    measured = await measure(client, market.url, ceilingServer.url);
  } finally {
    await client.stop();
    await ceilingServer.stop();
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
    machine: { ...machineFacts(), uvThreadPoolSize: threadPoolSize() },
    disturbance,
    postgres: { url: redact(POSTGRES_URL), database: market.database, ...server },
    config: { scale: SCALE, ...CONFIG },
    // Without the registered emails and the access tokens the runs collected.
    measured: JSON.parse(JSON.stringify(measured, (key: string, value: unknown) => (key === 'registeredEmails' || key === 'signedIn' ? undefined : value))) as unknown,
    rows,
  });
  progress(`done; figures also in ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

async function measure(client: LoadClient, url: string, ceilingUrl: string): Promise<Measured> {
  const { connections, warmUpSeconds, durationSeconds, timeoutSeconds } = CONFIG;
  const fast = (job: Pick<LoadJob, 'url' | 'plan'>, seconds: number): Promise<MeasuredLoad> => client.run({ ...job, connections, durationSeconds: seconds, timeoutSeconds: timeoutSeconds.fast });
  const warmThenMeasure = async (label: string, phase: string, job: Pick<LoadJob, 'url' | 'plan'>): Promise<MeasuredLoad> => {
    await fast(job, warmUpSeconds);
    const load = await profiledPhase('http', phase, () => fast(job, durationSeconds));
    progress(`${label}: ${formatNumber(load.okPerSecond)}/s, p50 ${formatMs(load.latencyMs.p50)} ms, p99 ${formatMs(load.latencyMs.p99)} ms (${failures(load)}); ${cpuText(load.cpu)}`);
    return load;
  };

  // 1. The ceiling.
  const ceiling = await warmThenMeasure('ceiling GET /ping', 'ceiling', { url: ceilingUrl, plan: { kind: 'get', path: '/ping' } });

  // 2. Raw bcrypt, then registrations, logins, raw bcrypt again: the logins are compared with the mean of the two.
  const hash = await hashFor(CONFIG.password, CONFIG.bcryptCost);
  const bcryptRun = async (label: string) => {
    const { result, cpu } = await withCpu(() => measureBcryptCompares(CONFIG.password, hash, CONFIG.bcryptCompares, connections));
    progress(`raw bcrypt ${label}: ${formatNumber(result.perSecond, 1)} compares/s (cost ${result.cost}, ${result.inFlight} in flight, ${result.threadPoolSize} pool threads); ${cpuText(cpu)}`);
    return { ...result, cpu };
  };
  const before = await bcryptRun('before the logins');

  const register = await client.run({ url, plan: { kind: 'register', emailPrefix: `bench.${Date.now().toString(36)}`, password: CONFIG.password }, connections, amount: CONFIG.registrations, timeoutSeconds: timeoutSeconds.bcrypt });
  const emails = register.registeredEmails ?? [];
  progress(`registrations: ${formatNumber(register.okPerSecond, 1)}/s, p50 ${formatMs(register.latencyMs.p50)} ms, p99 ${formatMs(register.latencyMs.p99)} ms (${failures(register)}); ${cpuText(register.cpu)}`);
  if (emails.length < connections) throw new Error(`only ${emails.length} registrations succeeded; samples: ${JSON.stringify(register.sampleFailures)}`);

  const login = await client.run({ url, plan: { kind: 'login', emails, password: CONFIG.password }, connections, amount: emails.length, timeoutSeconds: timeoutSeconds.bcrypt });
  const users = login.signedIn ?? [];
  progress(`logins: ${formatNumber(login.okPerSecond, 1)}/s, p50 ${formatMs(login.latencyMs.p50)} ms, p99 ${formatMs(login.latencyMs.p99)} ms (${failures(login)}); ${cpuText(login.cpu)}`);
  const after = await bcryptRun('after the logins');
  if (users.length < connections) throw new Error(`only ${users.length} logins succeeded; samples: ${JSON.stringify(login.sampleFailures)}`);

  // 3. Reads: each connection its own user, each with a default address, the read model caught up.
  const readers = users.slice(0, CONFIG.readUsers);
  const seeded = await addAddresses(url, readers);
  const { waitedMs, profile } = await readAfter(url, readers[readers.length - 1] as SignedInUser, seeded);
  if (!Array.isArray(profile['addresses']) || profile['addresses'].length !== 1) throw new Error(`the seeded profile has no address: ${JSON.stringify(profile)}`);
  progress(`seeded ${readers.length} addresses; read model caught up ${formatNumber(waitedMs)} ms after the last`);
  const read = await warmThenMeasure('GET /v1/users/{id}', 'read', { url, plan: { kind: 'getOwnProfile', users: readers } });

  // 4. Profile updates: each connection cycles through its own users.
  const updaters = users.slice(0, CONFIG.updateUsers);
  const updateJob = { url, plan: { kind: 'updateProfile', users: updaters } } as const;
  await fast(updateJob, warmUpSeconds);
  const settled = await readAfter(url, updaters[0] as SignedInUser, await updateProfileOnce(url, updaters[0] as SignedInUser, 'Settled Before The Run'));
  progress(`profile updates warmed up; projector caught up ${formatNumber(settled.waitedMs)} ms after`);
  const update = await profiledPhase('http', 'update', () => fast(updateJob, durationSeconds));
  progress(`PUT /v1/users/{id}: ${formatNumber(update.okPerSecond)}/s, p50 ${formatMs(update.latencyMs.p50)} ms, p99 ${formatMs(update.latencyMs.p99)} ms (${failures(update)}); ${cpuText(update.cpu)}`);
  const caughtUp = await readAfter(url, updaters[0] as SignedInUser, await updateProfileOnce(url, updaters[0] as SignedInUser, 'Read Back After The Run'));
  progress(`projector caught up with the update run ${formatNumber(caughtUp.waitedMs)} ms after its end`);

  return {
    ceiling,
    register,
    login,
    bcrypt: { before, after },
    read,
    update,
    projectorCatchUpMs: caughtUp.waitedMs,
    users: { registered: emails.length, signedIn: users.length, read: readers.length, updated: updaters.length },
  };
}

function rowsOf(m: Measured): { rows: Row[]; goals: Record<string, Goal> } {
  const { connections } = CONFIG;
  const bcryptMean = (m.bcrypt.before.perSecond + m.bcrypt.after.perSecond) / 2;
  const readShare = m.read.okPerSecond / m.ceiling.okPerSecond;
  const loginShare = m.login.okPerSecond / bcryptMean;
  const count = (load: MeasuredLoad) => `${formatNumber(load.ok)} in ${formatNumber(load.durationSeconds, 1)} s`;
  const latencyRow = (key: string, workload: string, store: string, kind: Row['kind'], load: MeasuredLoad, note?: string): Row => ({
    key,
    workload,
    store,
    kind,
    value: load.latencyMs.p99,
    higherIsBetter: false,
    result: `${formatMs(load.latencyMs.p50)} / ${formatMs(load.latencyMs.p99)}`,
    unit: 'ms p50 / p99',
    ...(note ? { note } : {}),
    details: { ...load.latencyMs },
  });
  const rateRow = (key: string, workload: string, store: string, kind: Row['kind'], load: MeasuredLoad, unit: string, decimals: number, note: string): Row => ({
    key,
    workload,
    store,
    kind,
    value: load.okPerSecond,
    higherIsBetter: true,
    result: formatNumber(load.okPerSecond, decimals),
    unit,
    note,
    details: { ok: load.ok, statusCodes: load.statusCodes, errors: load.errors, timeouts: load.timeouts, durationSeconds: load.durationSeconds, cpu: load.cpu, sampleFailures: load.sampleFailures },
  });
  const bcryptRow = (key: string, store: string, rate: BcryptRate & { cpu: CpuSplit }): Row => ({
    key,
    workload: `reference: raw bcrypt.compare, cost ${rate.cost}, ${rate.inFlight} in flight`,
    store,
    kind: 'reference',
    value: rate.perSecond,
    higherIsBetter: true,
    result: formatNumber(rate.perSecond, 1),
    unit: 'compares/s',
    note: `${formatNumber(rate.compares)} compares; p50 ${formatNumber(rate.latencyMs.p50)} ms, p99 ${formatNumber(rate.latencyMs.p99)} ms; ${rate.threadPoolSize} pool threads`,
    details: { ...rate },
  });

  const rows: Row[] = [
    rateRow('ceiling', `ceiling: minimal Express 5 GET /ping, ${connections} connections`, 'Express 5 alone', 'reference', m.ceiling, 'requests/s', 0, `${count(m.ceiling)}; ${failures(m.ceiling)}`),
    latencyRow('ceiling.latency', `ceiling: minimal Express 5 GET /ping, ${connections} connections`, 'Express 5 alone', 'reference', m.ceiling),

    rateRow('read', `GET /v1/users/{id} (own profile, 1 address), ${connections} connections`, MARKETPLACE, 'ours', m.read, 'requests/s', 0, `${formatNumber(readShare * 100, 1)}% of the ceiling; ${count(m.read)}; ${failures(m.read)}; ${m.users.read} users`),
    latencyRow('read.latency', `GET /v1/users/{id} (own profile, 1 address), ${connections} connections`, MARKETPLACE, 'ours', m.read),

    rateRow('update', `PUT /v1/users/{id} (profile, no If-Match), ${connections} connections`, MARKETPLACE, 'ours', m.update, 'commands/s', 0, `${count(m.update)}; ${failures(m.update)}; ${m.users.updated} users, ${m.users.updated / connections} per connection`),
    latencyRow('update.latency', `PUT /v1/users/{id} (profile, no If-Match), ${connections} connections`, MARKETPLACE, 'ours', m.update, `projector caught up ${formatNumber(m.projectorCatchUpMs / 1000, 1)} s after the run`),

    rateRow('register', `POST /v1/auth/register (bcrypt cost ${CONFIG.bcryptCost}), ${connections} connections`, MARKETPLACE, 'ours', m.register, 'registrations/s', 1, `${count(m.register)}; ${failures(m.register)}; ${formatNumber((m.register.okPerSecond / bcryptMean) * 100)}% of raw bcrypt`),
    latencyRow('register.latency', `POST /v1/auth/register (bcrypt cost ${CONFIG.bcryptCost}), ${connections} connections`, MARKETPLACE, 'ours', m.register, `queueing for the hash: ~${connections} / rate`),

    rateRow('login', `POST /v1/auth/login (bcrypt cost ${CONFIG.bcryptCost}), ${connections} connections`, MARKETPLACE, 'ours', m.login, 'logins/s', 1, `${formatNumber(loginShare * 100, 1)}% of raw bcrypt (mean of the two runs); ${count(m.login)}; ${failures(m.login)}`),
    latencyRow('login.latency', `POST /v1/auth/login (bcrypt cost ${CONFIG.bcryptCost}), ${connections} connections`, MARKETPLACE, 'ours', m.login, `queueing for the hash: ~${connections} / rate`),

    bcryptRow('bcrypt.before', 'before the logins', m.bcrypt.before),
    bcryptRow('bcrypt.after', 'after the logins', m.bcrypt.after),
  ];

  const readFloor = m.ceiling.okPerSecond * 0.5;
  const loginFloor = bcryptMean * 0.9;
  const goals: Record<string, Goal> = {
    read: { text: `≥ ${formatNumber(readFloor)}/s (50% of ceiling)`, met: (row) => (row.value ?? 0) >= readFloor },
    'read.latency': { text: 'p99 ≤ 20 ms', met: (row) => (row.value ?? Infinity) <= 20 },
    update: { text: '≥ 3,000/s', met: (row) => (row.value ?? 0) >= 3_000 },
    'update.latency': { text: 'p99 ≤ 30 ms', met: (row) => (row.value ?? Infinity) <= 30 },
    login: { text: `≥ ${formatNumber(loginFloor, 1)}/s (90% of raw bcrypt)`, met: (row) => (row.value ?? 0) >= loginFloor },
  };
  return { rows, goals };
}

function print(rows: Row[], m: Measured, server: ServerFacts, disturbance: { loadAverageAtStart: number; loadAverageAtEnd: number; commitsInOtherDatabases: number }, processes: string): void {
  const settings = Object.entries(server.settings)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  const pool = threadPoolSize();
  const cpuLines: Array<[string, CpuSplit]> = [
    ['ceiling GET /ping', m.ceiling.cpu],
    ['GET /v1/users/{id}', m.read.cpu],
    ['PUT /v1/users/{id}', m.update.cpu],
    ['register', m.register.cpu],
    ['login', m.login.cpu],
    ['raw bcrypt, before', m.bcrypt.before.cpu],
    ['raw bcrypt, after', m.bcrypt.after.cpu],
  ];
  const width = Math.max(...cpuLines.map(([label]) => label.length));
  const lines = [
    '',
    `HTTP benchmark — ${new Date().toISOString()}`,
    `machine: ${machineText()}, UV_THREADPOOL_SIZE ${pool}${process.env['UV_THREADPOOL_SIZE'] ? '' : ' (default)'}; PostgreSQL ${server.version} (${settings}), same host`,
    `other work during the run (skews every figure): load average ${disturbance.loadAverageAtStart.toFixed(2)} at start, ${disturbance.loadAverageAtEnd.toFixed(2)} at end; ${formatNumber(disturbance.commitsInOtherDatabases)} transactions committed in the server's other databases`,
    `load: autocannon in a child process, ${CONFIG.connections} connections, no pipelining; fast routes ${CONFIG.warmUpSeconds} s warm-up (discarded) + ${CONFIG.durationSeconds} s measured; register/login by count. Latencies are of 2xx answers.`,
    `app: account service + query API + projectors ${processes} over one fresh PostgreSQL database, in-process bus, LOG_LEVEL silent, no response validation; bcrypt cost ${CONFIG.bcryptCost} for every password (production's)`,
    `login: over HTTP; the app was started with BDBAZAR_LOGIN_ATTEMPTS_PER_ADDRESS=${formatNumber(CONFIG.loginAttemptsPerAddress)} (all requests come from 127.0.0.1; the default 100 per 15 min would cap the run), per-account limit at its default; each of ${formatNumber(m.users.registered)} registered users logs in once`,
    '(the ours/Emmett column of the shared table printer does not apply here)',
    '',
    renderTable(rows),
    '',
    'Where the CPU went during each measured run (cores busy on average; this machine has ' + os.cpus().length + '):',
    ...cpuLines.map(([label, cpu]) => `  ${label.padEnd(width)}  ${cpuText(cpu)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
