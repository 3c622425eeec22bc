import type { Pool, PoolConfig } from 'pg';
import type { EventStore } from './eventStore';
import { createPgDriver } from './sql/pgDriver';
import { createPgliteDriver } from './sql/pgliteDriver';
import { createSqlEventStore, type SqlEventStoreOptions } from './sql/sqlEventStore';
import type { PGlite } from '@electric-sql/pglite';

export interface PostgresEventStoreOptions extends SqlEventStoreOptions {
  /** A pool the caller owns and closes; otherwise one is made from `connectionString` and closed by `close()`. */
  pool?: Pool;
  connectionString?: string;
  poolConfig?: PoolConfig;
}

/** The event store on a PostgreSQL server (14 or later), through node-postgres. */
export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<EventStore> {
  if (!options.pool && !options.connectionString) {
    throw new Error('createPostgresEventStore needs a connectionString (postgres://user@host:5432/db) or a pool.');
  }
  const driver = createPgDriver(options);
  try {
    return await createSqlEventStore(driver, options);
  } catch (error) {
    await driver.close();
    throw error;
  }
}

export interface EmbeddedEventStoreOptions extends SqlEventStoreOptions {
  /** A folder for the data ('memory://' keeps nothing); or a PGlite instance the caller owns. */
  dataDir?: string;
  pglite?: PGlite;
}

/** The same store over PGlite: real PostgreSQL in WebAssembly, file-backed, no server. */
export async function createEmbeddedEventStore(options: EmbeddedEventStoreOptions): Promise<EventStore> {
  const driver = await createPgliteDriver(options);
  try {
    return await createSqlEventStore(driver, options);
  } catch (error) {
    await driver.close();
    throw error;
  }
}
