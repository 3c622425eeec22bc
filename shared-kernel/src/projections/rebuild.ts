/**
 * Rebuild without downtime: replays every event into a new generation while the live one keeps
 * serving, builds the indexes after the bulk load, and switches readers over once it caught up.
 * A rebuild that is killed resumes from its own checkpoint when started again.
 */
import type { Database } from '../database/database';
import type { EventStore } from '../eventStore/eventStore';
import type { Logger } from '../logging';
import { startGenerationRun, type GenerationProgress } from './generationRun';
import { buildIndexes, loadCheckpoint, loadGenerations, prepareGeneration, startBuildingGeneration, switchToGeneration } from './generations';
import { acquireLease } from './lease';
import type { ProjectorDefinition } from './projector';
import { migrateRuntimeSchema } from './runtimeSchema';

export interface RebuildProgress extends GenerationProgress {
  /** Events to replay in all, counted at the start of this run (null where the store cannot count). */
  total: number | null;
  /** Events replayed by earlier, interrupted runs of this rebuild. */
  resumedAfter: number;
  ratePerSecond: number;
  secondsLeft: number | null;
}

export interface RebuildOptions {
  store: EventStore;
  db: Database;
  runtimeSchema: string;
  definition: ProjectorDefinition;
  logger: Logger;
  signal?: AbortSignal;
  onProgress?: (progress: RebuildProgress) => void;
  onStandby?: () => void;
  maxBatchSize?: number;
}

export async function rebuildProjector(options: RebuildOptions): Promise<GenerationProgress> {
  const { store, db, runtimeSchema, definition, logger } = options;
  await migrateRuntimeSchema(db, runtimeSchema);
  const lease = await acquireLease(db, `${runtimeSchema}.projector.${definition.name}.rebuild`, { signal: options.signal, onStandby: options.onStandby });
  if (!lease) return { projector: definition.name, generation: 0, mode: 'rebuild', state: 'stopped', position: null, eventsApplied: 0, lastEventAt: null, error: null };
  try {
    const generations = await loadGenerations(db.knex, runtimeSchema, definition.name);
    const generation = generations ? await startBuildingGeneration(db, runtimeSchema, definition.name) : 1;
    await prepareGeneration(db, runtimeSchema, definition, generation);
    const checkpoint = await loadCheckpoint(db.knex, runtimeSchema, definition.name, generation);
    const resumedAfter = Number(checkpoint?.events_applied ?? 0);
    const total = store.countEvents ? resumedAfter + (await store.countEvents({ after: checkpoint?.position ?? undefined, filter: definition.filter })) : null;
    logger.info({ projector: definition.name, generation, total, resumedAfter }, resumedAfter > 0 ? 'resuming the rebuild' : 'rebuilding');

    const started = performance.now();
    const run = await startGenerationRun({
      store,
      db,
      runtimeSchema,
      definition,
      generation,
      mode: 'rebuild',
      untilCaughtUp: true,
      maxBatchSize: options.maxBatchSize,
      logger,
      onProgress: (progress) => {
        const seconds = (performance.now() - started) / 1000;
        const ratePerSecond = seconds > 0 ? progress.eventsApplied / seconds : 0;
        const left = total === null ? null : Math.max(0, total - resumedAfter - progress.eventsApplied);
        options.onProgress?.({ ...progress, total, resumedAfter, ratePerSecond, secondsLeft: left === null || ratePerSecond === 0 ? null : left / ratePerSecond });
      },
    });
    const stop = (): void => void run.stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    const outcome = await run.done.finally(() => options.signal?.removeEventListener('abort', stop));
    if (outcome.state !== 'caught_up') return outcome;

    await buildIndexes(db, definition, generation);
    await switchToGeneration(db, runtimeSchema, definition.name, generation);
    logger.info({ projector: definition.name, generation, previous: generations?.live_generation ?? null }, 'rebuilt generation is live');
    return outcome;
  } finally {
    await lease.release();
  }
}
