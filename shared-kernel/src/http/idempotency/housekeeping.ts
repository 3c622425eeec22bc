/**
 * Idempotency keys past their TTL are ignored by the middleware but stay in the table until
 * something deletes them; housekeeping does, every hour (periodicWork.ts), for the schemas of a
 * process's services. Run it once per database where background work runs: the all-in-one
 * process (the primary of a cluster), or each service on its own.
 */
import type { Database } from '../../database/database';
import { createLogger, type Logger } from '../../logging';
import { errorMessage } from '../../messaging/errors';
import { startPeriodicWork } from '../../periodicWork';
import { DEFAULT_IDEMPOTENCY_TTL_HOURS, migrateIdempotencyTable, purgeExpiredIdempotencyKeys } from './idempotencyTable';

const PURGE_INTERVAL_MS = 3_600_000;

export interface IdempotencyHousekeepingOptions {
  db: Database;
  /** The schemas holding `idempotency_keys` (created here when missing). */
  schemas: readonly string[];
  /** Keys older than this go. Default 24, as the middleware's. */
  ttlHours?: number;
  /** How often. Default an hour (tests make it shorter). */
  intervalMs?: number;
  logger?: Logger;
}

export interface IdempotencyHousekeeping {
  /** Keys deleted so far, over every schema. */
  purged(): number;
  /** Waits for a purge under way (it stops after its current statement) and schedules no more. */
  stop(): Promise<void>;
}

export async function startIdempotencyHousekeeping(options: IdempotencyHousekeepingOptions): Promise<IdempotencyHousekeeping> {
  const ttlHours = options.ttlHours ?? DEFAULT_IDEMPOTENCY_TTL_HOURS;
  if (!Number.isFinite(ttlHours) || ttlHours <= 0) throw new RangeError(`ttlHours must be a positive number of hours, got ${ttlHours}.`);
  const intervalMs = options.intervalMs ?? PURGE_INTERVAL_MS;
  const logger = options.logger ?? createLogger({ name: 'bdbazar.idempotency.housekeeping' });
  // a process that serves none of the routes (a cluster's primary) may be the first to get here
  for (const schema of options.schemas) await migrateIdempotencyTable(options.db, schema);

  let purged = 0;
  const periodic = startPeriodicWork(intervalMs, async (stopped) => {
    for (const schema of options.schemas) {
      if (stopped()) return;
      try {
        const deleted = await purgeExpiredIdempotencyKeys(options.db, schema, ttlHours, { stopped });
        purged += deleted;
        if (deleted > 0) logger.info({ schema, deleted, ttlHours }, 'Idempotency keys past their TTL deleted');
      } catch (error) {
        logger.warn({ schema, error: errorMessage(error) }, 'Deleting idempotency keys past their TTL failed; trying again later');
      }
    }
  });

  return {
    purged: () => purged,
    stop: () => periodic.stop(),
  };
}
