/**
 * The load client: a child process (forked by load.ts) that runs autocannon for each job the
 * bench process sends over IPC and answers with the figures. Running it apart keeps the HTTP
 * client off the server's event loop, as autocannon's command line would; on a 2-core machine
 * the two still share the CPUs (its own CPU time is in the answer).
 */
import autocannon from 'autocannon';
import { random } from '../catalogBench/random';
import { percentile } from '../eventStoreBench/measure';
import type { ClientMessage, Latencies, LoadJob, LoadPlan, LoadResult, SignedInUser } from './protocol';

type Request = autocannon.Request;
type Client = autocannon.Client;

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const MAX_SAMPLE_FAILURES = 5;

interface Collected {
  registeredEmails: string[];
  signedIn: SignedInUser[];
  lastPosition: string | undefined;
  sampleFailures: Array<{ status: number; body: string }>;
  /**
   * search: the kind of the query just answered. A request's onResponse runs just before
   * autocannon's 'response' event for the same response (which has the latency), in one go.
   */
  answeredKind: string | undefined;
  /** importProducts: products listed and refused, from the answers. */
  itemsOk: number;
  itemsRefused: number;
}

/** Positions are '<20 digits>/<20 digits>': string order is position order. */
function newer(a: string | undefined, b: unknown): string | undefined {
  return typeof b === 'string' && (a === undefined || b > a) ? b : a;
}

