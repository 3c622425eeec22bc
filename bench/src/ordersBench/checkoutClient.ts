/**
 * The orders bench's client: a child process (forked by checkoutLoad.ts) that sends checkouts
 * for each job the bench process sends over IPC, with autocannon (closed loop, for throughput)
 * or paced (open loop), and follows some of them until every order they made reads as reserved
 * in the query API. Running apart keeps the HTTP clients and the polling off the server's event
 * loop; on a 2-core machine they still share the CPUs (its own CPU time is in the answer).
 */
import http from 'node:http';
import autocannon from 'autocannon';
import { percentile, runPaced, sleep } from '../eventStoreBench/measure';
import type { Latencies, LoadResult } from '../httpBench/protocol';
import type { CheckoutRequest, OrderClientMessage, OrderJob, OrderJobResult, TrackedCheckout, TrackedOrder, TrackOptions } from './protocol';

/** The statuses of an order whose stock is held: the reservation is done and visible. */
const RESERVED = new Set(['awaiting_payment', 'confirmed']);
const MAX_SAMPLE_FAILURES = 5;

/** What a 201 from POST /v1/orders says that following needs. */
interface CheckoutAnswer {
  checkoutId: string;
  position: string;
  orders: Array<{ orderId: string }>;
}

interface Answer {
  status: number;
  body: string;
}

