/**
 * Runs one generation of a projector: subscribes from its checkpoint, batches events (RxJS, with
 * back-pressure), and applies each batch to the read model in one transaction that also moves the
 * checkpoint, so that every event's effect lands exactly once even when the process dies mid-batch.
 * The checkpoint moves by compare-and-set: a second writer cannot move it backwards or double-apply.
 * Once live, a move past filtered-out events only is written at most once per interval.
 */
import type { Knex } from 'knex';
import { filter, finalize, merge, Subject, type Subscription } from 'rxjs';
import type { Database } from '../database/database';
import type { EventStore, Position, RecordedEvent, SubscriptionMessage } from '../eventStore/eventStore';
import type { Logger } from '../logging';
import { applyInBatches } from './applyInBatches';
import { generationSchema, loadCheckpoint, runtimeTables } from './generations';
import { integrationEventsOf, type ProjectorDefinition } from './projector';

export type GenerationState = 'starting' | 'catching_up' | 'live' | 'caught_up' | 'stopped' | 'failed';

export interface GenerationProgress {
  projector: string;
  generation: number;
  mode: 'live' | 'rebuild';
  state: GenerationState;
  position: Position | null;
  /** Events applied by this run. */
  eventsApplied: number;
  /** When the newest applied event was recorded. */
  lastEventAt: Date | null;
  error: ProjectionFailure | null;
}

export interface ProjectionFailure {
  message: string;
  eventId?: string;
  streamId?: string;
  revision?: number;
  type?: string;
  position?: Position;
}

export interface GenerationRunOptions {
  store: EventStore;
  db: Database;
  runtimeSchema: string;
  definition: ProjectorDefinition;
  generation: number;
  mode: 'live' | 'rebuild';
  /** Stop once the subscription has caught up (a rebuild, before switching over). */
  untilCaughtUp?: boolean;
  maxBatchSize?: number;
  /** How long a batch waits to fill before it is applied anyway. */
  maxBatchDelayMs?: number;
  /**
   * Once live, a batch that only moves the checkpoint (past events the filter leaves out) is written
   * at most this often; meanwhile it waits, and a batch with events covers it. 0 writes each at once.
   */
  checkpointOnlyIntervalMs?: number;
  onOutboxWritten?: () => void;
  onProgress?: (progress: GenerationProgress) => void;
  logger: Logger;
}

export interface GenerationRun {
  /** Settles with the final state: caught_up (untilCaughtUp), stopped, or failed. */
  readonly done: Promise<GenerationProgress>;
  progress(): GenerationProgress;
  stop(): Promise<GenerationProgress>;
}

/** Another writer moved the checkpoint: this run is no longer the active one. */
class CheckpointMovedError extends Error {}

/** A subscription message, or the tick that writes a deferred checkpoint through the same pipeline. */
type RunMessage = SubscriptionMessage | { kind: 'flush' };