function parse(body: string): Record<string, unknown> {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function noteFailure(collected: Collected, status: number, body: string): void {
  if (collected.sampleFailures.length < MAX_SAMPLE_FAILURES) collected.sampleFailures.push({ status, body: body.slice(0, 300) });
}

/** Notes what a response tells: a failure's body, the newest position answered. */
function recorder(collected: Collected) {
  return (status: number, body: string): Record<string, unknown> | null => {
    if (status >= 200 && status < 300) {
      const parsed = parse(body);
      collected.lastPosition = newer(collected.lastPosition, parsed['position']);
      return parsed;
    }
    noteFailure(collected, status, body);
    return null;
  };
}

/** Connection k's share of `items`: those whose index ≡ k modulo the connections (at least one, wrapping round). */
function shareOf<T>(items: readonly T[], connection: number, connections: number): T[] {
  const own = items.filter((_, index) => index % connections === connection);
  return own.length > 0 ? own : [items[connection % items.length] as T];
}

/** The autocannon options that carry out `plan`: the requests, or a per-connection set-up. */
function requestsFor(plan: LoadPlan, connections: number, collected: Collected): Pick<autocannon.Options, 'requests' | 'setupClient'> {
  const record = recorder(collected);
  // Each connection gets its own requests in setupClient; its number is the order it was made in.
  let nextConnection = 0;
  const perConnection = (build: (connection: number) => Request[]) => ({
    setupClient: (client: Client) => client.setRequests(build(nextConnection++)),
  });

  switch (plan.kind) {
    case 'get':
      return { requests: [{ method: 'GET', path: plan.path, onResponse: (status, body) => void record(status, body) }] };

    case 'getOwnProfile':
      return perConnection((connection) => {
        const user = plan.users[connection % plan.users.length] as SignedInUser;
        return [
          {
            method: 'GET',
            path: `/v1/users/${user.id}`,
            headers: { accept: 'application/json', authorization: `Bearer ${user.accessToken}` },
            onResponse: (status, body) => void record(status, body),
          },
        ];
      });

    case 'updateProfile': {
      let sequence = 0; // a new name on every request: an unchanged profile appends nothing
      return perConnection((connection) =>
        shareOf(plan.users, connection, connections).map(
          (user): Request => ({
            method: 'PUT',
            path: `/v1/users/${user.id}`,
            headers: { ...JSON_HEADERS, authorization: `Bearer ${user.accessToken}` },
            setupRequest: (request) => ({ ...request, body: JSON.stringify({ name: `Bench User ${++sequence}`, phone: '+8801711000000' }) }),
            onResponse: (status, body) => void record(status, body),
          }),
        ),
      );
    }

    case 'register': {
      let sequence = 0;
      return {
        requests: [
          {
            method: 'POST',
            path: '/v1/auth/register',
            headers: JSON_HEADERS,
            setupRequest: (request, context) => {
              const email = `${plan.emailPrefix}.${++sequence}@example.com`;
              (context as { email?: string }).email = email;
              return { ...request, body: JSON.stringify({ email, password: plan.password, name: `Bench Buyer ${sequence}`, role: 'buyer' }) };
            },
            onResponse: (status, body, context) => {
              const email = (context as { email?: string }).email;
              if (record(status, body) && status === 201 && email) collected.registeredEmails.push(email);
            },
          },
        ],
      };
    }

    case 'login':
      return perConnection((connection) =>
        shareOf(plan.emails, connection, connections).map(
          (email): Request => ({
            method: 'POST',
            path: '/v1/auth/login',
            headers: JSON_HEADERS,
            body: JSON.stringify({ email, password: plan.password }),
            onResponse: (status, body) => {
              const answer = record(status, body);
              if (answer && typeof answer['accountId'] === 'string' && typeof answer['accessToken'] === 'string') {
                collected.signedIn.push({ id: answer['accountId'], accessToken: answer['accessToken'] });
              }
            },
          }),
        ),
      );

    case 'listProducts':
      return perConnection((connection) =>
        shareOf(plan.products, connection, connections).map(
          (product): Request => ({
            method: 'POST',
            path: '/v1/products',
            headers: { ...JSON_HEADERS, authorization: `Bearer ${plan.tokens[product.shopId] ?? ''}` },
            body: product.body,
            onResponse: (status, body) => void record(status, body),
          }),
        ),
      );

    case 'importProducts':
      return perConnection((connection) =>
        shareOf(plan.imports, connection, connections).map(
          (batch): Request => ({
            method: 'POST',
            path: '/v1/products/bulk',
            headers: { ...JSON_HEADERS, authorization: `Bearer ${batch.token}` },
            body: batch.body,
            onResponse: (status, body) => {
              const answer = record(status, body);
              if (!answer) return;
              collected.itemsOk += Number(answer['listed'] ?? 0);
              const refused = Number(answer['refused'] ?? 0);
              collected.itemsRefused += refused;
              if (refused > 0) {
                const results = (answer['results'] ?? []) as Array<{ status: number; problem?: unknown }>;
                for (const r of results.filter((x) => x.problem)) noteFailure(collected, r.status, JSON.stringify(r.problem));
              }
            },
          }),
        ),
      );

    case 'search':
      // Bodies of a search answer run to kilobytes: not parsed, this process shares the CPUs.
      return perConnection((connection) =>
        random(plan.seed, connection)
          .shuffle(plan.queries)
          .map(
            (query): Request => ({
              method: 'GET',
              path: query.path,
              headers: { accept: 'application/json', ...plan.headers },
              onResponse: (status, body) => {
                collected.answeredKind = query.kind;
                if (status < 200 || status >= 300) noteFailure(collected, status, body);
              },
            }),
          ),
      );
  }
}

function summarise(latencies: readonly number[]): Latencies {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    mean: sorted.length ? sorted.reduce((sum, value) => sum + value, 0) / sorted.length : Number.NaN,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

export async function runJob(job: LoadJob): Promise<LoadResult> {
  const collected: Collected = { registeredEmails: [], signedIn: [], lastPosition: undefined, sampleFailures: [], answeredKind: undefined, itemsOk: 0, itemsRefused: 0 };
  const latencies: number[] = [];
  const byKind = new Map<string, { latencies: number[]; notOk: number }>();
  const cpuBefore = process.cpuUsage();
  const options: autocannon.Options = {
    url: job.url,
    connections: job.connections,
    timeout: job.timeoutSeconds,
    // Checked for the end every 20 ms rather than every second (autocannon's default), so that the
    // bench process's CPU samples around the run do not take in an idle second.
    sampleInt: 20,
    ...(job.amount !== undefined ? { amount: job.amount } : { duration: job.durationSeconds ?? 10 }),
    ...requestsFor(job.plan, job.connections, collected),
  };
  // autocannon notices the end only at its next sample, and its `duration` includes that wait
  // (with its default sampling, a run of a given amount is rounded up to whole seconds); it also
  // builds every connection's requests before the first is sent (a second for 100,000 products).
  // The run here lasts from the first request sent to the last response.
  const startedAt = performance.now();
  let firstRequestAt = Number.POSITIVE_INFINITY;
  let lastResponseAt = startedAt;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, outcome: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(outcome)));
    // autocannon's own histogram keeps whole milliseconds and has no p95; these are the exact response times.
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponseAt = performance.now();
      firstRequestAt = Math.min(firstRequestAt, lastResponseAt - responseTime);
      const ok = statusCode >= 200 && statusCode < 300;
      if (ok) latencies.push(responseTime);
      if (collected.answeredKind !== undefined) {
        let kind = byKind.get(collected.answeredKind);
        if (!kind) byKind.set(collected.answeredKind, (kind = { latencies: [], notOk: 0 }));
        if (ok) kind.latencies.push(responseTime);
        else kind.notOk++;
        collected.answeredKind = undefined;
      }
    });
  });
  const durationSeconds = (lastResponseAt - Math.min(firstRequestAt, lastResponseAt)) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]));
  const ok = Object.entries(statusCodes).reduce((sum, [code, count]) => (code.startsWith('2') ? sum + count : sum), 0);
  const notOk = Object.values(statusCodes).reduce((sum, count) => sum + count, 0) - ok;
  return {
    durationSeconds,
    lastResponseAtEpochMs: performance.timeOrigin + lastResponseAt,
    statusCodes,
    ok,
    notOk,
    errors: result.errors,
    timeouts: result.timeouts,
    okPerSecond: durationSeconds > 0 ? ok / durationSeconds : 0,
    latencyMs: summarise(latencies),
    ...(byKind.size ? { byKind: Object.fromEntries([...byKind].map(([kind, figures]) => [kind, { ok: figures.latencies.length, notOk: figures.notOk, latencyMs: summarise(figures.latencies) }])) } : {}),
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    ...(job.plan.kind === 'register' ? { registeredEmails: collected.registeredEmails } : {}),
    ...(job.plan.kind === 'login' ? { signedIn: collected.signedIn } : {}),
    ...(collected.lastPosition ? { lastPosition: collected.lastPosition } : {}),
    ...(job.plan.kind === 'importProducts' ? { itemsOk: collected.itemsOk, itemsRefused: collected.itemsRefused } : {}),
    sampleFailures: collected.sampleFailures,
  };
}

// Forked with an IPC channel: serve jobs one at a time until the parent lets go.
if (require.main === module && process.send) {
  process.on('message', (job: LoadJob) => {
    runJob(job).then(
      (result) => process.send?.({ ok: true, result } satisfies ClientMessage),
      (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies ClientMessage),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
