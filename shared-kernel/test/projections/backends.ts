/**
 * What a projector runs on in the projection tests: an event store and a read-model database,
 * embedded (PGlite) or on the test PostgreSQL, and how to close them and drop what they made.
 */
import { randomBytes } from 'node:crypto';
import { requireServerUrl } from '../../../test/servers';
import { openDatabase, type Database } from '../../src/database/database';
import type { EventStore } from '../../src/eventStore/eventStore';
import { createEmbeddedEventStore, createPostgresEventStore } from '../../src/eventStore/postgresEventStore';

export interface ProjectionBackend {
  store: EventStore;
  db: Database;
  runtimeSchema: string;
  close(): Promise<void>;
}

/** One PGlite in memory for the store, another for the read models. */
export async function openEmbeddedBackend(): Promise<ProjectionBackend> {
  const store = await createEmbeddedEventStore({ dataDir: 'memory://' });
  const db = await openDatabase({ kind: 'pglite' });
  return { store, db, runtimeSchema: 'bdbazar', close: async () => (await store.close(), await db.close()) };
}

/**
 * The test PostgreSQL: the store and the runtime in schemas of their own (named by `suffix`, so
 * that backends opened with one suffix share them); `close()` drops them and every read-model
 * generation schema whose name starts with `readModelPrefix_`.
 */
export function postgresBackend(readModelPrefix: string, suffix = randomBytes(4).toString('hex')): () => Promise<ProjectionBackend> {
  return async () => {
    const url = requireServerUrl('postgres');
    const storeSchema = `es_${suffix}`;
    const runtimeSchema = `rt_${suffix}`;
    const store = await createPostgresEventStore({ connectionString: url, schema: storeSchema });
    const db = await openDatabase({ kind: 'postgres', connectionString: url });
    return {
      store,
      db,
      runtimeSchema,
      close: async () => {
        await store.close();
        const { rows } = await db.knex.raw<{ rows: Array<{ schema_name: string }> }>(
          `select schema_name from information_schema.schemata where schema_name like ? or schema_name in (?, ?)`,
          [`${readModelPrefix}\\_%`, runtimeSchema, storeSchema],
        );
        for (const { schema_name } of rows) await db.knex.raw(`drop schema if exists "${schema_name}" cascade`);
        await db.close();
      },
    };
  };
}
