/**
 * A read-model database: PostgreSQL through a pool, or PGlite in-process, behind one knex
 * instance. With PGlite, knex holds its single connection for a whole transaction, so every
 * user of the database must go through this one knex instance (and the event store keeps its
 * own PGlite instance, so that no transaction of one interleaves with the other).
 */
import { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import { types as pgTypes } from 'pg';
import ClientPgLite from 'knex-pglite';

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  knex: Knex;
  kind: DatabaseKind;
  /** Whether other processes may share this database (then locks must be taken in the server). */
  readonly shared: boolean;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: 'postgres'; connectionString: string; poolSize?: number }
  | { kind: 'pglite'; dataDir?: string; pglite?: PGlite };

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.kind === 'postgres') {
    const knex = knexFactory({
      client: 'pg',
      connection: { connectionString: options.connectionString, types: { getTypeParser: typeParser } } as Knex.PgConnectionConfig,
      pool: { min: 0, max: options.poolSize ?? 10 },
    });
    await knex.raw('select 1');
    return { knex, kind: 'postgres', shared: true, close: () => knex.destroy() };
  }
  const owned = !options.pglite;
  const pglite = options.pglite ?? new PGlite(options.dataDir ?? 'memory://');
  await pglite.waitReady;
  const knex = knexFactory({ client: ClientPgLite as unknown as typeof knexFactory.Client, connection: { pglite } as never });
  return {
    knex,
    kind: 'pglite',
    shared: false,
    close: async () => {
      await knex.destroy();
      if (owned && !pglite.closed) await pglite.close();
    },
  };
}

const INT8 = 20;

/**
 * bigint columns (money in poisha, counts) come back as numbers, as PGlite returns them, so that
 * the read side sees one type whichever database it runs on. Set per connection, not globally.
 */
const typeParser = ((oid: number, format?: 'text' | 'binary') => {
  if (oid === INT8 && format !== 'binary') {
    return (value: string) => {
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new RangeError(`A bigint value ${value} is beyond what JavaScript numbers hold exactly.`);
      return n;
    };
  }
  return pgTypes.getTypeParser(oid, format);
}) as typeof pgTypes.getTypeParser;

/** Quotes an SQL identifier (schema or table name) that we build from configuration. */
export function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`'${name}' is not a valid lower-case SQL identifier (a-z, 0-9, _; at most 63 characters).`);
  }
  return `"${name}"`;
}

/**
 * Runs schema changes under a lock, so that processes starting together do not race to create
 * the same tables. On PostgreSQL a transaction holds an advisory lock while `migrate` works on
 * other connections; PGlite belongs to one process and needs none (its one connection would
 * deadlock against itself).
 */
export async function withMigrationLock<T>(db: Database, key: string, migrate: () => Promise<T>): Promise<T> {
  if (!db.shared) return migrate();
  const lock = await db.knex.transaction();
  try {
    await lock.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`bdbazar.migrate.${key}`]);
    return await migrate();
  } finally {
    await lock.commit();
  }
}
