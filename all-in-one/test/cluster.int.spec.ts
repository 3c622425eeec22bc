/**
 * The marketplace over two HTTP worker processes sharing its port (BDBAZAR_HTTP_WORKERS=2), the
 * primary running the projections and the consumers on the in-process bus, against the real
 * PostgreSQL: new connections go to the workers in turn, and what must agree across them does
 * (read-your-writes, login attempts, idempotency keys); a worker that dies is replaced; stopping
 * ends every process. The checkouts of oversell.int.spec.ts run over two workers too.
 */
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { describeWithServer, requireServerUrl } from '../../test/servers';
import { eventually } from './orderFixture';
import { addressBody, TestMarketplace, type Actor } from './marketplaceHarness';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** One request on a connection of its own (no keep-alive): the cluster hands each to the next worker. */
function onNewConnection(url: string, method: string, path: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(`${url}${path}`, {
      method,
      agent: false,
      headers: {
        ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU ticks (user + system) a process has used so far; null once it is gone. */
function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describeWithServer('postgres', 'the marketplace over two HTTP workers', () => {
  let t: TestMarketplace | undefined;
  let market: TestMarketplace;
  let workerPids: () => number[];
  let buyer: Actor;

  beforeAll(async () => {
    market = t = await TestMarketplace.start(requireServerUrl('postgres'), { httpWorkers: 2, env: { BDBAZAR_LOGIN_ATTEMPTS_PER_ACCOUNT: '3' } });
    workerPids = (market.market as unknown as { workerPids(): number[] }).workerPids;
    buyer = await market.register('buyer', 'Tania Akter');
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('runs each worker as a process of its own, and new connections go to both', async () => {
    const pids = workerPids();
    expect(pids).toHaveLength(2);
    expect(new Set([...pids, process.pid]).size).toBe(3);
    const before = pids.map(cpuTicks);
    for (let i = 0; i < 200; i++) expect((await onNewConnection(market.market.url, 'GET', `/v1/users/${buyer.id}`, { token: buyer.accessToken })).status).toBe(200);
    const used = pids.map((pid, i) => cpuTicks(pid)! - before[i]!);
    // 200 reads split between them: each worker did a share of the work.
    expect(used.every((ticks) => ticks > 0)).toBe(true);
  });

  it('reads its writes whichever workers take the command and the read', async () => {
    for (const name of ['Tania A.', 'Tania Akter Rimi', 'T. Akter']) {
      const put = await onNewConnection(market.market.url, 'PUT', `/v1/users/${buyer.id}`, { token: buyer.accessToken, body: { name, phone: '+8801711000000' } });
      expect(put.status).toBe(200);
      const read = await onNewConnection(market.market.url, 'GET', `/v1/users/${buyer.id}`, { token: buyer.accessToken, headers: { 'X-Consistent-After': put.body['position'] as string } });
      expect({ status: read.status, name: read.body['name'] }).toEqual({ status: 200, name });
    }
  });

  it('counts login attempts once for every worker', async () => {
    const target = await market.register('buyer');
    const attempt = () => onNewConnection(market.market.url, 'POST', '/v1/auth/login', { body: { email: target.email, password: 'not the password at all' } });
    // Three attempts allowed per account: alternating workers, each would see one or two if each counted alone.
    expect([(await attempt()).status, (await attempt()).status, (await attempt()).status]).toEqual([401, 401, 401]);
    const fourth = await attempt();
    expect({ status: fourth.status, type: fourth.headers['content-type'], retryAfter: Number(fourth.headers['retry-after']) > 0 }).toEqual({
      status: 429,
      type: expect.stringContaining('application/problem+json'),
      retryAfter: true,
    });
    const withThePassword = await onNewConnection(market.market.url, 'POST', '/v1/auth/login', { body: { email: target.email, password: target.password } });
    expect(withThePassword.status).toBe(429);
  });

  it('replays an idempotency key whichever worker the retry reaches', async () => {
    const body = addressBody('House 7, Road 3, Mirpur');
    const key = `cluster-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => onNewConnection(market.market.url, 'POST', `/v1/users/${buyer.id}/addresses`, { token: buyer.accessToken, body, headers: { 'Idempotency-Key': key } })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
  });

  it('replaces a worker that dies and keeps answering', async () => {
    const [victim, survivor] = workerPids();
    process.kill(victim!, 'SIGKILL');
    const replaced = await eventually('a new worker', async () => {
      const pids = workerPids();
      return pids.length === 2 && !pids.includes(victim!) && pids.includes(survivor!) ? pids : null;
    }, 30_000, 100);
    expect(alive(victim!)).toBe(false);
    for (let i = 0; i < 10; i++) expect((await onNewConnection(market.market.url, 'GET', `/v1/users/${buyer.id}`, { token: buyer.accessToken })).status).toBe(200);
    expect(replaced).toHaveLength(2);
  });

  it('stops every process when it stops', async () => {
    const pids = workerPids();
    await market.stop();
    t = undefined;
    expect(pids.filter(alive)).toEqual([]);
  });
});
