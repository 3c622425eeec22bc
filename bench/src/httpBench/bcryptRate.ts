/**
 * The raw bcrypt verification rate: bcrypt's async compare (run on libuv's thread pool, as the
 * login's is) with `inFlight` comparisons outstanding, against a hash of the same cost, in this
 * process; the reference a login is measured against.
 */
import bcrypt from 'bcrypt';
import { percentile, perSecond, runCount, timed } from '../eventStoreBench/measure';

export interface BcryptRate {
  cost: number;
  inFlight: number;
  compares: number;
  perSecond: number;
  /** From call to answer, thread-pool queueing included, ms. */
  latencyMs: { p50: number; p99: number };
  threadPoolSize: number;
}

/** libuv's default is 4 threads; UV_THREADPOOL_SIZE changes it (read once, at the pool's first use). */
export function threadPoolSize(): number {
  const configured = Number(process.env['UV_THREADPOOL_SIZE']);
  return Number.isInteger(configured) && configured > 0 ? Math.min(configured, 1024) : 4;
}

export async function hashFor(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export async function measureBcryptCompares(password: string, hash: string, compares: number, inFlight: number): Promise<BcryptRate> {
  const latencies: number[] = [];
  const elapsed = await timed(() =>
    runCount(compares, inFlight, async () => {
      const started = performance.now();
      if (!(await bcrypt.compare(password, hash))) throw new Error('bcrypt.compare answered false for the right password');
      latencies.push(performance.now() - started);
    }),
  );
  return {
    cost: bcrypt.getRounds(hash),
    inFlight,
    compares,
    perSecond: perSecond(compares, elapsed),
    latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
    threadPoolSize: threadPoolSize(),
  };
}
