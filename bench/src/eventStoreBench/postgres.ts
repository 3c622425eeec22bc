/** The PostgreSQL server side of the bench: databases, clean-up, server facts and the raw INSERT ceiling. */
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { orderPlaced } from './events';
import { perSecond, runCount, timed } from './measure';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/bdbazar_bench';

/** The same server and credentials, another database. */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

export function databaseOf(connectionString: string): string {
  return decodeURIComponent(new URL(connectionString).pathname.slice(1));
}

async function withClient<T>(connectionString: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Creates the database when missing (through the server's `postgres` database). */
export async function ensureDatabase(connectionString: string): Promise<void> {
  const name = databaseOf(connectionString);
  await withClient(withDatabase(connectionString, 'postgres'), async (admin) => {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await admin.query(`create database ${quoteIdent(name)}`);
  });
}

/** Drops the database (closing its sessions) and creates it empty. */
export async function recreateDatabase(connectionString: string): Promise<void> {
  const name = databaseOf(connectionString);
  await withClient(withDatabase(connectionString, 'postgres'), async (admin) => {
    await admin.query(`drop database if exists ${quoteIdent(name)} with (force)`);
    await admin.query(`create database ${quoteIdent(name)}`);
  });
}

export async function dropSchemas(connectionString: string, schemas: readonly string[]): Promise<void> {
  await withClient(connectionString, async (client) => {
    for (const schema of schemas) await client.query(`drop schema if exists ${quoteIdent(schema)} cascade`);
  });
}

/** Flushes dirty buffers so that one store's checkpoint does not land in another's measurement. */
export async function checkpoint(connectionString: string): Promise<void> {
  await withClient(connectionString, async (client) => {
    await client.query('checkpoint').catch(() => undefined); // needs superuser or pg_checkpoint; best effort
  });
}

/** Refreshes the planner's statistics, as autovacuum would within a minute of a bulk fill. */
export async function analyze(connectionString: string): Promise<void> {
  await withClient(connectionString, (client) => client.query('analyze').then(() => undefined));
}

/** Transactions committed so far in the server's other databases (someone else's tests skew the figures). */
export async function commitsElsewhere(connectionString: string, ownDatabases: readonly string[]): Promise<number> {
  return withClient(connectionString, async (client) => {
    const { rows } = await client.query<{ commits: string | null }>(
      'select sum(xact_commit)::text as commits from pg_stat_database where datname is not null and datname <> all($1::text[])',
      [ownDatabases],
    );
    return Number(rows[0]?.commits ?? 0);
  });
}

export interface ServerFacts {
  version: string;
  settings: Record<string, string>;
}

export async function serverFacts(connectionString: string): Promise<ServerFacts> {
  return withClient(connectionString, async (client) => {
    const { rows: versionRows } = await client.query<{ version: string }>("select current_setting('server_version') as version");
    const { rows } = await client.query<{ name: string; setting: string; unit: string | null }>(
      `select name, setting, unit from pg_settings
        where name in ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_level')`,
    );
    const settings: Record<string, string> = {};
    for (const row of rows) settings[row.name] = row.name === 'shared_buffers' ? `${(Number(row.setting) * 8) / 1024} MB` : row.setting;
    return { version: versionRows[0]?.version ?? 'unknown', settings };
  });
}

/**
 * Single-row INSERTs (autocommit) into `(id uuid primary key, data jsonb)` through node-postgres:
 * the most an append can hope for on this server with this many connections.
 */
export async function rawInsertsPerSecond(connectionString: string, schema: string, connections: number, count: number): Promise<number> {
  const pool = new Pool({ connectionString, max: connections });
  pool.on('error', () => undefined);
  try {
    const table = `${quoteIdent(schema)}.raw_events`;
    await pool.query(`create schema if not exists ${quoteIdent(schema)}`);
    await pool.query(`create table if not exists ${table} (id uuid primary key, data jsonb not null)`);
    const insert = (index: number): Promise<void> =>
      pool.query(`insert into ${table} (id, data) values ($1, $2)`, [randomUUID(), JSON.stringify(orderPlaced(index).data)]).then(() => undefined);
    await runCount(Math.max(200, connections * 10), connections, insert); // warm-up: open every connection
    const elapsed = await timed(() => runCount(count, connections, insert));
    return perSecond(count, elapsed);
  } finally {
    await pool.end();
  }
}
