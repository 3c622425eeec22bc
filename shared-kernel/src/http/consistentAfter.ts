/**
 * Read-your-writes for query routes. A client that sends `X-Consistent-After: <position>` (the
 * position a command answered) gets its answer only once every listed projector's live generation
 * has applied that position; past the bound, a 503 asks it to retry.
 *
 * All waiting requests of one middleware share one poller, so a burst of them costs one query
 * every few milliseconds, not one each.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestHandler } from 'express';
import { quoteIdentifier, type Database } from '../database/database';
import { ValidationError } from '../errors';
import { isPosition } from '../eventStore/position';
import { DEFAULT_RUNTIME_SCHEMA } from '../projections/runtimeSchema';
import { HttpProblemError } from './httpErrors';

export const CONSISTENT_AFTER_HEADER = 'X-Consistent-After';

export interface ConsistentAfterOptions {
  db: Database;
  /** The schema of projector_generations and projector_checkpoints. */
  runtimeSchema?: string;
  /** The projectors whose read models the route reads. */
  projectors: string[];
  timeoutMs?: number;
  pollIntervalMs?: number;
}

export function consistentAfter(options: ConsistentAfterOptions): RequestHandler {
  const { timeoutMs = 3000 } = options;
  if (options.projectors.length === 0) throw new Error('consistentAfter needs the names of the projectors the route reads.');
  const watcher = checkpointWatcher(options);

  return async (req, res, next) => {
    const position = req.get(CONSISTENT_AFTER_HEADER);
    if (position === undefined) return next();
    if (!isPosition(position)) {
      throw new ValidationError(
        `${CONSISTENT_AFTER_HEADER} must be a position a command answered (20 digits, '/', 20 digits); got ${JSON.stringify(position)}.`,
        { header: CONSISTENT_AFTER_HEADER },
      );
    }
    const gaveUp = new AbortController();
    // A client that hung up no longer needs its wait.
    res.once('close', () => gaveUp.abort());
    const caughtUp = await watcher.waitFor(position, Date.now() + timeoutMs, gaveUp.signal);
    if (gaveUp.signal.aborted) return;
    if (!caughtUp) {
      throw new HttpProblemError({
        status: 503,
        code: 'read_model_behind',
        title: 'Read model not caught up',
        detail: `The read model has not caught up with position ${position} within ${timeoutMs} ms; retry shortly.`,
        headers: { 'Retry-After': '1' },
        extensions: { position, projectors: options.projectors },
      });
    }
    next();
  };
}

interface Waiter {
  position: string;
  deadline: number;
  signal: AbortSignal;
  settle(caughtUp: boolean): void;
  fail(error: unknown): void;
}

function checkpointWatcher(options: ConsistentAfterOptions) {
  const { db, pollIntervalMs = 10 } = options;
  const projectors = [...new Set(options.projectors)];
  const schema = options.runtimeSchema ?? DEFAULT_RUNTIME_SCHEMA;
  // Fails at startup, not on the first request, for a schema name that is not one.
  quoteIdentifier(schema);
  const waiters = new Set<Waiter>();
  let polling = false;

  /** The lowest position of the live generations; null while any projector has none. */
  async function slowestPosition(): Promise<string | null> {
    const rows: Array<{ projector: string; position: string | null }> = await db
      .knex(`${schema}.projector_generations as g`)
      .leftJoin(`${schema}.projector_checkpoints as c`, (join) => join.on('c.projector', 'g.projector').andOn('c.generation', 'g.live_generation'))
      .whereIn('g.projector', projectors)
      .select('g.projector', 'c.position');
    if (rows.length < projectors.length || rows.some((row) => row.position === null)) return null;
    return rows.map((row) => row.position!).sort()[0]!;
  }

  async function poll(): Promise<void> {
    polling = true;
    try {
      while (waiters.size > 0) {
        const slowest = await slowestPosition();
        const now = Date.now();
        for (const waiter of waiters) {
          // Positions are fixed-width, so string order is stream order.
          if (slowest !== null && slowest >= waiter.position) waiter.settle(true);
          else if (waiter.signal.aborted || now >= waiter.deadline) waiter.settle(false);
        }
        if (waiters.size > 0) await sleep(pollIntervalMs);
      }
    } catch (error) {
      for (const waiter of waiters) waiter.fail(error);
    } finally {
      polling = false;
    }
  }

  return {
    waitFor(position: string, deadline: number, signal: AbortSignal): Promise<boolean> {
      return new Promise<boolean>((resolve, reject) => {
        const waiter: Waiter = {
          position,
          deadline,
          signal,
          settle: (caughtUp) => {
            waiters.delete(waiter);
            resolve(caughtUp);
          },
          fail: (error) => {
            waiters.delete(waiter);
            reject(error);
          },
        };
        waiters.add(waiter);
        if (!polling) void poll();
      });
    },
  };
}
