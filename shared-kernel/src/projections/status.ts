/** What a status endpoint, the CLI and logs say about a projector: generations, checkpoints, lag. */
import type { Database } from '../database/database';
import type { EventStore, Position } from '../eventStore/eventStore';
import { loadGenerations, runtimeTables, type CheckpointRow } from './generations';
import type { ProjectorDefinition } from './projector';

export interface GenerationStatus {
  generation: number;
  version: number;
  role: 'live' | 'building' | 'old';
  state: string;
  position: Position | null;
  eventsApplied: number;
  /** Events after the checkpoint (null where the store cannot count). */
  eventsBehind: number | null;
  /** How long ago the oldest event not yet applied was recorded; 0 when none waits. */
  secondsBehind: number;
  error: Record<string, unknown> | null;
  updatedAt: Date;
}

export interface ProjectorStatus {
  projector: string;
  codeVersion: number;
  liveGeneration: number | null;
  buildingGeneration: number | null;
  generations: GenerationStatus[];
}

export async function projectorStatus(options: { db: Database; store: EventStore; runtimeSchema: string; definition: ProjectorDefinition; now?: Date }): Promise<ProjectorStatus> {
  const { db, store, runtimeSchema, definition } = options;
  const now = options.now ?? new Date();
  const tables = runtimeTables(runtimeSchema);
  const exists = await db.knex.raw<{ rows: Array<{ t: string | null }> }>('select to_regclass(?)::text as t', [tables.checkpoints]);
  if (!exists.rows[0]?.t) {
    // No projector has run against this database yet.
    return { projector: definition.name, codeVersion: definition.version, liveGeneration: null, buildingGeneration: null, generations: [] };
  }
  const registry = await loadGenerations(db.knex, runtimeSchema, definition.name);
  const rows = await db.knex<CheckpointRow>(tables.checkpoints).where({ projector: definition.name }).orderBy('generation');
  const generations = await Promise.all(
    rows.map(async (row): Promise<GenerationStatus> => {
      const position = row.position;
      const eventsBehind = store.countEvents ? await store.countEvents({ after: position ?? undefined, filter: definition.filter }) : null;
      let secondsBehind = 0;
      if (eventsBehind !== 0) {
        const next = (await store.readAll({ fromPosition: position ?? 'start', maxCount: 2, filter: definition.filter })).find((e) => position === null || e.position > position);
        if (next) secondsBehind = Math.max(0, (now.getTime() - next.createdAt.getTime()) / 1000);
      }
      const generation = Number(row.generation);
      return {
        generation,
        version: Number(row.version),
        role: generation === registry?.live_generation ? 'live' : generation === registry?.building_generation ? 'building' : 'old',
        state: row.state,
        position,
        eventsApplied: Number(row.events_applied),
        eventsBehind,
        secondsBehind,
        error: row.error,
        updatedAt: row.updated_at,
      };
    }),
  );
  return {
    projector: definition.name,
    codeVersion: definition.version,
    liveGeneration: registry?.live_generation ?? null,
    buildingGeneration: registry?.building_generation ?? null,
    generations,
  };
}
