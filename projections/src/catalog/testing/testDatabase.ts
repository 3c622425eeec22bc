/**
 * A database of its own for a test file on the PostgreSQL server the integration tests use: the
 * catalogue's schemas have fixed names (`catalog`, `catalog_g1`, ...), so two files sharing one
 * database would see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase } from '@bdbazar/shared-kernel';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(serverUrl: string, prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = await openDatabase({ kind: 'postgres', connectionString: serverUrl, poolSize: 1 });
  try {
    await admin.knex.raw(`create database "${name}"`);
  } finally {
    await admin.close();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = await openDatabase({ kind: 'postgres', connectionString: serverUrl, poolSize: 1 });
      try {
        await again.knex.raw(`drop database if exists "${name}" with (force)`);
      } finally {
        await again.close();
      }
    },
  };
}
