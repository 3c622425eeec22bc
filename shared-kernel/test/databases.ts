/**
 * A suite run once on each database kind: PGlite (in memory, the runtime schema) and, when the
 * server is there, PostgreSQL (a schema of the run's own, dropped afterwards).
 */
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../test/servers';
import { openDatabase, type Database } from '../src';

export interface TestDatabase {
  db: Database;
  schema: string;
  cleanup(): Promise<void>;
}

export function onEachDatabase(schemaPrefix: string, suite: (kind: string, open: () => Promise<TestDatabase>) => void): void {
  suite('PGlite', async () => {
    const db = await openDatabase({ kind: 'pglite' });
    return { db, schema: 'bdbazar', cleanup: () => db.close() };
  });

  describeWithServer('postgres', 'on PostgreSQL', () => {
    suite('PostgreSQL', async () => {
      const db = await openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres') });
      const schema = uniqueSchema(schemaPrefix);
      return {
        db,
        schema,
        cleanup: async () => {
          await db.knex.raw(`drop schema if exists ${schema} cascade`);
          await db.close();
        },
      };
    });
  });
}
