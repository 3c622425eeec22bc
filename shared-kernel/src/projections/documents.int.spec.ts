/**
 * Document projections write each batch with one upsert listing the table's columns: the columns
 * are read from the catalogue once per database, not once per batch (each batch runs in a
 * transaction of its own, with a knex client of its own).
 */
import { randomUUID } from 'node:crypto';
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../../test/servers';
import { openDatabase, type Database } from '../database/database';
import type { RecordedEvent } from '../eventStore/eventStore';
import { applyDocumentProjection, type DocumentProjection } from './documents';

const counters: DocumentProjection = {
  table: 'counters',
  key: 'name',
  keyOf: (event) => (event.data as { name: string }).name,
  evolve: (row, event) => ({ name: (event.data as { name: string }).name, hits: Number(row?.['hits'] ?? 0) + 1, last_event: event.id }),
};

function hit(name: string, revision: number): RecordedEvent {
  return {
    id: randomUUID(),
    type: 'Hit',
    data: { name },
    metadata: {},
    streamId: `counter-${name}`,
    revision,
    position: `${String(revision).padStart(20, '0')}/${String(revision).padStart(20, '0')}`,
    createdAt: new Date(),
  } as RecordedEvent;
}

function documentsSuite(open: () => Promise<Database>): void {
  const schema = uniqueSchema('docs');
  let db: Database;
  const catalogueReads: string[] = [];

  beforeAll(async () => {
    db = await open();
    await db.knex.raw(`create schema ${schema}`);
    await db.knex.raw(`create table ${schema}.counters (name text primary key, hits int not null, last_event uuid not null)`);
    db.knex.on('query', (query: { sql: string }) => {
      if (query.sql.includes('information_schema')) catalogueReads.push(query.sql);
    });
  });
  afterAll(async () => {
    await db.knex.raw(`drop schema ${schema} cascade`);
    await db.close();
  });

  it('reads the table columns once over many batches, and every batch lands', async () => {
    for (let batch = 0; batch < 5; batch++) {
      await db.knex.transaction((trx) => applyDocumentProjection(trx, schema, counters, [hit('a', batch * 2), hit('b', batch * 2 + 1), hit('a', batch * 2 + 1)]));
    }
    const rows = await db.knex(`${schema}.counters`).orderBy('name');
    expect(rows.map((row: { name: string; hits: number }) => [row.name, row.hits])).toEqual([
      ['a', 10],
      ['b', 5],
    ]);
    expect(catalogueReads).toHaveLength(1);
  });
}

describe('document projections on PGlite', () => documentsSuite(() => openDatabase({ kind: 'pglite' })));
describeWithServer('postgres', 'document projections on PostgreSQL', () =>
  documentsSuite(() => openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres'), poolSize: 2 })),
);
