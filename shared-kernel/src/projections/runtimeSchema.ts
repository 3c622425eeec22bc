/**
 * The tables the projector runtime and the messaging kit keep in a read-model database, created by
 * knex migrations in their own schema (default `bdbazar`):
 *
 * - `projector_generations`: per projector, the generation the readers see (its tables live in the
 *   schema `<projector>_g<generation>`) and the one being rebuilt, if any;
 * - `projector_checkpoints`: per projector generation, the position of the last applied event,
 *   moved in the same transaction as the read model, and the projector's state and last error;
 * - `outbox_checkpoints`: per projector, the last event whose integration events were written,
 *   shared by all its generations so that a rebuild never publishes an event twice, and the position
 *   it held before its last move (the one statement that moves it tells its writer what it passed);
 * - `outbox`: integration events waiting for the relay; a row leaves only once the broker confirmed it;
 * - `inbox`: per consumer, the message ids already handled, so that a redelivery is a no-op, kept
 *   for the consumer's retention (see messaging/consumer.ts).
 */
import type { Knex } from 'knex';
import { quoteIdentifier, withMigrationLock, type Database } from '../database/database';

export const DEFAULT_RUNTIME_SCHEMA = 'bdbazar';

const migrations: Record<string, (knex: Knex, schema: string) => Promise<void>> = {
  '0001_projector_runtime': async (knex, schema) => {
    await knex.schema.withSchema(schema).createTable('projector_generations', (t) => {
      t.text('projector').primary();
      t.integer('live_generation').notNullable();
      t.integer('building_generation');
      t.timestamp('switched_at', { useTz: true });
    });
    await knex.schema.withSchema(schema).createTable('projector_checkpoints', (t) => {
      t.text('projector').notNullable();
      t.integer('generation').notNullable();
      t.integer('version').notNullable();
      t.text('position');
      t.bigInteger('events_applied').notNullable().defaultTo(0);
      t.text('state').notNullable().defaultTo('idle');
      t.jsonb('error');
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.primary(['projector', 'generation']);
    });
    await knex.schema.withSchema(schema).createTable('outbox_checkpoints', (t) => {
      t.text('projector').primary();
      t.text('position');
    });
    await knex.schema.withSchema(schema).createTable('outbox', (t) => {
      t.bigIncrements('id');
      t.uuid('message_id').notNullable().unique();
      t.text('routing_key').notNullable();
      t.jsonb('payload').notNullable();
      t.jsonb('headers').notNullable().defaultTo('{}');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.integer('attempts').notNullable().defaultTo(0);
      t.text('last_error');
    });
    await knex.schema.withSchema(schema).createTable('inbox', (t) => {
      t.text('consumer').notNullable();
      t.uuid('message_id').notNullable();
      t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.primary(['consumer', 'message_id']);
    });
  },
  '0002_outbox_checkpoint_previous_position': async (knex, schema) => {
    await knex.schema.withSchema(schema).alterTable('outbox_checkpoints', (t) => {
      t.text('previous_position');
    });
  },
  // A republished message goes to one consumer's queue only (null: to every queue bound to it).
  '0003_outbox_destination': async (knex, schema) => {
    await knex.schema.withSchema(schema).alterTable('outbox', (t) => {
      t.text('destination');
    });
  },
  // Moves with every batch that may change what readers see (see ProjectionBatchOutcome): what
  // cached answers are kept against, rather than the position, which every applied event moves.
  '0004_checkpoint_content_version': async (knex, schema) => {
    await knex.schema.withSchema(schema).alterTable('projector_checkpoints', (t) => {
      t.bigInteger('content_version').notNullable().defaultTo(0);
    });
  },
  // What a consumer's pruning finds its old records by: records arrive in time order, so a BRIN
  // index (a few pages for millions of rows, next to nothing to maintain) narrows the search to
  // the oldest blocks, where a B-tree would cost every insert.
  '0005_inbox_processed_at': async (knex, schema) => {
    await knex.raw(`create index inbox_processed_at on ${quoteIdentifier(schema)}.inbox using brin (processed_at)`);
  },
};

/** Creates or upgrades the runtime tables; safe to call from many processes at once. */
export async function migrateRuntimeSchema(db: Database, schema = DEFAULT_RUNTIME_SCHEMA): Promise<void> {
  await withMigrationLock(db, `runtime:${schema}`, async () => {
    await db.knex.raw(`create schema if not exists ${quoteIdentifier(schema)}`);
    await db.knex.migrate.latest({
      schemaName: schema,
      tableName: 'runtime_migrations',
      migrationSource: inCodeMigrations(migrations, schema),
    });
  });
}

/** A knex migration source over migrations written in code (no migration files to ship). */
export function inCodeMigrations(
  list: Record<string, (knex: Knex, schema: string) => Promise<void>>,
  schema: string,
): Knex.MigrationSource<string> {
  return {
    getMigrations: async () => Object.keys(list).sort(),
    getMigrationName: (name) => name,
    getMigration: async (name) => ({
      up: (knex: Knex) => list[name]!(knex, schema),
      down: async () => {
        throw new Error(`Migration ${name} cannot be undone; rebuild the read model instead.`);
      },
    }),
  };
}
