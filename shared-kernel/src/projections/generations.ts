/**
 * Generations of a projector's read model. Each generation has its own schema
 * (`<name>_g<n>`), its own migrations and its own checkpoint; readers see the live one through
 * views in the schema `<name>`, re-pointed in one transaction when a rebuilt generation takes over.
 */
import type { Knex } from 'knex';
import { quoteIdentifier, withMigrationLock, type Database } from '../database/database';
import type { Position } from '../eventStore/eventStore';
import type { ProjectorDefinition } from './projector';
import { inCodeMigrations } from './runtimeSchema';

export function generationSchema(projector: string, generation: number): string {
  return `${projector}_g${generation}`;
}

export interface GenerationsRow {
  projector: string;
  live_generation: number;
  building_generation: number | null;
  switched_at: Date | null;
}

export interface CheckpointRow {
  projector: string;
  generation: number;
  version: number;
  position: Position | null;
  events_applied: string | number;
  state: string;
  error: Record<string, unknown> | null;
  updated_at: Date;
}

export function runtimeTables(runtimeSchema: string) {
  return {
    generations: `${runtimeSchema}.projector_generations`,
    checkpoints: `${runtimeSchema}.projector_checkpoints`,
    outboxCheckpoints: `${runtimeSchema}.outbox_checkpoints`,
    outbox: `${runtimeSchema}.outbox`,
  };
}

export async function loadGenerations(knex: Knex, runtimeSchema: string, projector: string): Promise<GenerationsRow | undefined> {
  return knex<GenerationsRow>(runtimeTables(runtimeSchema).generations).where({ projector }).first();
}

export async function loadCheckpoint(knex: Knex, runtimeSchema: string, projector: string, generation: number): Promise<CheckpointRow | undefined> {
  return knex<CheckpointRow>(runtimeTables(runtimeSchema).checkpoints).where({ projector, generation }).first();
}

/** Creates (or finishes creating) a generation's schema, tables and checkpoint; safe to repeat. */
export async function prepareGeneration(db: Database, runtimeSchema: string, definition: ProjectorDefinition, generation: number): Promise<void> {
  const schema = generationSchema(definition.name, generation);
  await withMigrationLock(db, schema, async () => {
    await db.knex.raw(`create schema if not exists ${quoteIdentifier(schema)}`);
    await db.knex.migrate.latest({ schemaName: schema, tableName: 'projector_migrations', migrationSource: inCodeMigrations(definition.migrations, schema) });
  });
  await db
    .knex(runtimeTables(runtimeSchema).checkpoints)
    .insert({ projector: definition.name, generation, version: definition.version, position: null, state: 'idle' })
    .onConflict(['projector', 'generation'])
    .ignore();
}

export async function buildIndexes(db: Database, definition: ProjectorDefinition, generation: number): Promise<void> {
  if (definition.indexes) await definition.indexes(db.knex, generationSchema(definition.name, generation));
}

/** Registers a generation to rebuild into (or returns the one already registered). */
export async function startBuildingGeneration(db: Database, runtimeSchema: string, projector: string): Promise<number> {
  return db.knex.transaction(async (trx) => {
    const row = await trx<GenerationsRow>(runtimeTables(runtimeSchema).generations).where({ projector }).forUpdate().first();
    if (!row) throw new Error(`Projector '${projector}' has never run here: there is nothing to rebuild yet. Start it first.`);
    if (row.building_generation !== null) return row.building_generation;
    const highest = await trx(runtimeTables(runtimeSchema).checkpoints).where({ projector }).max<{ max: number | null }[]>('generation as max');
    const next = Math.max(row.live_generation, Number(highest[0]?.max ?? 0)) + 1;
    await trx(runtimeTables(runtimeSchema).generations).where({ projector }).update({ building_generation: next });
    return next;
  });
}

/** Makes a generation the one readers see: registry and views in one transaction. */
export async function switchToGeneration(db: Database, runtimeSchema: string, projector: string, generation: number): Promise<void> {
  const schema = generationSchema(projector, generation);
  await db.knex.transaction(async (trx) => {
    const tables = runtimeTables(runtimeSchema);
    const existing = await trx<GenerationsRow>(tables.generations).where({ projector }).forUpdate().first();
    if (existing) {
      await trx(tables.generations)
        .where({ projector })
        .update({ live_generation: generation, building_generation: existing.building_generation === generation ? null : existing.building_generation, switched_at: trx.fn.now() });
    } else {
      await trx(tables.generations).insert({ projector, live_generation: generation, building_generation: null, switched_at: trx.fn.now() });
    }
    await trx.raw(`create schema if not exists ${quoteIdentifier(projector)}`);
    const views = await trx.raw<{ rows: Array<{ table_name: string }> }>(`select table_name from information_schema.views where table_schema = ?`, [projector]);
    for (const { table_name } of views.rows) await trx.raw(`drop view ${quoteIdentifier(projector)}.${quoteIdentifier(table_name)}`);
    const generated = await trx.raw<{ rows: Array<{ table_name: string }> }>(
      `select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' and table_name not like 'projector_migrations%'`,
      [schema],
    );
    for (const { table_name } of generated.rows) {
      await trx.raw(`create view ${quoteIdentifier(projector)}.${quoteIdentifier(table_name)} as select * from ${quoteIdentifier(schema)}.${quoteIdentifier(table_name)}`);
    }
  });
}

/** Drops the generations readers no longer see (and are not being built). Returns the ones dropped. */
export async function dropOldGenerations(db: Database, runtimeSchema: string, projector: string): Promise<number[]> {
  const row = await loadGenerations(db.knex, runtimeSchema, projector);
  if (!row) return [];
  const tables = runtimeTables(runtimeSchema);
  const generations = (await db.knex<CheckpointRow>(tables.checkpoints).where({ projector }).select('generation')).map((r) => Number(r.generation));
  const old = generations.filter((g) => g !== row.live_generation && g !== row.building_generation);
  for (const generation of old) {
    await db.knex.transaction(async (trx) => {
      await trx.raw(`drop schema if exists ${quoteIdentifier(generationSchema(projector, generation))} cascade`);
      await trx(tables.checkpoints).where({ projector, generation }).delete();
    });
  }
  return old;
}
