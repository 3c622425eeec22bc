import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { SqlDriver } from './sqlDriver';

export interface PgDriverOptions {
  /** A pool the caller owns (and closes), or settings to make one this driver owns. */
  pool?: Pool;
  connectionString?: string;
  poolConfig?: PoolConfig;
}

export function createPgDriver(options: PgDriverOptions): SqlDriver {
  const owned = !options.pool;
  const pool = options.pool ?? new Pool({ connectionString: options.connectionString, max: 20, ...options.poolConfig });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  if (owned) pool.on('error', () => undefined);
  const listeners = new Set<PoolClient>();

  return {
    sharedWithOtherProcesses: true,
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
      const result = await pool.query(sql, params as unknown[] | undefined);
      return result.rows as Row[];
    },
    async queryArrays<Row extends unknown[]>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
      const result = await pool.query<Row>({ text: sql, values: params as unknown[] | undefined, rowMode: 'array' });
      return result.rows;
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    async listen(channel, onNotify, onError) {
      const client = await pool.connect();
      listeners.add(client);
      let released = false;
      const release = (error?: Error): void => {
        if (released) return;
        released = true;
        listeners.delete(client);
        client.removeAllListeners('notification');
        client.removeAllListeners('error');
        client.release(error ?? true);
      };
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify();
      });
      client.on('error', (error) => {
        release(error);
        onError(error);
      });
      await client.query(`listen "${channel}"`);
      return async () => {
        if (released) return;
        try {
          await client.query(`unlisten "${channel}"`);
        } finally {
          release();
        }
      };
    },
    async close() {
      for (const client of listeners) client.release(true);
      listeners.clear();
      if (owned) await pool.end();
    },
  };
}