/** A keep-alive HTTP/1.1 client for the checkouts of a paced run and the reads that follow orders. */
function httpClient(baseUrl: string, maxSockets: number) {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const request = (method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      const sent = http.request(
        {
          host: base.hostname,
          port: base.port,
          method,
          path,
          agent,
          headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      sent.on('error', reject);
      sent.end(body);
    });
  return { request, close: () => agent.destroy() };
}

type HttpClient = ReturnType<typeof httpClient>;

interface Counters {
  reads: number;
  notCaughtUp: number;
}

/** Before each read: waits for the next free slot, slots `1000 / maxPerSecond` ms apart over all followed orders. */
function readPacer(maxPerSecond: number): () => Promise<void> {
  const spacing = 1000 / maxPerSecond;
  let next = 0;
  return async () => {
    const now = performance.now();
    const slot = Math.max(now, next);
    next = slot + spacing;
    if (slot - now >= 1) await sleep(slot - now);
  };
}

/** What following needs besides the checkout: the client, the options, the shared read pacer and counters. */
interface Follower {
  client: HttpClient;
  options: TrackOptions;
  pace: () => Promise<void>;
  counters: Counters;
}

function follower(client: HttpClient, options: TrackOptions): Follower {
  return { client, options, pace: readPacer(options.maxReadsPerSecond), counters: { reads: 0, notCaughtUp: 0 } };
}

function checkoutHeaders(token: string, key: string): Record<string, string> {
  return { accept: 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key };
}

/**
 * Reads the order until it is reserved: the first reads carry X-Consistent-After (the query API
 * holds them until the placement is projected), the later ones not (the order is there; only its
 * status has to move, which no position of ours names).
 */
async function followOrder(f: Follower, token: string, orderId: string, position: string, sentAt: number): Promise<TrackedOrder & { failure?: string }> {
  const { client, options, counters } = f;
  const tracked: TrackedOrder = { orderId, visibleMs: null, reservedVisibleMs: null, status: null, reads: 0 };
  for (;;) {
    await f.pace();
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token}` };
    if (tracked.visibleMs === null) headers['x-consistent-after'] = position;
    const answer = await client.request('GET', `/v1/orders/${orderId}`, headers);
    const at = performance.now();
    tracked.reads++;
    counters.reads++;
    if (answer.status === 200) {
      const status = String((JSON.parse(answer.body) as { status?: unknown }).status);
      tracked.status = status;
      tracked.visibleMs ??= at - sentAt;
      if (RESERVED.has(status)) return { ...tracked, reservedVisibleMs: at - sentAt };
      if (status !== 'pending') return { ...tracked, failure: `order ${orderId} became ${status}` };
    } else if (answer.status === 503) {
      counters.notCaughtUp++;
    } else {
      return { ...tracked, failure: `GET /v1/orders/${orderId} answered ${answer.status}: ${answer.body.slice(0, 200)}` };
    }
    if (at - sentAt > options.timeoutMs) return { ...tracked, failure: `order ${orderId} not reserved within ${options.timeoutMs} ms (last read: ${tracked.status ?? 'not visible'})` };
    await sleep(options.pollIntervalMs);
  }
}

async function follow(f: Follower, token: string, request: CheckoutRequest, answer: CheckoutAnswer, sent: { at: number; epochMs: number; checkoutMs: number }): Promise<TrackedCheckout> {
  const orders = await Promise.all(answer.orders.map((order) => followOrder(f, token, order.orderId, answer.position, sent.at)));
  const failures = orders.flatMap((order) => (order.failure ? [order.failure] : []));
  return {
    checkoutId: answer.checkoutId,
    paymentMethod: request.paymentMethod,
    lines: request.lines,
    sentAtEpochMs: sent.epochMs,
    checkoutMs: sent.checkoutMs,
    orders: orders.map(({ orderId, visibleMs, reservedVisibleMs, status, reads }) => ({ orderId, visibleMs, reservedVisibleMs, status, reads })),
    ...(failures.length ? { failure: failures.join('; ') } : {}),
  };
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

/** What every job collects as its checkouts are answered. */
class Tally {
  readonly latencies: number[] = [];
  readonly statusCodes: Record<string, number> = {};
  readonly sampleFailures: Array<{ status: number; body: string }> = [];
  ordersPlaced = 0;
  errors = 0;
  timeouts = 0;

  answered(status: number, body: string, request: CheckoutRequest): void {
    this.statusCodes[status] = (this.statusCodes[status] ?? 0) + 1;
    if (status === 201) this.ordersPlaced += request.orders;
    else if (this.sampleFailures.length < MAX_SAMPLE_FAILURES) this.sampleFailures.push({ status, body: body.slice(0, 300) });
  }

  result(durationMs: number, lastResponseAt: number, cpuBefore: NodeJS.CpuUsage): LoadResult {
    const ok = this.statusCodes['201'] ?? 0;
    const all = Object.values(this.statusCodes).reduce((sum, count) => sum + count, 0);
    const cpu = process.cpuUsage(cpuBefore);
    return {
      durationSeconds: durationMs / 1000,
      lastResponseAtEpochMs: performance.timeOrigin + lastResponseAt,
      statusCodes: this.statusCodes,
      ok,
      notOk: all - ok,
      errors: this.errors,
      timeouts: this.timeouts,
      okPerSecond: durationMs > 0 ? (ok * 1000) / durationMs : 0,
      latencyMs: summarise(this.latencies),
      clientCpuMs: (cpu.user + cpu.system) / 1000,
      sampleFailures: this.sampleFailures,
    };
  }
}

/** The checkout a request context was built for (a connection has one request in flight: no pipelining). */
interface Context {
  request?: CheckoutRequest;
}

async function runLoad(job: Extract<OrderJob, { kind: 'load' }>): Promise<OrderJobResult> {
  const tally = new Tally();
  const track = job.track;
  const client = track ? httpClient(job.url, 64) : null;
  const f = client && track ? follower(client, track) : null;
  const follows: Promise<TrackedCheckout>[] = [];
  let sequence = 0;
  let created = 0;
  // onResponse runs just before autocannon's 'response' event for the same response (which has its latency), in one go.
  let toFollow: { request: CheckoutRequest; answer: CheckoutAnswer } | null = null;
  const cpuBefore = process.cpuUsage();
  const options: autocannon.Options = {
    url: job.url,
    connections: job.connections,
    timeout: job.timeoutSeconds,
    duration: job.durationSeconds,
    // Checked for the end every 20 ms rather than every second, as the shared load client does.
    sampleInt: 20,
    requests: [
      {
        method: 'POST',
        path: '/v1/orders',
        setupRequest: (request, context) => {
          const n = sequence++;
          const checkout = job.checkouts[n % job.checkouts.length] as CheckoutRequest;
          (context as Context).request = checkout;
          return { ...request, headers: { ...checkoutHeaders(job.tokens[checkout.buyer] as string, `${job.keyPrefix}-${n}`), 'content-type': 'application/json' }, body: checkout.body };
        },
        onResponse: (status, body, context) => {
          const request = (context as Context).request;
          if (!request) return;
          tally.answered(status, body, request);
          if (status === 201 && track && created++ % track.every === 0) toFollow = { request, answer: JSON.parse(body) as CheckoutAnswer };
        },
      },
    ],
  };
  const startedAt = performance.now();
  let firstRequestAt = Number.POSITIVE_INFINITY;
  let lastResponseAt = startedAt;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, outcome: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(outcome)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponseAt = performance.now();
      firstRequestAt = Math.min(firstRequestAt, lastResponseAt - responseTime);
      if (statusCode === 201) tally.latencies.push(responseTime);
      if (toFollow && f) {
        const { request, answer } = toFollow;
        toFollow = null;
        const sentAt = lastResponseAt - responseTime;
        follows.push(follow(f, job.tokens[request.buyer] as string, request, answer, { at: sentAt, epochMs: performance.timeOrigin + sentAt, checkoutMs: responseTime }));
      }
    });
  });
  tally.errors = result.errors;
  tally.timeouts = result.timeouts;
  const load = tally.result(lastResponseAt - Math.min(firstRequestAt, lastResponseAt), lastResponseAt, cpuBefore);
  const tracked = await Promise.all(follows);
  const followMs = performance.now() - startedAt;
  client?.close();
  return { load, tracked, ordersPlaced: tally.ordersPlaced, reads: f?.counters.reads ?? 0, notCaughtUp: f?.counters.notCaughtUp ?? 0, followMs };
}

/** Sends one checkout outside autocannon; answers it, or null when the request failed (counted in the tally). */
async function sendCheckout(client: HttpClient, job: OrderJob, n: number, tally: Tally): Promise<{ request: CheckoutRequest; answer: Answer; sentAt: number; checkoutMs: number } | null> {
  const request = job.checkouts[n % job.checkouts.length] as CheckoutRequest;
  const sentAt = performance.now();
  let answer: Answer;
  try {
    answer = await client.request('POST', '/v1/orders', checkoutHeaders(job.tokens[request.buyer] as string, `${job.keyPrefix}-${n}`), request.body);
  } catch {
    tally.errors++;
    return null;
  }
  const checkoutMs = performance.now() - sentAt;
  tally.answered(answer.status, answer.body, request);
  if (answer.status === 201) tally.latencies.push(checkoutMs);
  return { request, answer, sentAt, checkoutMs };
}

/** Paced (open loop) or one after another: every checkout sent by this client, every `every`-th followed. */
async function runFollowedJob(job: Extract<OrderJob, { kind: 'paced' | 'sequential' }>): Promise<OrderJobResult> {
  const tally = new Tally();
  // the checkouts' connections; the reads that follow orders have their own
  const client = httpClient(job.url, job.kind === 'paced' ? job.connections : 1);
  const track = job.track;
  const f = track ? follower(httpClient(job.url, 64), track) : null;
  const tracked: TrackedCheckout[] = [];
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  let lastResponseAt = startedAt;
  let created = 0;
  const one = async (n: number): Promise<void> => {
    const sent = await sendCheckout(client, job, n, tally);
    if (!sent) return;
    lastResponseAt = Math.max(lastResponseAt, sent.sentAt + sent.checkoutMs);
    if (!f || !track || sent.answer.status !== 201 || created++ % track.every !== 0) return;
    const answer = JSON.parse(sent.answer.body) as CheckoutAnswer;
    const at = { at: sent.sentAt, epochMs: performance.timeOrigin + sent.sentAt, checkoutMs: sent.checkoutMs };
    tracked.push(await follow(f, job.tokens[sent.request.buyer] as string, sent.request, answer, at));
  };
  if (job.kind === 'paced') await runPaced(job.ratePerSecond, (job.count * 1000) / job.ratePerSecond, one);
  else for (let n = 0; n < job.count; n++) await one(n);
  const followMs = performance.now() - startedAt;
  client.close();
  f?.client.close();
  return { load: tally.result(lastResponseAt - startedAt, lastResponseAt, cpuBefore), tracked, ordersPlaced: tally.ordersPlaced, reads: f?.counters.reads ?? 0, notCaughtUp: f?.counters.notCaughtUp ?? 0, followMs };
}

export function runOrderJob(job: OrderJob): Promise<OrderJobResult> {
  switch (job.kind) {
    case 'load':
      return runLoad(job);
    case 'paced':
    case 'sequential':
      return runFollowedJob(job);
  }
}

// Forked with an IPC channel: serve jobs one at a time until the parent lets go.
if (require.main === module && process.send) {
  process.on('message', (job: OrderJob) => {
    runOrderJob(job).then(
      (result) => process.send?.({ ok: true, result } satisfies OrderClientMessage),
      (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies OrderClientMessage),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
