/**
 * Document projections: one row per key, computed by a pure `evolve(row, event)`. A batch loads
 * every row it touches in one query, folds the events over them in memory, and writes them back
 * with one multi-row upsert and one delete, which is what makes replays fast.
 */
import type { Knex } from 'knex';
import type { RecordedEvent } from '../eventStore/eventStore';
import { quoteIdentifier } from '../database/database';
import type { ProjectionBatch } from './projector';

export type DocumentRow = Record<string, unknown>;

export interface DocumentProjection<Row extends DocumentRow = DocumentRow> {
  table: string;
  /** The primary-key column. */
  key: string;
  /** The key of the row an event changes; null when it changes none. */
  keyOf(event: RecordedEvent): string | null;
  /** The row after the event; null deletes it. Pure: no I/O, no clock. */
  evolve(row: Row | null, event: RecordedEvent): Row | null;
}

/** Applies several document projections, in order, to one batch. */
export function applyDocuments(...projections: DocumentProjection[]): (batch: ProjectionBatch) => Promise<void> {
  return async ({ trx, schema, events }) => {
    for (const projection of projections) await applyDocumentProjection(trx, schema, projection, events);
  };
}

export async function applyDocumentProjection(trx: Knex.Transaction, schema: string, projection: DocumentProjection, events: RecordedEvent[]): Promise<void> {
  const touched: Array<[string, RecordedEvent]> = [];
  for (const event of events) {
    const key = projection.keyOf(event);
    if (key !== null) touched.push([key, event]);
  }
  if (touched.length === 0) return;

  const table = `${quoteIdentifier(schema)}.${quoteIdentifier(projection.table)}`;
  const keyColumn = quoteIdentifier(projection.key);
  const keys = [...new Set(touched.map(([key]) => key))];
  const loaded = await trx.raw<{ rows: DocumentRow[] }>(`select * from ${table} where ${keyColumn} = any(?)`, [keys]);
  const rows = new Map<string, DocumentRow | null>();
  for (const row of loaded.rows) rows.set(String(row[projection.key]), row);

  for (const [key, event] of touched) rows.set(key, projection.evolve(rows.get(key) ?? null, event));

  const upserts: DocumentRow[] = [];
  const deletes: string[] = [];
  for (const [key, row] of rows) {
    if (row === null) deletes.push(key);
    else upserts.push({ ...row, [projection.key]: row[projection.key] ?? key });
  }
  if (upserts.length > 0) {
    const columns = await columnsOf(trx, schema, projection.table);
    const assignments = columns.filter((c) => c !== projection.key).map((c) => `${quoteIdentifier(c)} = excluded.${quoteIdentifier(c)}`);
    await trx.raw(
      `insert into ${table} select * from json_populate_recordset(null::${table}, ?::json)
       on conflict (${keyColumn}) do ${assignments.length > 0 ? `update set ${assignments.join(', ')}` : 'nothing'}`,
      [JSON.stringify(upserts)],
    );
  }
  if (deletes.length > 0) await trx.raw(`delete from ${table} where ${keyColumn} = any(?)`, [deletes]);
}

const columnCache = new WeakMap<object, Map<string, string[]>>();

/**
 * A table's columns, asked once per database (tables of a generation do not change shape). Each
 * transaction has a client of its own, so the cache is keyed by the configuration its knex
 * instance's clients share: keyed by the transaction's client, it asked on every batch.
 */
async function columnsOf(trx: Knex.Transaction, schema: string, table: string): Promise<string[]> {
  const owner = (trx.client as { config?: object }).config ?? (trx.client as object);
  const cache = columnCache.get(owner) ?? new Map<string, string[]>();
  columnCache.set(owner, cache);
  const name = `${schema}.${table}`;
  const known = cache.get(name);
  if (known) return known;
  const result = await trx.raw<{ rows: Array<{ column_name: string }> }>(
    `select column_name from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position`,
    [schema, table],
  );
  const columns = result.rows.map((r) => r.column_name);
  if (columns.length === 0) throw new Error(`Table ${name} does not exist; is it created by a migration of the projector?`);
  cache.set(name, columns);
  return columns;
}
