/**
 * `npm run projections -- <command>`: what operators do with projectors.
 *   status [name]      generations, checkpoints, state and lag of every (or one) projector
 *   rebuild <name>     replays into a new generation while the live one serves, then switches over;
 *                      shows events done, rate and time left; a killed rebuild resumes where it was
 *   drop-old <name>    drops the generations readers no longer see
 *   republish <name> --to <consumer> [--from <position>]
 *                      sends the integration events the projector has published so far again, to
 *                      one consumer's queue only (a consumer that joined late)
 */
import type { Database } from '../database/database';
import type { EventStore } from '../eventStore/eventStore';
import { isPosition } from '../eventStore/position';
import type { Logger } from '../logging';
import { dropOldGenerations } from './generations';
import type { ProjectorDefinition } from './projector';
import { rebuildProjector, type RebuildProgress } from './rebuild';
import { republishIntegrationEvents, RepublishError } from './republish';
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
  drop-old <name>    drop generations readers no longer see
  republish <name> --to <consumer> [--from <position>]
                     send the integration events published so far again, to one consumer only`;

export class CliUsageError extends Error {}

export async function runProjectionsCli(argv: string[], deps: ProjectionsCliDependencies): Promise<void> {
  const [command, name, ...rest] = argv;
  if (!command || !['status', 'rebuild', 'drop-old', 'republish'].includes(command) || (command !== 'republish' && rest.length > 0)) throw new CliUsageError(USAGE);
  const find = (wanted: string | undefined): ProjectorDefinition => {
    const known = deps.definitions.map((d) => d.name);
    if (!wanted) throw new CliUsageError(`${command} needs a projector name: one of ${known.join(', ') || '(none registered)'}.`);
    const definition = deps.definitions.find((d) => d.name === wanted);
    if (!definition) throw new CliUsageError(`No projector is called '${wanted}'. Known: ${known.join(', ') || '(none registered)'}.`);
    return definition;
  };
  const write = (line: string): void => void deps.out.write(`${line}\n`);

  const selected = command === 'status' ? (name ? [find(name)] : deps.definitions) : [find(name)];
  const flags = command === 'republish' ? republishFlags(rest) : null;
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
    if (flags) {
      // Progress only for a long republish.
      let printed = Date.now();
      try {
        const result = await republishIntegrationEvents({
          store,
          db,
          runtimeSchema: deps.runtimeSchema,
          definition,
          destination: flags.to,
          fromPosition: flags.from,
          signal: deps.signal,
          onProgress: (progress) => {
            if (Date.now() - printed < (deps.progressEveryMs ?? 500)) return;
            printed = Date.now();
            write(`${definition.name} → ${flags.to}: ${progress.eventsRead.toLocaleString('en')} events read, ${progress.written.toLocaleString('en')} messages written`);
          },
        });
        if (result.upTo === null) {
          write(`${definition.name} has published nothing yet; there is nothing to republish.`);
          return;
        }
        write(
          `Republished ${result.written.toLocaleString('en')} integration events of ${definition.name} to ${flags.to} (${result.eventsRead.toLocaleString('en')} events read, up to ${result.upTo}); ` +
            'the outbox relay delivers them to its queue alone, and its inbox drops any it had.',
        );
        if (result.stillWaiting > 0) {
          write(`${result.stillWaiting.toLocaleString('en')} were left out: a message with the same id still waits in the outbox. Run this again once the outbox has drained.`);
        }
      } catch (error) {
        if (error instanceof RepublishError) throw new CliUsageError(error.message);
        throw error;
      }
      return;
    }
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

function republishFlags(args: string[]): { to: string; from: string | undefined } {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i]!, args[i + 1]];
    if ((flag !== '--to' && flag !== '--from') || value === undefined || values.has(flag)) throw new CliUsageError(USAGE);
    values.set(flag, value);
  }
  const to = values.get('--to');
  if (!to) throw new CliUsageError(`republish needs the consumer to send to: --to <consumer> (a consumer's name, such as order-service.copies).\n${USAGE}`);
  const from = values.get('--from');
  if (from !== undefined && !isPosition(from)) throw new CliUsageError(`--from takes a position as commands answer it (such as 00000000000000000731/00000000000000000004); got '${from}'.`);
  return { to, from };
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
