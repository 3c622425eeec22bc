import type { Knex } from 'knex';
import type { Database } from './database';

/** Rows a statement unless told otherwise. */
const DEFAULT_BATCH_SIZE = 5_000;

export interface DeleteInBatchesOptions {
  /** Rows a statement. Default 5,000. */
  batchSize?: number;
  /** Asked between statements: true stops after the current one. */
  stopped?: () => boolean;
}

/**
 * Housekeeping's delete: the rows of `table` (a quoted, schema-qualified name built by the caller)
 * that `where` picks (an SQL condition with `?` bindings), `batchSize` a statement, so that each
 * statement's locks and WAL stay small and other writers go on between them, until a statement
 * deletes fewer or `stopped()` says so. Resolves with how many rows went.
 */
export async function deleteInBatches(db: Database, table: string, where: string, bindings: readonly Knex.RawBinding[], options: DeleteInBatchesOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}.`);
  let deleted = 0;
  for (;;) {
    // node-postgres reports rowCount, PGlite affectedRows
    const result = (await db.knex.raw(`delete from ${table} where ctid = any(array(select ctid from ${table} where ${where} limit ?))`, [...bindings, batchSize])) as {
      rowCount?: number | null;
      affectedRows?: number;
    };
    const count = result.rowCount ?? result.affectedRows ?? 0;
    deleted += count;
    if (count < batchSize || options.stopped?.()) return deleted;
  }
}
