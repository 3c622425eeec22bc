/**
 * `npm start` with BDBAZAR_HTTP_WORKERS=n (n > 1, on server stores): the marketplace over n + 1
 * processes and its one port. One event loop serves every request of the single-process
 * marketplace and is its bottleneck, while the other cores sit partly idle; here the port is
 * shared by n HTTP workers (node:cluster hands each new connection to one of them in turn), and
 * the primary runs the background work once: the projectors and the outbox relay, the consumers
 * of integration events (so the in-process bus still works: every consumer and the relay live in
 * the primary) and the payment-deadline timer.
 *
 * The workers share nothing in memory that must agree: commands append at the revision they
 * read (another worker's append makes theirs fail and be decided again), idempotency keys, login
 * attempts, read-your-writes and the answer cache all live in the database.
 *
 * A worker that dies is replaced after a pause that doubles while they keep dying (up to 10 s); a
 * worker that fails to start fails the start. Stopping (SIGINT, SIGTERM) stops the workers first,
 * each finishing its requests in flight, then the background work.
 */
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config, Logger } from '@bdbazar/shared-kernel';
import { startMarketplace, startMarketplaceBackground, type RunningMarketplace } from './marketplace';

/** A worker's message to the primary once it listens. */
interface Listening {
  bdbazar: 'listening';
  port: number;
}

/** The marketplace as one process runs it (its modules are the primary's), and its workers. */
export interface RunningCluster extends RunningMarketplace {
  /** The workers' process ids (for tests, and for measuring their CPU). */
  workerPids(): number[];
}

export interface ClusterOptions {
  /**
   * The environment the workers read their configuration from (loadConfig), over this process's:
   * what made `config` when it did not come from process.env (a test's or a bench's own settings).
   */
  env?: Record<string, string>;
  /** Node options of the workers; this process's by default (a primary under a TypeScript loader passes it on). */
  execArgv?: string[];
}

const RESTART_PAUSE_MS = { first: 100, max: 10_000 };
/** How long a stopping worker may take to finish its requests before it is killed. */
const WORKER_STOP_MS = 30_000;

/** In the primary: the background work, then the workers, answering once every worker listens. */
export async function startCluster(config: Config, logger: Logger, options: ClusterOptions = {}): Promise<RunningCluster> {
  const count = config.BDBAZAR_HTTP_WORKERS;
  if (!cluster.isPrimary) throw new Error('startCluster runs in the primary; a worker runs startClusterWorker.');
  // Workers run main (main.js built, main.ts under a TypeScript loader, which the workers inherit
  // with the primary's node options), whatever script this primary runs (npm start, a bench).
  cluster.setupPrimary({ exec: path.join(__dirname, `main${path.extname(__filename)}`), args: [], ...(options.execArgv ? { execArgv: options.execArgv } : {}) });
  const background = await startMarketplaceBackground(config, logger);
  const workers = new Set<Worker>();
  let stopping = false;
  // Every worker asks for the configured port, 0 included: the primary keeps one listening handle
  // per address and port asked for, so with 0 every worker shares the first one's free port.
  let port = config.PORT;
  let pause = RESTART_PAUSE_MS.first;

  const fork = (): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ ...options.env, PORT: String(config.PORT) });
      workers.add(worker);
      const onMessage = (message: unknown) => {
        if (!isListening(message)) return;
        port = message.port;
        worker.off('exit', onEarlyExit);
        worker.on('exit', (code, signal) => void replace(worker, code, signal));
        resolve(worker);
      };
      const onEarlyExit = (code: number | null, signal: string | null) => {
        workers.delete(worker);
        reject(new Error(`An HTTP worker stopped before it listened (${signal ?? `exit code ${code}`}); its error is printed above.`));
      };
      worker.on('message', onMessage);
      worker.once('exit', onEarlyExit);
    });

  const replace = async (worker: Worker, code: number | null, signal: string | null): Promise<void> => {
    workers.delete(worker);
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal, restartInMs: pause }, 'an HTTP worker stopped; starting another');
    await sleep(pause);
    pause = Math.min(pause * 2, RESTART_PAUSE_MS.max);
    if (stopping) return;
    try {
      await fork();
      pause = RESTART_PAUSE_MS.first;
    } catch (error) {
      logger.error({ err: error }, 'the replacement HTTP worker failed to start');
      if (!stopping) void replace(worker, null, null);
    }
  };

  const stopWorkers = async (): Promise<void> => {
    await Promise.all(
      [...workers].map(async (worker) => {
        if (worker.isDead()) return;
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.process.kill('SIGTERM');
        const killer = setTimeout(() => worker.process.kill('SIGKILL'), WORKER_STOP_MS);
        await exited;
        clearTimeout(killer);
      }),
    );
    workers.clear();
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    try {
      await stopWorkers();
    } finally {
      await background.stop();
    }
  };

  try {
    // One after another: the first settles the port (PORT=0) and anything made at first start.
    for (let i = 0; i < count; i++) await fork();
  } catch (error) {
    await stop();
    throw error;
  }
  const { account, product, order, store } = background;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    account,
    product,
    order,
    store,
    workerPids: () => [...workers].flatMap((worker) => (worker.process.pid === undefined ? [] : [worker.process.pid])),
    stop,
  };
}

/** In a worker: the routes on the shared port; it tells the primary once it listens. */
export async function startClusterWorker(config: Config, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const marketplace = await startMarketplace(config, logger, { role: 'http' });
  let stopped = false;
  // The primary gone (killed), nothing would stop this worker: it stops itself.
  process.once('disconnect', () => {
    if (!stopped) process.kill(process.pid, 'SIGTERM');
  });
  const listening: Listening = { bdbazar: 'listening', port: marketplace.port };
  process.send?.(listening);
  return {
    stop: async () => {
      stopped = true;
      await marketplace.stop();
      // The channel to the primary would keep this process alive.
      cluster.worker?.disconnect();
    },
  };
}

function isListening(message: unknown): message is Listening {
  return typeof message === 'object' && message !== null && (message as Listening).bdbazar === 'listening';
}
