/**
 * `npm run projections -- <command>`: what operators do with projectors.
 *   status [name]      generations, checkpoints, state and lag of every (or one) projector
 *   rebuild <name>     replays into a new generation while the live one serves, then switches over;
 *                      shows events done, rate and time left; a killed rebuild resumes where it was
 *   drop-old <name>    drops the generations readers no longer see
 */
import type { Database } from '../database/database';
import type { EventStore } from '../eventStore/eventStore';
import type { Logger } from '../logging';
import { dropOldGenerations } from './generations';
import type { ProjectorDefinition } from './projector';
import { rebuildProjector, type RebuildProgress } from './rebuild';
import { projectorStatus } from './status';

export interface ProjectionsCliDependencies {
  definitions: ProjectorDefinition[];
  open(): Promise<{ store: EventStore; db: Database; close(): Promise<void> }>;
  runtimeSchema: string;
  logger: Logger;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** How often the rebuild prints its progress. */
  progressEveryMs?: number;
  /** Events per rebuild batch (default: the runtime's). */
  maxBatchSize?: number;
  signal?: AbortSignal;
}

const USAGE = `usage: npm run projections -- <command>
  status [name]      generations, checkpoints, state and lag
  rebuild <name>     rebuild into a new generation, then switch readers over
  drop-old <name>    drop generations readers no longer see`;

export class CliUsageError extends Error {}

export async function runProjectionsCli(argv: string[], deps: ProjectionsCliDependencies): Promise<void> {
  const [command, name, ...rest] = argv;
  if (!command || rest.length > 0 || !['status', 'rebuild', 'drop-old'].includes(command)) throw new CliUsageError(USAGE);
  const find = (wanted: string | undefined): ProjectorDefinition => {
    const known = deps.definitions.map((d) => d.name);
    if (!wanted) throw new CliUsageError(`${command} needs a projector name: one of ${known.join(', ') || '(none registered)'}.`);
    const definition = deps.definitions.find((d) => d.name === wanted);
    if (!definition) throw new CliUsageError(`No projector is called '${wanted}'. Known: ${known.join(', ') || '(none registered)'}.`);
    return definition;
  };
  const write = (line: string): void => void deps.out.write(`${line}\n`);

  const selected = command === 'status' ? (name ? [find(name)] : deps.definitions) : [find(name)];
  const { store, db, close } = await deps.open();
  try {
    if (command === 'status') {
      if (selected.length === 0) write('No projectors are registered.');
      for (const definition of selected) {
        const status = await projectorStatus({ db, store, runtimeSchema: deps.runtimeSchema, definition });
        write(`${status.projector} (code version ${status.codeVersion}): live generation ${status.liveGeneration ?? '-'}${status.buildingGeneration ? `, rebuilding generation ${status.buildingGeneration}` : ''}`);
        if (status.generations.length === 0) write('  never run');
        for (const g of status.generations) {
          const lag = g.eventsBehind === null ? `${g.secondsBehind.toFixed(1)} s behind` : `${g.eventsBehind} events / ${g.secondsBehind.toFixed(1)} s behind`;
          write(`  g${g.generation} v${g.version} ${g.role.padEnd(8)} ${g.state.padEnd(11)} ${String(g.eventsApplied).padStart(10)} applied  ${lag}${g.error ? `  error: ${JSON.stringify(g.error)}` : ''}`);
        }
      }
      return;
    }
    const definition = selected[0]!;
    if (command === 'drop-old') {
      const dropped = await dropOldGenerations(db, deps.runtimeSchema, definition.name);
      write(dropped.length > 0 ? `Dropped generation(s) ${dropped.join(', ')} of ${definition.name}.` : `${definition.name} has no old generation to drop.`);
      return;
    }

    let last: RebuildProgress | null = null;
    let printed = 0;
    const print = (progress: RebuildProgress, force = false): void => {
      const now = Date.now();
      if (!force && now - printed < (deps.progressEveryMs ?? 500)) return;
      printed = now;
      write(describeProgress(progress));
    };
    const outcome = await rebuildProjector({
      store,
      db,
      runtimeSchema: deps.runtimeSchema,
      definition,
      logger: deps.logger,
      signal: deps.signal,
      maxBatchSize: deps.maxBatchSize,
      onStandby: () => write(`Another rebuild of ${definition.name} is running; waiting for it to finish.`),
      onProgress: (progress) => {
        last = progress;
        print(progress);
      },
    });
    if (last) print(last, true);
    if (outcome.state === 'caught_up') write(`Rebuilt ${definition.name} generation ${outcome.generation}; readers now see it. Drop the old one with: npm run projections -- drop-old ${definition.name}`);
    else if (outcome.state === 'failed') throw new Error(`The rebuild of ${definition.name} stopped: ${JSON.stringify(outcome.error)}`);
    else write(`The rebuild of ${definition.name} was stopped; run it again to resume.`);
  } finally {
    await close();
  }
}

export function describeProgress(p: RebuildProgress): string {
  const done = p.resumedAfter + p.eventsApplied;
  const total = p.total === null ? '?' : p.total.toLocaleString('en');
  const percent = p.total ? ` (${((100 * done) / Math.max(1, p.total)).toFixed(1)}%)` : '';
  const left = p.secondsLeft === null ? '' : `  about ${formatSeconds(p.secondsLeft)} left`;
  return `${p.projector} g${p.generation}: ${done.toLocaleString('en')} / ${total} events${percent}  ${Math.round(p.ratePerSecond).toLocaleString('en')} events/s${left}`;
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}
