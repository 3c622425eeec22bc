import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type PoolConfig, type QueryArrayConfig, type QueryConfig } from 'pg';
import type { SqlDriver } from './sqlDriver';

export interface PgDriverOptions {
  /** A pool the caller owns (and closes), or settings to make one this driver owns. */
  pool?: Pool;
  connectionString?: string;
  poolConfig?: PoolConfig;
}

/** Distinct statement texts a driver prepares; later ones are sent unnamed. */
const MAX_PREPARED_STATEMENTS = 100;

export function createPgDriver(options: PgDriverOptions): SqlDriver {
  const owned = !options.pool;
  const pool = options.pool ?? new Pool({ connectionString: options.connectionString, max: 20, ...options.poolConfig });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  if (owned) pool.on('error', () => undefined);
  const listeners = new Set<PoolClient>();

  /**
   * The store's statements are a fixed set of texts: each is prepared once per connection under a
   * name made from its text (so that drivers sharing a pool agree on names), and PostgreSQL parses
   * and analyses it once per connection instead of on every call. PostgreSQL still plans each call
   * with its parameters until a generic plan is as cheap. Past a bound of distinct texts, a text
   * goes unnamed: nothing grows without limit in the server's sessions.
   */
  const names = new Map<string, string>();
  const nameOf = (sql: string): string | undefined => {
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_PREPARED_STATEMENTS) {
      name = `bdbazar_es_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      names.set(sql, name);
    }
    return name;
  };

  /**
   * pool.query() destroys its connection whenever a query fails, so every version conflict would
   * cost a new connection. An SQL error (it has a SQLSTATE) leaves the connection healthy: give it
   * back; only a failure of the connection itself retires it.
   */
  const run = async <Row>(config: QueryConfig | QueryArrayConfig): Promise<Row[]> => {
    const client = await pool.connect();
    try {
      const result = await client.query(config);
      client.release();
      return result.rows as Row[];
    } catch (error) {
      client.release(isSqlError(error) ? undefined : (error as Error));
      throw error;
    }
  };

  return {
    sharedWithOtherProcesses: true,
    concurrentQueries: pool.options.max ?? 10,
    fieldsAreCostly: false,
    query: <Row>(sql: string, params?: readonly unknown[]) => run<Row>({ name: nameOf(sql), text: sql, values: params as unknown[] | undefined }),
    queryArrays: <Row extends unknown[]>(sql: string, params?: readonly unknown[]) =>
      run<Row>({ name: nameOf(sql), text: sql, values: params as unknown[] | undefined, rowMode: 'array' }),
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
        if (message.channel === channel) onNotify(message.payload);
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

function isSqlError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((error as { code: string }).code);
}
