/**
 * Rate-limit buckets in the database, shared by every process that uses it: the HTTP workers of
 * one marketplace (BDBAZAR_HTTP_WORKERS), the replicas of a service. With the in-memory store each
 * process keeps its own count and the real limit is `limit` times the number of processes; here it
 * is `limit`.
 *
 * The same token bucket as the in-memory store, in the same integer units (one token is
 * `windowMs` units, a full bucket `limit * windowMs`, each millisecond refills `limit`), taken in
 * one statement: an upsert of the key's row, atomic per key however many processes take at once.
 * A refused take spends nothing. A row whose bucket is full again is forgotten by a sweep that runs
 * every `sweepEvery` takes (its key would start full anyway).
 */
import type { Knex } from 'knex';
import { quoteIdentifier, withMigrationLock, type Database } from '../database/database';
import { DEFAULT_RUNTIME_SCHEMA, inCodeMigrations } from '../projections/runtimeSchema';
import { decisionOf, type RateLimitDecision, type RateLimitRule, type RateLimitStore } from './rateLimiter';

export interface DatabaseRateLimitStoreOptions {
  /** The schema of the `rate_limits` table (the runtime schema by default). */
  schema?: string;
  /** Takes between two sweeps of full buckets. Default 1,000. */
  sweepEvery?: number;
}

const migrations = {
  '0001_rate_limits': async (knex: Knex, schema: string) => {
    await knex.raw(
      `create table if not exists ${quoteIdentifier(schema)}.rate_limits (
         key text primary key,
         credit bigint not null,
         at_ms bigint not null,
         full_at_ms bigint not null,
         allowed boolean not null
       )`,
    );
    await knex.raw(`create index if not exists rate_limits_full_at on ${quoteIdentifier(schema)}.rate_limits (full_at_ms)`);
  },
};

export async function openDatabaseRateLimitStore(db: Database, options: DatabaseRateLimitStoreOptions = {}): Promise<RateLimitStore> {
  const schema = options.schema ?? DEFAULT_RUNTIME_SCHEMA;
  const sweepEvery = options.sweepEvery ?? 1_000;
  if (!Number.isInteger(sweepEvery) || sweepEvery < 1) throw new Error(`sweepEvery must be a whole number of at least 1, not ${sweepEvery}.`);
  await withMigrationLock(db, `rate-limits:${schema}`, async () => {
    await db.knex.raw(`create schema if not exists ${quoteIdentifier(schema)}`);
    await db.knex.migrate.latest({ schemaName: schema, tableName: 'rate_limit_migrations', migrationSource: inCodeMigrations(migrations, schema) });
  });
  const table = `${quoteIdentifier(schema)}.rate_limits`;
  // Named bindings, typed (an untyped parameter in arithmetic is ambiguous to PostgreSQL).
  const capacity = 'cast(:capacity as bigint)';
  const window = 'cast(:window as bigint)';
  const limit = 'cast(:limit as bigint)';
  const now = 'cast(:now as bigint)';
  // The credit a key's row holds now: what it had, refilled since, at most a full bucket.
  const available = `least(${capacity}, b.credit + greatest(0, ${now} - b.at_ms) * ${limit})`;
  const after = `case when ${available} >= ${window} then ${available} - ${window} else ${available} end`;
  // When the bucket is full again, from the credit it is left with.
  const fullAt = (credit: string) => `${now} + ceil(cast(${capacity} - ${credit} as numeric) / ${limit})`;
  const take = `
    insert into ${table} as b (key, credit, at_ms, full_at_ms, allowed)
    values (:key, ${capacity} - ${window}, ${now}, ${fullAt(`(${capacity} - ${window})`)}, true)
    on conflict (key) do update set credit = ${after}, full_at_ms = ${fullAt(after)}, allowed = ${available} >= ${window}, at_ms = ${now}
    returning credit, allowed`;
  let takes = 0;

  return {
    async take(key: string, rule: RateLimitRule, nowMs: number): Promise<RateLimitDecision> {
      const { limit } = rule;
      const windowMs = rule.windowSeconds * 1000;
      const bindings = { key, limit, window: windowMs, capacity: limit * windowMs, now: Math.floor(nowMs) };
      const result = await db.knex.raw<{ rows: Array<{ credit: string | number; allowed: boolean }> }>(take, bindings);
      const row = result.rows[0]!;
      if (++takes % sweepEvery === 0) await db.knex.raw(`delete from ${table} where full_at_ms <= ?`, [Math.floor(nowMs)]);
      return decisionOf(row.allowed, Number(row.credit), rule);
    },
    async reset(key: string): Promise<void> {
      await db.knex.raw(`delete from ${table} where key = ?`, [key]);
    },
  };
}
