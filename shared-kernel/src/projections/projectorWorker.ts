/**
 * Keeps one projector running: takes its lease (or stands by), creates its first generation,
 * rebuilds a new generation when the code's version moved on (the old one serves meanwhile),
 * follows a switch-over made by a rebuild elsewhere, and restarts after infrastructure failures.
 * A projector that fails on an event stops with a report and stays stopped; others go on.
 */
import type { Database } from '../database/database';
import type { EventStore } from '../eventStore/eventStore';
import type { Logger } from '../logging';
import { startGenerationRun, type GenerationProgress, type GenerationRun } from './generationRun';
import { buildIndexes, loadCheckpoint, loadGenerations, prepareGeneration, switchToGeneration } from './generations';
import { abortableSleep, acquireLease, type Lease } from './lease';
import type { ProjectorDefinition } from './projector';
import { rebuildProjector } from './rebuild';
import { migrateRuntimeSchema } from './runtimeSchema';

export type WorkerState = 'starting' | 'standby' | 'rebuilding' | 'running' | 'failed' | 'stopped';

export interface ProjectorWorkerOptions {
  store: EventStore;
  db: Database;
  runtimeSchema: string;
  definition: ProjectorDefinition;
  logger: Logger;
  onOutboxWritten?: () => void;
  /** How often a standby tries for the lease, and the running worker looks for a switch-over. */
  checkIntervalMs?: number;
  maxBatchSize?: number;
  maxBatchDelayMs?: number;
  /** How often, at most, the live run writes a checkpoint that only moves past filtered-out events. */
  checkpointOnlyIntervalMs?: number;
  /** Called after every committed batch (and state change) of the run in progress. */
  onProgress?: (progress: GenerationProgress) => void;
}

export interface ProjectorWorker {
  readonly name: string;
  state(): WorkerState;
  /** The run in progress (live or rebuilding), if any. */
  progress(): GenerationProgress | null;
  stop(): Promise<void>;
  /** Settles when the worker has stopped for good (stop() or a failed event). */
  readonly done: Promise<WorkerState>;
}

export function startProjectorWorker(options: ProjectorWorkerOptions): ProjectorWorker {
  const { store, db, runtimeSchema, definition, logger } = options;
  const checkIntervalMs = options.checkIntervalMs ?? 1000;
  const abort = new AbortController();
  const log = logger.child({ projector: definition.name });
  let state: WorkerState = 'starting';
  let run: GenerationRun | null = null;
  let lastProgress: GenerationProgress | null = null;
  let lease: Lease | null = null;

  const sleep = (ms: number): Promise<void> => abortableSleep(ms, abort.signal);

  /** Runs the live generation until it stops, fails, or another generation becomes live. */
  const runLive = async (generation: number): Promise<GenerationProgress> => {
    run = await startGenerationRun({
      store,
      db,
      runtimeSchema,
      definition,
      generation,
      mode: 'live',
      maxBatchSize: options.maxBatchSize,
      maxBatchDelayMs: options.maxBatchDelayMs,
      checkpointOnlyIntervalMs: options.checkpointOnlyIntervalMs,
      onOutboxWritten: options.onOutboxWritten,
      onProgress: (p) => {
        lastProgress = p;
        options.onProgress?.(p);
      },
      logger: log,
    });
    const current = run;
    // stop() came while the run was starting: it found no run to stop, so this one stops itself.
    if (abort.signal.aborted) void current.stop();
    const watch = (async () => {
      while (!abort.signal.aborted) {
        const outcome = await Promise.race([current.done, sleep(checkIntervalMs).then(() => null)]);
        if (outcome) return;
        const row = await loadGenerations(db.knex, runtimeSchema, definition.name).catch(() => undefined);
        if (row && row.live_generation !== generation) {
          log.info({ from: generation, to: row.live_generation }, 'a rebuilt generation went live; following it');
          await current.stop();
          return;
        }
      }
    })();
    const outcome = await current.done;
    await watch;
    return outcome;
  };

  const main = async (): Promise<WorkerState> => {
    await migrateRuntimeSchema(db, runtimeSchema);
    lease = await acquireLease(db, `${runtimeSchema}.projector.${definition.name}`, {
      retryMs: checkIntervalMs,
      signal: abort.signal,
      onStandby: () => {
        state = 'standby';
        log.info('another instance runs this projector; standing by');
      },
    });
    if (!lease) return 'stopped';
    void lease.lost.then((error) => {
      if (error && !abort.signal.aborted) {
        log.error({ err: error }, 'lost the projector lease; stopping');
        abort.abort();
        void run?.stop();
      }
    });

    let failures = 0;
    while (!abort.signal.aborted) {
      let generations = await loadGenerations(db.knex, runtimeSchema, definition.name);
      if (!generations) {
        await prepareGeneration(db, runtimeSchema, definition, 1);
        await buildIndexes(db, definition, 1);
        await switchToGeneration(db, runtimeSchema, definition.name, 1);
        generations = await loadGenerations(db.knex, runtimeSchema, definition.name);
      }
      const live = generations!.live_generation;
      const checkpoint = await loadCheckpoint(db.knex, runtimeSchema, definition.name, live);
      if (checkpoint && checkpoint.version !== definition.version) {
        state = 'rebuilding';
        log.info({ liveVersion: checkpoint.version, codeVersion: definition.version }, 'the read model is older than the code: rebuilding a new generation while the old one serves');
        const outcome = await rebuildProjector({ store, db, runtimeSchema, definition, logger: log, signal: abort.signal, onProgress: (p) => (lastProgress = p) });
        if (outcome.state === 'failed') return 'failed';
        continue;
      }
      state = 'running';
      const outcome = await runLive(live);
      if (outcome.state === 'failed') {
        if (outcome.error?.eventId) return 'failed';
        // Not an event's fault (the database or the store went away): try again, backing off.
        failures++;
        const delay = Math.min(30_000, 250 * 2 ** failures);
        log.warn({ error: outcome.error, delay }, 'projector run failed; restarting');
        await sleep(delay);
        continue;
      }
      failures = 0;
    }
    return 'stopped';
  };

  const done = main()
    .catch((error: unknown) => {
      log.error({ err: error }, 'projector worker crashed');
      return 'failed' as const;
    })
    .then(async (final) => {
      state = final;
      await lease?.release().catch(() => undefined);
      return final;
    });

  return {
    name: definition.name,
    state: () => state,
    progress: () => run?.progress() ?? lastProgress,
    stop: async () => {
      abort.abort();
      await run?.stop();
      await done;
    },
    done,
  };
}
