/**
 * The table of idempotency keys: one row per (scope, key), inserted when the first request starts
 * (status null: in progress) and completed with the answer it got. The row's `created_at`, read
 * as text to keep its microseconds, identifies the attempt that owns it.
 */
import type { Knex } from 'knex';
import { quoteIdentifier, withMigrationLock, type Database } from '../../database/database';
import { deleteInBatches, type DeleteInBatchesOptions } from '../../database/deleteInBatches';
import { inCodeMigrations } from '../../projections/runtimeSchema';

const migrations: Record<string, (knex: Knex, schema: string) => Promise<void>> = {
  '0001_idempotency_keys': async (knex, schema) => {
    await knex.schema.withSchema(schema).createTable('idempotency_keys', (t) => {
      t.text('scope').notNullable();
      t.text('key').notNullable();
      t.text('request_hash').notNullable();
      t.integer('status');
      t.jsonb('headers');
      t.jsonb('body');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('completed_at', { useTz: true });
      t.primary(['scope', 'key']);
      t.index(['created_at']);
    });
  },
};

/** Creates or upgrades the idempotency table; safe to call from many processes at once. */
export async function migrateIdempotencyTable(db: Database, schema: string): Promise<void> {
  await withMigrationLock(db, `idempotency:${schema}`, async () => {
    await db.knex.raw(`create schema if not exists ${quoteIdentifier(schema)}`);
    await db.knex.migrate.latest({ schemaName: schema, tableName: 'idempotency_migrations', migrationSource: inCodeMigrations(migrations, schema) });
  });
}

/** How long a key is remembered unless a route says otherwise. */
export const DEFAULT_IDEMPOTENCY_TTL_HOURS = 24;
/**
 * Removes keys older than the TTL, a batch a statement (housekeeping's work, see housekeeping.ts;
 * an expired key is ignored anyway); resolves with how many went.
 */
export function purgeExpiredIdempotencyKeys(db: Database, schema: string, ttlHours: number, options: DeleteInBatchesOptions = {}): Promise<number> {
  return deleteInBatches(db, `${quoteIdentifier(schema)}.idempotency_keys`, 'created_at < now() - make_interval(hours => ?)', [ttlHours], options);
}

export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  /** The body as it was sent (UTF-8 text); null when empty. */
  body: string | null;
}

export interface KeyRow {
  requestHash: string;
  /** Identifies the attempt that owns the row. */
  token: string;
  answer: StoredAnswer | undefined;
  /** Older than the TTL: as if it were not there. */
  expired: boolean;
  /** In progress for longer than any request runs: its process is presumed dead. */
  abandoned: boolean;
}

export interface IdempotencyTable {
  /** Inserts an in-progress row; the token of the new row, or undefined when the key is taken. */
  insert(scope: string, key: string, requestHash: string): Promise<string | undefined>;
  find(scope: string, key: string): Promise<KeyRow | undefined>;
  /** Stores the answer; false when the row no longer belongs to this attempt. */
  complete(scope: string, key: string, token: string, answer: StoredAnswer): Promise<boolean>;
  /** Deletes the row if it still belongs to this attempt (after a 5xx, or an expired or abandoned row). */
  remove(scope: string, key: string, token: string): Promise<void>;
}

export function idempotencyTable(db: Database, schema: string, limits: { ttlHours: number; abandonedAfterMs: number }): IdempotencyTable {
  const table = `${quoteIdentifier(schema)}.idempotency_keys`;
  const { knex } = db;
  return {
    async insert(scope, key, requestHash) {
      const result = await knex.raw(
        `insert into ${table} (scope, key, request_hash) values (?, ?, ?) on conflict (scope, key) do nothing returning created_at::text as token`,
        [scope, key, requestHash],
      );
      return (result.rows as Array<{ token: string }>)[0]?.token;
    },
    async find(scope, key) {
      const result = await knex.raw(
        `select request_hash, status, headers, body, created_at::text as token,
                created_at < now() - make_interval(hours => ?) as expired,
                status is null and created_at < now() - make_interval(secs => ?) as abandoned
           from ${table} where scope = ? and key = ?`,
        [limits.ttlHours, limits.abandonedAfterMs / 1000, scope, key],
      );
      const row = (result.rows as Array<{
        request_hash: string;
        status: number | null;
        headers: Record<string, string> | null;
        body: string | null;
        token: string;
        expired: boolean;
        abandoned: boolean;
      }>)[0];
      if (!row) return undefined;
      return {
        requestHash: row.request_hash,
        token: row.token,
        answer: row.status === null ? undefined : { status: row.status, headers: row.headers ?? {}, body: row.body },
        expired: row.expired,
        abandoned: row.abandoned,
      };
    },
    async complete(scope, key, token, answer) {
      const result = await knex.raw(
        `update ${table} set status = ?, headers = ?::jsonb, body = ?::jsonb, completed_at = now()
          where scope = ? and key = ? and created_at = ?::timestamptz
        returning 1 as completed`,
        [answer.status, JSON.stringify(answer.headers), answer.body === null ? null : JSON.stringify(answer.body), scope, key, token],
      );
      return (result.rows as unknown[]).length === 1;
    },
    async remove(scope, key, token) {
      await knex.raw(`delete from ${table} where scope = ? and key = ? and created_at = ?::timestamptz`, [scope, key, token]);
    },
  };
}
