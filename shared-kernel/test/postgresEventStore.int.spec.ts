import { Pool } from 'pg';
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../test/servers';
import { createPostgresEventStore } from '../src/eventStore';
import { eventStoreContract } from './eventStoreContract';

describeWithServer('postgres', 'PostgreSQL adapter', () => {
  const schemas: string[] = [];

  afterAll(async () => {
    const pool = new Pool({ connectionString: requireServerUrl('postgres') });
    for (const schema of schemas) await pool.query(`drop schema if exists ${schema} cascade`);
    await pool.end();
  });

  eventStoreContract({
    name: 'PostgreSQL',
    capabilities: { detectsConflictingRetries: true },
    open: () => {
      const schema = uniqueSchema('es_contract');
      schemas.push(schema);
      return createPostgresEventStore({ connectionString: requireServerUrl('postgres'), schema, poolConfig: { max: 60 } });
    },
  });
});