export async function startGenerationRun(options: GenerationRunOptions): Promise<GenerationRun> {
  const { store, db, runtimeSchema, definition, generation, mode, logger } = options;
  const maxBatchSize = options.maxBatchSize ?? (mode === 'rebuild' ? 5000 : 1000);
  const maxBatchDelayMs = options.maxBatchDelayMs ?? 5;
  const checkpointOnlyIntervalMs = options.checkpointOnlyIntervalMs ?? 50;
  const highWaterMark = maxBatchSize * 2;
  const schema = generationSchema(definition.name, generation);
  const tables = runtimeTables(runtimeSchema);
  const where = { projector: definition.name, generation };

  const row = await loadCheckpoint(db.knex, runtimeSchema, definition.name, generation);
  if (!row) throw new Error(`Generation ${generation} of projector '${definition.name}' has not been prepared.`);
  let position: Position | null = row.position;
  let caughtUp = false;
  let inFlight = 0;
  let demandWaiters: Array<() => void> = [];
  // when this run last wrote its checkpoint (performance.now())
  let lastWriteAt = -Infinity;
  // a checkpoint-only move not written yet, and the timer that will write it
  let deferred: Position | null = null;
  let flushTimer: NodeJS.Timeout | undefined;
  const flushes = new Subject<RunMessage>();
  // the batch being applied, which a deferred write at the end must not overlap
  let applying: Promise<void> = Promise.resolve();
  const progress: GenerationProgress = {
    projector: definition.name,
    generation,
    mode,
    state: 'starting',
    position,
    eventsApplied: 0,
    lastEventAt: null,
    error: null,
  };

  let settle!: (progress: GenerationProgress) => void;
  const done = new Promise<GenerationProgress>((resolve) => (settle = resolve));
  // set once the pipeline below is subscribed; `finish` may run before that
  const running: { subscription?: Subscription } = {};
  let finished = false;

  /** `inBatch`: called by the batch being applied, so there is none to wait for. */
  const finish = async (state: GenerationState, failure?: ProjectionFailure, inBatch = false): Promise<void> => {
    if (finished) return;
    finished = true;
    running.subscription?.unsubscribe();
    clearTimeout(flushTimer);
    for (const wake of demandWaiters) wake();
    demandWaiters = [];
    if (state === 'stopped' && deferred !== null) {
      // so that a restart does not read those filtered-out events again
      if (!inBatch) await applying.catch(() => undefined);
      try {
        if (deferred !== null && (position === null || deferred > position)) await applyEvents([], deferred);
      } catch (error) {
        logger.warn({ err: error, projector: definition.name, generation }, 'could not write the deferred checkpoint');
      }
    }
    progress.state = state;
    progress.error = failure ?? null;
    try {
      await db.knex(tables.checkpoints).where(where).update({ state, error: failure ? JSON.stringify(failure) : null, updated_at: db.knex.fn.now() });
    } catch (error) {
      logger.error({ err: error, projector: definition.name, generation }, 'could not record the projector state');
    }
    options.onProgress?.({ ...progress });
    settle({ ...progress });
  };

  const demand = (): Promise<void> | undefined =>
    inFlight < highWaterMark || finished ? undefined : new Promise<void>((resolve) => demandWaiters.push(resolve));

  const released = (count: number): void => {
    inFlight -= count;
    if (inFlight < highWaterMark) {
      const waiters = demandWaiters;
      demandWaiters = [];
      for (const wake of waiters) wake();
    }
  };

  const checkpointMoved = (): CheckpointMovedError =>
    new CheckpointMovedError(`The checkpoint of ${definition.name} generation ${generation} was moved by another writer (expected ${position}).`);

  /**
   * Moves the checkpoint past `applied` more events, only if it still stands where this run left
   * it (else another writer owns it now). No need to wait for the WAL flush: a crash can lose only
   * the newest commits, and with them their checkpoint, so the events are applied again from the
   * durable one. Exactly once still. The text and bindings, for finishBatch to build on.
   */
  const checkpointMove = (to: Position, applied: number, visibleChange: boolean) => ({
    sql: `update ?? set position = ?, events_applied = events_applied + ?, content_version = content_version + ?, state = ?, error = null, updated_at = now()
       where projector = ? and generation = ? and position is not distinct from ?
       returning set_config('synchronous_commit', 'off', true)`,
    bindings: [tables.checkpoints, to, applied, visibleChange ? 1 : 0, caughtUp ? 'live' : 'catching_up', definition.name, generation, position],
  });

  /** Moves the checkpoint alone: past events that needed nothing applied (one statement, no transaction), or at a batch's end. */
  const moveCheckpoint = async (runner: Knex | Knex.Transaction, to: Position, applied = 0, visibleChange = false): Promise<void> => {
    const { sql, bindings } = checkpointMove(to, applied, visibleChange);
    const moved = (await runner.raw(sql, bindings)) as { rows: unknown[] };
    if (moved.rows.length === 0) throw checkpointMoved();
  };

  /**
   * Applies events (all after `position`) and moves the checkpoint, in one transaction: the
   * projector's statements, then one statement that moves the checkpoint by compare-and-set and
   * writes the batch's integration events to the outbox. If another writer moved the checkpoint
   * meanwhile, nothing of the batch stays.
   */
  const applyEvents = async (events: RecordedEvent[], to: Position): Promise<void> => {
    let outboxRows = 0;
    if (events.length === 0) await moveCheckpoint(db.knex, to);
    else await db.knex.transaction(async (trx) => {
      const outcome = await definition.apply({ trx, schema, events, mode });
      outboxRows = await finishBatch(trx, events, to, outcome?.visibleChange !== false);
    });
    // committed: the relay can publish at once rather than at its next poll
    if (outboxRows > 0) options.onOutboxWritten?.();
    lastWriteAt = performance.now();
    if (deferred !== null && to >= deferred) {
      deferred = null;
      clearTimeout(flushTimer);
      flushTimer = undefined;
    }
    position = to;
    progress.position = to;
    progress.eventsApplied += events.length;
    if (events.length > 0) progress.lastEventAt = events[events.length - 1]!.createdAt;
  };

  /**
   * The end of a batch's transaction, in one round trip: moves the checkpoint if it still stands
   * where this run left it and, for a projector with integration events, writes the messages of the
   * events past the outbox checkpoint and moves that one too. The outbox checkpoint is shared by
   * every generation, so a rebuild replaying old events publishes nothing again: its upsert waits
   * for the row's lock, sees the latest position, keeps the greater one and hands back the one it
   * held before, against which the messages are filtered. Returns the messages written.
   */
  const finishBatch = async (trx: Knex.Transaction, events: RecordedEvent[], to: Position, visibleChange: boolean): Promise<number> => {
    if (!definition.integrationEvents) {
      await moveCheckpoint(trx, to, events.length, visibleChange);
      return 0;
    }
    const move = checkpointMove(to, events.length, visibleChange);
    const result = (await trx.raw(
      `with moved as (${move.sql}),
       outbox_checkpoint as (
         insert into ?? as c (projector, position) select ?, ? from moved
         on conflict (projector) do update
           set previous_position = c.position, position = greatest(c.position collate "C", excluded.position collate "C")
         returning c.previous_position),
       written as (
         insert into ?? (message_id, routing_key, payload)
         select m.message_id, m.routing_key, m.payload
         from outbox_checkpoint c, json_to_recordset(?::json) as m(message_id uuid, routing_key text, payload jsonb, position text)
         where c.previous_position is null or m.position collate "C" > c.previous_position collate "C"
         on conflict (message_id) do nothing
         returning 1)
       select (select count(*) from moved)::int as moved, (select count(*) from written)::int as written`,
      [...move.bindings, tables.outboxCheckpoints, definition.name, events[events.length - 1]!.position, tables.outbox, JSON.stringify(outboxMessages(events))],
    )) as { rows: Array<{ moved: number; written: number }> };
    const counts = result.rows[0];
    if (!counts || counts.moved === 0) throw checkpointMoved();
    return counts.written;
  };

  /** The integration events of a batch's events, each with the position of the event it comes from. */
  const outboxMessages = (events: RecordedEvent[]) =>
    events.flatMap((event) =>
      integrationEventsOf(definition, event).map((message) => ({ message_id: message.messageId, routing_key: message.type, payload: message, position: event.position })),
    );

  /**
   * A batch failed: apply its events one by one, keeping the good ones, to name the bad one.
   * Null when every event went through alone (the batch's failure was passing).
   */
  const isolateFailure = async (events: RecordedEvent[]): Promise<ProjectionFailure | null> => {
    for (const event of events) {
      try {
        await applyEvents([event], event.position);
      } catch (error) {
        if (error instanceof CheckpointMovedError) throw error;
        return describeFailure(error, event);
      }
    }
    return null;
  };

  /** Remembers a checkpoint-only move, to be written once the interval since the last write has passed. */
  const deferCheckpoint = (to: Position): void => {
    deferred = to;
    flushTimer ??= setTimeout(
      () => {
        flushTimer = undefined;
        flushes.next({ kind: 'flush' });
      },
      Math.max(0, lastWriteAt + checkpointOnlyIntervalMs - performance.now()),
    );
  };

  const applyMessages = async (messages: RunMessage[]): Promise<void> => {
    if (finished) return;
    const upcast = definition.upcasters;
    const events: RecordedEvent[] = [];
    let to: Position | null = null;
    let sawCaughtUp = false;
    let flush = false;
    for (const message of messages) {
      if (message.kind === 'event') {
        if (position === null || message.event.position > position) events.push(upcast ? (upcast.upcast(message.event) as RecordedEvent) : message.event);
        to = message.event.position;
      } else if (message.kind === 'checkpoint') {
        to = message.position;
      } else if (message.kind === 'caughtUp') {
        sawCaughtUp = true;
      } else {
        flush = true;
      }
    }
    if (flush && deferred !== null && (to === null || deferred > to)) to = deferred;
    const eventCount = messages.filter((m) => m.kind === 'event').length;
    try {
      // Rebuilds and catching up never defer: a rebuild must end at the caught-up position.
      const mayDefer = caughtUp && !options.untilCaughtUp && !flush && events.length === 0;
      if (sawCaughtUp) caughtUp = true;
      if (to !== null && (position === null || to > position)) {
        if (mayDefer && performance.now() - lastWriteAt < checkpointOnlyIntervalMs) {
          deferCheckpoint(to);
          return;
        }
        try {
          await applyEvents(events, to);
        } catch (error) {
          if (error instanceof CheckpointMovedError) throw error;
          const failure = await isolateFailure(events);
          if (failure) {
            logger.error({ projector: definition.name, generation, failure }, 'projector stopped: an event could not be applied');
            await finish('failed', failure, true);
            return;
          }
          logger.warn({ projector: definition.name, generation, err: error }, 'a batch failed but each of its events applied alone');
          if (to > (position ?? '')) await applyEvents([], to);
        }
      }
      if (caughtUp) {
        progress.state = 'live';
        if (options.untilCaughtUp) {
          options.onProgress?.({ ...progress });
          await finish('caught_up', undefined, true);
          return;
        }
      } else {
        progress.state = 'catching_up';
      }
      options.onProgress?.({ ...progress });
    } finally {
      released(eventCount);
    }
  };

  progress.state = 'catching_up';
  const subscription = store.subscribeToAll({ fromPosition: position ?? 'start', filter: definition.filter, batchSize: maxBatchSize, demand }).pipe(
    filter((message) => {
      if (message.kind === 'event') inFlight++;
      return true;
    }),
    // the pipeline ends with the subscription, as it did before flushes joined it
    finalize(() => flushes.complete()),
  );
  // Flushes travel the same way as batches: a deferred write never overlaps another one.
  running.subscription = merge(subscription, flushes)
    .pipe(applyInBatches((messages) => (applying = applyMessages(messages)), { maxBatchSize, maxDelayMs: maxBatchDelayMs }))
    .subscribe({
      error: (error: unknown) => {
        if (error instanceof CheckpointMovedError) {
          // the other writer owns the checkpoint now
          deferred = null;
          logger.warn({ projector: definition.name, generation, err: error }, 'another writer took over this projector; standing down');
          void finish('stopped');
          return;
        }
        logger.error({ projector: definition.name, generation, err: error }, 'projector stopped: the subscription failed');
        void finish('failed', describeFailure(error));
      },
    });

  return {
    done,
    progress: () => ({ ...progress }),
    stop: async () => {
      await finish('stopped');
      return done;
    },
  };
}

function describeFailure(error: unknown, event?: RecordedEvent): ProjectionFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (!event) return { message };
  return { message, eventId: event.id, streamId: event.streamId, revision: event.revision, type: event.type, position: event.position };
}
