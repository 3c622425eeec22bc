/**
 * A lease makes one process the active one for a job (a projector, a rebuild, a relay) while others
 * stand by. On PostgreSQL it is a session advisory lock held on a connection kept for the purpose:
 * if the process dies, the server ends the session and the lock with it. PGlite belongs to one
 * process, so there the lease is kept in memory.
 */
import type { Database } from '../database/database';

export interface Lease {
  readonly key: string;
  /** Settles when the lease is lost (its connection failed) or released. */
  readonly lost: Promise<Error | null>;
  release(): Promise<void>;
}

const heldInProcess = new WeakMap<Database, Set<string>>();

interface PgConnection {
  query(sql: string, params: unknown[]): Promise<{ rows: Array<{ ok: boolean }> }>;
  on(event: 'error' | 'end', listener: (error?: Error) => void): void;
  removeListener(event: 'error' | 'end', listener: (error?: Error) => void): void;
}

/** Takes the lease if free; null when another holder has it. */
export async function tryAcquireLease(db: Database, key: string): Promise<Lease | null> {
  if (!db.shared) {
    const held = heldInProcess.get(db) ?? new Set<string>();
    heldInProcess.set(db, held);
    if (held.has(key)) return null;
    held.add(key);
    let settle!: (reason: Error | null) => void;
    const lost = new Promise<Error | null>((resolve) => (settle = resolve));
    return {
      key,
      lost,
      release: async () => {
        held.delete(key);
        settle(null);
      },
    };
  }

  const client = db.knex.client as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<void> };
  const connection = await client.acquireConnection();
  let ok = false;
  try {
    const result = await connection.query('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [`bdbazar.lease.${key}`]);
    ok = result.rows[0]?.ok === true;
  } finally {
    if (!ok) await client.releaseConnection(connection);
  }
  if (!ok) return null;

  let settle!: (reason: Error | null) => void;
  const lost = new Promise<Error | null>((resolve) => (settle = resolve));
  // The session (and with it the lock) is gone when its connection fails or ends.
  const onError = (error?: Error): void => settle(new Error(`Lost the lease ${key}: ${error?.message ?? 'the connection ended'}`));
  connection.on('error', onError);
  connection.on('end', onError);
  let released = false;
  return {
    key,
    lost,
    release: async () => {
      if (released) return;
      released = true;
      connection.removeListener('error', onError);
      connection.removeListener('end', onError);
      try {
        await connection.query('select pg_advisory_unlock(hashtextextended($1, 0)) as ok', [`bdbazar.lease.${key}`]);
      } finally {
        await client.releaseConnection(connection);
        settle(null);
      }
    },
  };
}

/** Waits for the lease, trying again every `retryMs`, until it is taken or `signal` aborts (null). */
export async function acquireLease(db: Database, key: string, options: { retryMs?: number; signal?: AbortSignal; onStandby?: () => void } = {}): Promise<Lease | null> {
  let announced = false;
  while (!options.signal?.aborted) {
    const lease = await tryAcquireLease(db, key);
    if (lease) return lease;
    if (!announced) {
      announced = true;
      options.onStandby?.();
    }
    await abortableSleep(options.retryMs ?? 1000, options.signal);
  }
  return null;
}

/** Sleeps, waking early when the signal aborts; leaves no listener behind. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
