/**
 * The event store over PostgreSQL's SQL, shared by the server adapter (node-postgres) and the
 * embedded one (PGlite). See `schema.ts` for why readers only read below the snapshot's xmin.
 */
import { randomUUID } from 'node:crypto';
import { Observable, type Subscriber } from 'rxjs';
import { DuplicateEventIdError, EventStoreArgumentError, StreamDeletedError, WrongExpectedVersionError } from '../errors';
import type {
  AllFilter,
  AppendOptions,
  AppendResult,
  CountEventsOptions,
  DeleteResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamMetadata,
  StreamMetadataResult,
  SubscribeToAllOptions,
  SubscriptionMessage,
} from '../eventStore';
import { decodePosition, encodePosition } from '../position';
import {
  assertExpectedRevision,
  assertStreamId,
  expectedRevisionOf,
  matchesFilter,
  validateEvents,
  validateFilter,
  validateReadAllOptions,
  validateReadStreamOptions,
  validateStreamMetadata,
} from '../validation';
import { assertPosition } from '../position';
import { createMicroBatcher, type MicroBatcher } from '../../database/microBatch';
import { ListenerRegistry } from './listenerRegistry';
import { NOTIFY_WITHOUT_FLUSH, notifyChannel, schemaSql, SQLSTATE } from './schema';
import type { SqlDriver, SqlError } from './sqlDriver';
import { TailWindow } from './tailWindow';
import { Wakeup } from './wakeup';

export interface SqlEventStoreOptions {
  /** The PostgreSQL schema holding the store's tables. */
  schema?: string;
  /** How often an idle subscription looks for new events when no notification arrives. */
  pollIntervalMs?: number;
  /** Events one catch-up read fetches, unless the subscriber asks otherwise. */
  defaultBatchSize?: number;
  /**
   * Appends sent while others are in flight share one transaction (see `append_batch`): at most
   * `maxAppends` a transaction, at most `maxInFlight` such transactions at once (default 2, 1 for
   * PGlite, which runs one query at a time).
   */
  appendBatching?: { maxAppends?: number; maxInFlight?: number };
}

/** One append waiting for its batch: its stream, its expectation and its events as a JSON array. */
interface QueuedAppend {
  streamId: string;
  expected: ExpectedRevision;
  events: string;
}
type AppendOutcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };
interface AppendRow {
  next_revision: string | number;
  transaction_id: string;
  global_position: string | number;
}
interface BatchAppendRow extends Partial<AppendRow> {
  code: string | null;
  detail: string | null;
}

/** Rows come as arrays (cheaper to decode than objects), in the order of EVENT_COLUMNS (TAIL_COLUMNS: data and metadata as JSON text). */
type Row<Data, Metadata> = [
  tx: string,
  gp: string | number | bigint,
  streamId: string,
  revision: string | number | bigint,
  id: string,
  type: string,
  data: Data,
  metadata: Metadata,
  createdAtMs: number | string,
];
type EventRow = Row<unknown, Record<string, unknown>>;
/** A subscription's read, with data and metadata as JSON text (and the read's held-back flag). */
type TailRow = [...Row<string, string>, heldBack?: boolean];

/** A read shared by the live subscriptions standing at the same cursor. */
interface TailRead {
  batchSize: number;
  /** The wake-up count when it was sent (-1 for rows from the tail window, read earlier). */
  seen: number;
  result: Promise<TailResult>;
}

/**
 * A subscription's read: the events, and whether committed events lie past them that the read
 * could not take yet, held back behind an older transaction still open.
 */
interface TailResult {
  rows: TailRow[];
  heldBack: boolean;
}

/** A stream read: the event columns (all null when the stream has no visible event), then its state. */
type StreamReadRow = unknown[];

const START = encodePosition(0, 0);
/** `streams.state` of a tombstoned stream (0 live, 1 soft-deleted; see schema.ts). */
const TOMBSTONED = 2;
// created_at as epoch milliseconds: node-postgres' timestamp parser costs more than the rest of a row
const columns = (json: '' | '::text') => `e.transaction_id::text, e.global_position, e.stream_id, e.revision, e.event_id::text, e.type, e.data${json}, e.metadata${json},
  (extract(epoch from e.created_at) * 1000)::float8`;
const EVENT_COLUMNS = columns('');
const TAIL_COLUMNS = columns('::text');
const MAX_SUBSCRIPTION_RETRIES = 5;
/** How long commits wait to share one NOTIFY to other processes (their subscribers' added latency). */
const NOTIFY_COALESCE_MS = 2;
/** A store that only writes holds a LISTEN connection (to know whether to announce) only with a pool this big. */
const MIN_CONNECTIONS_TO_LISTEN_AS_WRITER = 4;

export async function createSqlEventStore(driver: SqlDriver, options: SqlEventStoreOptions = {}): Promise<EventStore> {
  const schema = options.schema ?? 'event_store';
  // The schema is set up under an advisory lock so that services starting together do not race.
  await driver.exec(`begin; select pg_advisory_xact_lock(hashtext('bdbazar.event_store.${schema}')); ${schemaSql(schema)} commit;`);
  return new SqlEventStore(driver, schema, options);
}

class SqlEventStore implements EventStore {
  private closed = false;
  private readonly wakeup = new Wakeup();
  private readonly subscriptions = new Set<Subscriber<SubscriptionMessage>>();
  /** Subscriptions' reads in flight, by the cursor they read after. */
  private readonly tailReads = new Map<Position, TailRead>();
  /** The newest events subscriptions read, for the live ones a little behind. */
  private readonly tail: TailWindow<TailRow>;
  /** Signs this store's NOTIFYs, so that its listener can tell them from other processes'. */
  private readonly instanceId = randomUUID();
  private listening: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  private announcing: Promise<void> | undefined;
  private announceAgain = false;
  private readonly sql: ReturnType<typeof statements>;
  private readonly pollIntervalMs: number;
  private readonly defaultBatchSize: number;
  private readonly appends: MicroBatcher<QueuedAppend, AppendOutcome>;
  /** Who else listens, where other processes may share the database. */
  private readonly listeners: ListenerRegistry | undefined;

  constructor(
    private readonly driver: SqlDriver,
    private readonly schema: string,
    options: SqlEventStoreOptions,
  ) {
    this.sql = statements(schema);
    this.listeners = driver.sharedWithOtherProcesses ? new ListenerRegistry(driver, schema, this.instanceId) : undefined;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.defaultBatchSize = options.defaultBatchSize ?? 1000;
    this.tail = new TailWindow<TailRow>(2 * this.defaultBatchSize, (row) => encodePosition(row[0], row[1]));
    this.appends = createMicroBatcher({
      maxBatchSize: options.appendBatching?.maxAppends ?? 100,
      maxConcurrentFlushes: options.appendBatching?.maxInFlight ?? Math.min(2, driver.concurrentQueries),
      flushAtOnceWhenIdle: true,
      flush: async (batch) => (batch.length === 1 ? [await this.appendAlone(batch[0]!)] : this.appendBatch(batch)),
    });
  }

  /**
   * Appends sent while others are in flight wait for the next batch (see `append_batch`); one
   * arriving when the store is idle goes out at once, alone.
   */
  async appendToStream(streamId: string, events: readonly EventToAppend<string, unknown, unknown>[], options?: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    assertStreamId(streamId);
    const expected = expectedRevisionOf(options);
    const valid = validateEvents(events);
    const payload = `[${valid
      .map((e) => `{"id":"${e.id}","type":${JSON.stringify(e.type)},"data":${e.dataJson},"metadata":${e.metadataJson}}`)
      .join(',')}]`;
    const outcome = await this.appends.add({ streamId, expected, events: payload });
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  }

  /** One append in its own transaction. */
  private async appendAlone({ streamId, expected, events }: QueuedAppend): Promise<AppendOutcome> {
    const params = [streamId, String(expected), events];
    for (let attempt = 0; ; attempt++) {
      try {
        const [row] = await this.driver.query<BatchAppendRow>(this.sql.append, params);
        if (!row) throw new Error(`append_locked returned no row for stream '${streamId}'`);
        if (row.code === null) this.announceCommit();
        return this.outcomeOf(row, streamId, expected);
      } catch (error) {
        // A twin of this append committed between our idempotency check and our insert: the
        // second try finds it under the stream's lock and answers as the first did.
        if (isSqlError(error, SQLSTATE.uniqueViolation) && (error as SqlError).constraint === 'events_event_id' && attempt === 0) continue;
        return { ok: false, error: this.mapError(error, streamId, expected) };
      }
    }
  }

  /**
   * Several appends in one transaction. A refused append is answered alone; when the transaction
   * itself fails (a twin's unique violation, a lost connection), each append is tried again alone,
   * in the order sent, which is safe: a retried append whose events are stored answers as the
   * first did.
   */
  private async appendBatch(batch: readonly QueuedAppend[]): Promise<AppendOutcome[]> {
    const payload = `[${batch.map((append) => `{"stream":${JSON.stringify(append.streamId)},"expected":"${String(append.expected)}","events":${append.events}}`).join(',')}]`;
    let rows: BatchAppendRow[];
    try {
      rows = await this.driver.query<BatchAppendRow>(this.sql.appendBatch, [payload]);
    } catch {
      // one after the other, in the order sent, as the batch would have applied them
      const outcomes: AppendOutcome[] = [];
      for (const append of batch) outcomes.push(await this.appendAlone(append));
      return outcomes;
    }
    if (rows.length !== batch.length) throw new Error(`append_batch answered ${rows.length} rows for ${batch.length} appends`);
    if (rows.some((row) => row.code === null)) this.announceCommit();
    return rows.map((row, i) => this.outcomeOf(row, batch[i]!.streamId, batch[i]!.expected));
  }

  /** An append's answer from append_locked's or append_batch's row: its result, or its refusal's error. */
  private outcomeOf(row: BatchAppendRow, streamId: string, expected: QueuedAppend['expected']): AppendOutcome {
    if (row.code !== null) return { ok: false, error: this.mapError({ code: row.code, detail: row.detail ?? undefined }, streamId, expected) };
    return { ok: true, result: appendResult(row as AppendRow) };
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertStreamId(streamId);
    const { fromRevision, direction, maxCount } = validateReadStreamOptions(options);
    // forwards: the lowest revision to read; backwards: the highest (null: the stream's last)
    const from = typeof fromRevision === 'number' ? fromRevision : fromRevision === 'start' ? 0 : direction === 'forwards' ? Number.MAX_SAFE_INTEGER : null;
    const limit = maxCount === Number.MAX_SAFE_INTEGER ? null : maxCount;
    if (this.driver.fieldsAreCostly) {
      const sql = direction === 'forwards' ? this.sql.readStreamForwardsAsJson : this.sql.readStreamBackwardsAsJson;
      const [read] = await this.driver.queryArrays<[state: number, events: string | null]>(sql, [streamId, from, limit]);
      if (!read) return [];
      if (Number(read[0]) === TOMBSTONED) throw new StreamDeletedError(streamId);
      return rowsOfJson<EventRow>(read[1]).map(toRecorded);
    }
    const sql = direction === 'forwards' ? this.sql.readStreamForwards : this.sql.readStreamBackwards;
    const rows = await this.driver.queryArrays<StreamReadRow>(sql, [streamId, from, limit]);
    const first = rows[0];
    if (!first) return [];
    if (Number(first[9]) === TOMBSTONED) throw new StreamDeletedError(streamId);
    if (first[4] === null) return [];
    return rows.map((row) => toRecorded(row as unknown as EventRow));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { direction, fromPosition, maxCount, filter } = validateReadAllOptions(options);
    const limit = maxCount === Number.MAX_SAFE_INTEGER ? null : maxCount;
    const { categories, prefixes } = filterParams(filter);
    if (direction === 'forwards') {
      if (fromPosition === 'end') return [];
      const { major, minor } = decodePosition(fromPosition === 'start' ? START : fromPosition);
      return this.readEvents(this.sql.readAllForwards, this.sql.readAllForwardsAsJson, [major.toString(), minor.toString(), limit, categories, prefixes]);
    }
    if (fromPosition === 'start') return [];
    const bound = fromPosition === 'end' ? null : decodePosition(fromPosition);
    return this.readEvents(this.sql.readAllBackwards, this.sql.readAllBackwardsAsJson, [
      bound?.major.toString() ?? null,
      bound?.minor.toString() ?? null,
      limit,
      categories,
      prefixes,
    ]);
  }

  /** Events read as rows, or as one JSON text where the driver's fields are costly. */
  private async readEvents(asRows: string, asJson: string, params: unknown[]): Promise<RecordedEvent[]> {
    if (this.driver.fieldsAreCostly) {
      const [answer] = await this.driver.queryArrays<[events: string | null]>(asJson, params);
      return rowsOfJson<EventRow>(answer?.[0]).map(toRecorded);
    }
    return (await this.driver.queryArrays<EventRow>(asRows, params)).map(toRecorded);
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Observable<SubscriptionMessage> {
    const filter = validateFilter(options.filter);
    const from = options.fromPosition ?? 'start';
    if (from !== 'start' && from !== 'end') assertPosition(from, 'fromPosition');
    const batchSize = options.batchSize ?? this.defaultBatchSize;
    const demand = options.demand;
    if (!Number.isSafeInteger(batchSize) || batchSize <= 0) throw new EventStoreArgumentError(`batchSize must be a positive integer, got ${String(batchSize)}.`);

    return new Observable<SubscriptionMessage>((subscriber) => {
      if (this.closed) {
        subscriber.error(new Error('The event store is closed.'));
        return undefined;
      }
      this.subscriptions.add(subscriber);
      let stopped = false;
      void this.ensureListening();
      void this.listeners?.join();
      void this.runSubscription(subscriber, from, filter, batchSize, demand, () => stopped).finally(() => this.subscriptions.delete(subscriber));
      return () => {
        stopped = true;
        this.subscriptions.delete(subscriber);
        this.wakeup.notify();
      };
    });
  }

  async deleteStream(streamId: string, options?: AppendOptions): Promise<DeleteResult> {
    return this.delete(streamId, options, false);
  }

  async tombstoneStream(streamId: string, options?: AppendOptions): Promise<DeleteResult> {
    return this.delete(streamId, options, true);
  }

  async setStreamMetadata(streamId: string, metadata: StreamMetadata, options?: { expectedMetadataRevision?: ExpectedRevision }): Promise<{ metadataRevision: number }> {
    this.assertOpen();
    assertStreamId(streamId);
    const expected = options?.expectedMetadataRevision ?? 'any';
    assertExpectedRevision(expected, 'expectedMetadataRevision');
    const { maxAge, maxCount, truncateBefore, custom } = validateStreamMetadata(metadata);
    try {
      const [row] = await this.driver.query<{ revision: string | number }>(this.sql.setMetadata, [
        streamId,
        String(expected),
        maxAge ?? null,
        maxCount ?? null,
        truncateBefore ?? null,
        custom === undefined ? null : JSON.stringify(custom),
      ]);
      return { metadataRevision: Number(row?.revision) };
    } catch (error) {
      throw this.mapError(error, `$$${streamId}`, expected);
    }
  }

  async getStreamMetadata(streamId: string): Promise<StreamMetadataResult> {
    this.assertOpen();
    assertStreamId(streamId);
    const [row] = await this.driver.query<{
      state: number;
      max_age_seconds: string | null;
      max_count: string | null;
      truncate_before: string | null;
      custom_metadata: StreamMetadata['custom'] | null;
      metadata_revision: string;
    }>(this.sql.getMetadata, [streamId]);
    if (row && Number(row.state) === TOMBSTONED) throw new StreamDeletedError(streamId);
    const metadataRevision = row ? Number(row.metadata_revision) : -1;
    const metadata: StreamMetadata = {};
    if (row?.max_age_seconds != null) metadata.maxAge = Number(row.max_age_seconds);
    if (row?.max_count != null) metadata.maxCount = Number(row.max_count);
    if (row?.truncate_before != null && metadataRevision >= 0) metadata.truncateBefore = Number(row.truncate_before);
    if (row?.custom_metadata != null) metadata.custom = row.custom_metadata;
    return { streamId, metadata, metadataRevision: metadataRevision < 0 ? 'no_stream' : metadataRevision };
  }

  async countEvents(options: CountEventsOptions = {}): Promise<number> {
    this.assertOpen();
    if (options.after !== undefined) assertPosition(options.after, 'after');
    const { major, minor } = decodePosition(options.after ?? START);
    const { categories, prefixes } = filterParams(validateFilter(options.filter));
    const [row] = await this.driver.queryArrays<[string | number]>(this.sql.count, [major.toString(), minor.toString(), null, categories, prefixes]);
    return Number(row?.[0] ?? 0);
  }

  async headPosition(): Promise<Position | null> {
    this.assertOpen();
    const [row] = await this.driver.query<{ tx: string; gp: string }>(this.sql.head);
    return row ? encodePosition(row.tx, row.gp) : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.listenRetry);
    for (const subscriber of this.subscriptions) subscriber.complete();
    this.subscriptions.clear();
    this.wakeup.notify();
    await this.appends.drain();
    await this.announcing;
    await this.listening?.catch(() => undefined);
    await this.listeners?.close();
    await this.unlisten?.().catch(() => undefined);
    await this.driver.close();
  }

  private async delete(streamId: string, options: AppendOptions | undefined, hard: boolean): Promise<DeleteResult> {
    this.assertOpen();
    assertStreamId(streamId);
    const expected = expectedRevisionOf(options);
    try {
      await this.driver.query(this.sql.deleteStream, [streamId, String(expected), hard]);
    } catch (error) {
      throw this.mapError(error, streamId, expected);
    }
    return { position: await this.headPosition() };
  }

  /**
   * Reads the events after `cursor`, never past an event whose transaction may still be open.
   * Live subscriptions wake together on a commit and stand at the same cursor (each moves past
   * every event it reads, matching or not): they share one read in flight instead of sending one
   * each. `seen` is the wake-up count when the shared read started, so that a commit announced
   * after it makes each of them look again. A live subscription that fell a little behind (it was
   * busy when the others read) takes the events from the tail window instead, without a read; one
   * still catching up always reads, so that it is told it caught up only by the database. Data and
   * metadata come as JSON text, parsed only for the events a subscription delivers.
   */
  private readAfter(cursor: Position, batchSize: number, live: boolean): TailRead {
    if (live) {
      const held = this.tail.rowsAfter(cursor, batchSize);
      // read earlier, when is not known: the subscription reads again rather than wait
      if (held) return { batchSize, seen: -1, result: Promise.resolve({ rows: held, heldBack: false }) };
    }
    const inFlight = this.tailReads.get(cursor);
    if (inFlight && inFlight.batchSize >= batchSize) return inFlight;
    const { major, minor } = decodePosition(cursor);
    const read: TailRead = {
      batchSize,
      seen: this.wakeup.count,
      result: this.readTail(major.toString(), minor.toString(), batchSize).then((answer) => {
        this.tail.record(cursor, answer.rows);
        return answer;
      }),
    };
    this.tailReads.set(cursor, read);
    const forget = (): void => {
      if (this.tailReads.get(cursor) === read) this.tailReads.delete(cursor);
    };
    read.result.then(forget, forget);
    return read;
  }

  /** The events after a position, at most `batchSize`, and whether committed events lie past what could be read. */
  private async readTail(major: string, minor: string, batchSize: number): Promise<TailResult> {
    if (this.driver.fieldsAreCostly) {
      const [answer] = await this.driver.queryArrays<[heldBack: boolean, events: string | null]>(this.sql.readAfterAsJson, [major, minor, batchSize]);
      return { rows: rowsOfJson<TailRow>(answer?.[1]), heldBack: answer?.[0] === true };
    }
    const answer = await this.driver.queryArrays<TailRow>(this.sql.readAfter, [major, minor, batchSize]);
    // one row at least, carrying the flag; its event columns are null when there is no event
    const heldBack = answer[0]?.[9] === true;
    const rows = (answer[0] as unknown[] | undefined)?.[0] === null ? [] : answer;
    return { rows, heldBack };
  }

  private async runSubscription(
    subscriber: Subscriber<SubscriptionMessage>,
    from: Position | 'start' | 'end',
    filter: AllFilter | undefined,
    batchSize: number,
    demand: SubscribeToAllOptions['demand'],
    isStopped: () => boolean,
  ): Promise<void> {
    const stopped = (): boolean => isStopped() || this.closed || subscriber.closed;
    let failures = 0;
    let cursor: Position;
    let delivered: Position | null = null;
    try {
      cursor = from === 'start' ? START : from === 'end' ? ((await this.headPosition()) ?? START) : from;
    } catch (error) {
      if (!stopped()) subscriber.error(error);
      return;
    }
    if (from !== 'start') delivered = cursor === START ? null : cursor;
    let caughtUp = false;
    let heldBackDelay = 0;

    while (!stopped()) {
      let rows: TailRow[];
      let heldBack: boolean;
      let seenBeforeRead: number;
      try {
        await demand?.();
        if (stopped()) return;
        const read = this.readAfter(cursor, batchSize, caughtUp);
        seenBeforeRead = read.seen;
        ({ rows, heldBack } = await read.result);
        if (rows.length > batchSize) rows = rows.slice(0, batchSize);
        failures = 0;
      } catch (error) {
        if (stopped()) return;
        if (++failures > MAX_SUBSCRIPTION_RETRIES) {
          subscriber.error(error);
          return;
        }
        await this.wakeup.sleep(100 * 2 ** failures);
        continue;
      }
      let lastMatched = true;
      for (const row of rows) {
        if (stopped()) return;
        lastMatched = matchesFilter(filter, row[2], row[5]);
        if (lastMatched) {
          const event = fromTailRow(row);
          cursor = event.position;
          delivered = cursor;
          subscriber.next({ kind: 'event', event });
        }
      }
      const last = rows[rows.length - 1];
      if (last && !lastMatched) cursor = encodePosition(last[0], last[1]);
      if (stopped()) return;
      if (rows.length > 0 && !lastMatched) subscriber.next({ kind: 'checkpoint', position: cursor });
      if (rows.length === batchSize) continue;
      if (!caughtUp) {
        caughtUp = true;
        subscriber.next({ kind: 'caughtUp', position: delivered ?? (cursor === START ? null : cursor) });
      }
      if (heldBack) {
        // Committed events wait behind an older transaction still open, whose end announces
        // nothing (it may not be an append): look again soon, backing off, rather than a poll later.
        heldBackDelay = Math.min(Math.max(1, heldBackDelay * 2), this.pollIntervalMs);
        await this.wakeup.wait(seenBeforeRead, heldBackDelay);
        continue;
      }
      heldBackDelay = 0;
      // Everything committed when the read began is read: the next read waits for the next commit
      // (at once if one was announced since the read began), or for the poll, in case a wake-up was lost.
      await this.wakeup.wait(seenBeforeRead, this.pollIntervalMs);
    }
  }

  /**
   * Wakes subscribers after a commit: this process's at once; other processes' through a NOTIFY
   * sent outside the append's transaction (inside, NOTIFY's global commit lock would serialise
   * every append). Commits within NOTIFY_COALESCE_MS share one NOTIFY, and only one is in flight,
   * so a busy writer pays one small transaction per window, not one per append.
   */
  private announceCommit(): void {
    this.wakeup.notify();
    if (!this.listeners) return;
    // A writer listens too, to hear who joins, where its pool can spare the connection.
    if (!this.listening && !this.listenRetry && this.driver.concurrentQueries >= MIN_CONNECTIONS_TO_LISTEN_AS_WRITER) void this.ensureListening();
    if (!this.listeners.announcementsNeeded) return;
    this.announceAgain = true;
    if (this.announcing) return;
    this.announcing = (async () => {
      while (this.announceAgain && !this.closed) {
        await new Promise((resolve) => setTimeout(resolve, NOTIFY_COALESCE_MS));
        this.announceAgain = false;
        try {
          await this.driver.query(NOTIFY_WITHOUT_FLUSH, [notifyChannel(this.schema), this.instanceId]);
        } catch {
          // A lost wake-up only delays other processes' subscribers until their next poll.
          break;
        }
      }
      this.announcing = undefined;
    })();
  }

  /** One LISTEN connection per store wakes every subscription; polling covers any gap. */
  private ensureListening(): Promise<void> {
    if (this.listening || this.closed) return this.listening ?? Promise.resolve();
    this.listening = (async () => {
      try {
        this.unlisten = await this.driver.listen(
          notifyChannel(this.schema),
          // This store's own commits woke its subscriptions already: only other processes' count.
          (payload) => {
            if (this.listeners?.heard(payload)) return;
            if (payload !== this.instanceId) this.wakeup.notify();
          },
          () => this.relisten(),
        );
        this.listeners?.listening();
        // Anything committed while we were not listening is picked up by this wake-up.
        this.wakeup.notify();
      } catch {
        this.relisten();
      }
    })();
    return this.listening;
  }

  private relisten(): void {
    this.listeners?.deaf();
    this.listening = undefined;
    this.unlisten = undefined;
    if (this.closed) return;
    clearTimeout(this.listenRetry);
    this.listenRetry = setTimeout(() => void this.ensureListening(), 1000);
    this.listenRetry.unref();
  }

  private mapError(error: unknown, streamId: string, expected: ExpectedRevision): unknown {
    if (isSqlError(error, SQLSTATE.wrongExpectedVersion)) {
      const actual = (error as SqlError).detail;
      return new WrongExpectedVersionError(streamId, expected, actual === 'no_stream' || actual === undefined ? 'no_stream' : Number(actual));
    }
    if (isSqlError(error, SQLSTATE.streamDeleted)) return new StreamDeletedError(streamId);
    if (isSqlError(error, SQLSTATE.duplicateEventId) || isSqlError(error, SQLSTATE.uniqueViolation)) {
      return new DuplicateEventIdError(
        (error as SqlError).detail?.match(/[0-9a-f-]{36}/i)?.[0] ?? 'of this batch',
        'in another stream, at other revisions or with other content',
      );
    }
    return error;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed.');
  }
}

function statements(s: string) {
  const xmin = `(select pg_snapshot_xmin(pg_current_snapshot()))`;
  const filter = `and ($4::text[] is null or split_part(e.stream_id, '-', 1) = any($4::text[]))
       and ($5::text[] is null or exists (select 1 from unnest($5::text[]) p where starts_with(e.type, p)))`;
  // The first revision a stream still shows: after truncation and within maxCount.
  const firstVisible = `greatest(coalesce(st.truncate_before, 0), case when st.max_count is null then 0 else st.last_revision - st.max_count + 1 end)`;
  const visible = `e.stream_id = st.stream_id and st.state = 0 and e.revision >= ${firstVisible}
         and (st.max_age_seconds is null or e.created_at >= now() - make_interval(secs => st.max_age_seconds))`;
  // Each read's events (every column, in its order, at most $3) and that order: sent as rows, or
  // aggregated into one JSON text where the driver's fields are costly (SqlDriver.fieldsAreCostly).
  const forwards = 'e.transaction_id, e.global_position';
  const backwards = 'e.transaction_id desc, e.global_position desc';
  const streamForwards = `select * from ${s}.events e where ${visible} and e.revision >= coalesce($2::bigint, 0)
        order by e.revision limit $3::bigint`;
  const streamBackwards = `select * from ${s}.events e where ${visible} and ($2::bigint is null or e.revision <= $2::bigint)
        order by e.revision desc limit $3::bigint`;
  const allForwards = `from ${s}.events e
      where (e.transaction_id, e.global_position) >= ($1::xid8, $2::bigint) and e.transaction_id < ${xmin}
       ${filter}
      order by ${forwards} limit $3::bigint`;
  const allBackwards = `from ${s}.events e
      where ($1::xid8 is null or (e.transaction_id, e.global_position) <= ($1::xid8, $2::bigint)) and e.transaction_id < ${xmin}
       ${filter}
      order by ${backwards} limit $3::bigint`;
  const after = `select * from ${s}.events e
        where (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) and e.transaction_id < ${xmin}
        order by ${forwards} limit $3::bigint`;
  // Whether committed events lie past the snapshot's xmin (the newest visible event is committed),
  // which a later read will take. Every such event is past the cursor, which was read below an
  // earlier xmin. The newest event is one step of the index backwards, whatever the plan.
  const heldBack = `(select coalesce((select max(x.transaction_id) from ${s}.events x) >= ${xmin}, false) as held_back) h`;
  /** The events of a read (a `select *`, in `order`) as one JSON text of row arrays; null when none. */
  const asJson = (columns: string, order: string, events: string) =>
    `(select json_agg(json_build_array(${columns}) order by ${order})::text from (${events}) e)`;
  return {
    append: `select code, detail, next_revision, transaction_id, global_position from ${s}.append_locked($1, $2, $3::json, true)`,
    appendBatch: `select code, detail, next_revision, transaction_id, global_position from ${s}.append_batch($1::json) order by ord`,
    readStreamForwards: `select ${EVENT_COLUMNS}, st.state from ${s}.streams st left join lateral (${streamForwards}) e on true where st.stream_id = $1`,
    readStreamBackwards: `select ${EVENT_COLUMNS}, st.state from ${s}.streams st left join lateral (${streamBackwards}) e on true where st.stream_id = $1`,
    // one row: the stream's state and its events
    readStreamForwardsAsJson: `select st.state, ${asJson(EVENT_COLUMNS, 'e.revision', streamForwards)} from ${s}.streams st where st.stream_id = $1`,
    readStreamBackwardsAsJson: `select st.state, ${asJson(EVENT_COLUMNS, 'e.revision desc', streamBackwards)} from ${s}.streams st where st.stream_id = $1`,
    readAllForwards: `select ${EVENT_COLUMNS} ${allForwards}`,
    readAllBackwards: `select ${EVENT_COLUMNS} ${allBackwards}`,
    readAllForwardsAsJson: `select ${asJson(EVENT_COLUMNS, forwards, `select * ${allForwards}`)}`,
    readAllBackwardsAsJson: `select ${asJson(EVENT_COLUMNS, backwards, `select * ${allBackwards}`)}`,
    // At least one row: the events (null columns when none), each with the held-back flag
    readAfter: `select ${TAIL_COLUMNS}, h.held_back from ${heldBack} left join lateral (${after}) e on true`,
    // one row: the held-back flag and the events
    readAfterAsJson: `select h.held_back, ${asJson(TAIL_COLUMNS, forwards, after)} from ${heldBack}`,
    count: `
      select count(*) from ${s}.events e
      where (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint) and e.transaction_id < ${xmin} and $3::int is null
       ${filter}`,
    head: `
      select e.transaction_id::text as tx, e.global_position::text as gp from ${s}.events e
      where e.transaction_id < ${xmin}
      order by e.transaction_id desc, e.global_position desc limit 1`,
    deleteStream: `select ${s}.delete_stream($1, $2, $3)`,
    setMetadata: `select ${s}.set_stream_metadata($1, $2, $3, $4, $5, $6::jsonb) as revision`,
    getMetadata: `select state, max_age_seconds, max_count, truncate_before, custom_metadata, metadata_revision from ${s}.streams where stream_id = $1`,
  };
}

function filterParams(filter: AllFilter | undefined): { categories: string[] | null; prefixes: string[] | null } {
  return { categories: filter?.streamCategories ?? null, prefixes: filter?.eventTypePrefixes ?? null };
}

/** The rows of a read sent as one JSON text (see `asJson` in statements); null when it found none. */
function rowsOfJson<Row>(json: string | null | undefined): Row[] {
  return json ? (JSON.parse(json) as Row[]) : [];
}

function toRecorded([tx, gp, streamId, revision, id, type, data, metadata, createdAtMs]: EventRow): RecordedEvent {
  return {
    id,
    type,
    data: data as RecordedEvent['data'],
    metadata: metadata as RecordedEvent['metadata'],
    streamId,
    revision: Number(revision),
    position: encodePosition(tx, gp),
    createdAt: new Date(Number(createdAtMs)),
  };
}

function fromTailRow([tx, gp, streamId, revision, id, type, dataJson, metadataJson, createdAtMs]: TailRow): RecordedEvent {
  return toRecorded([tx, gp, streamId, revision, id, type, JSON.parse(dataJson), JSON.parse(metadataJson) as Record<string, unknown>, createdAtMs]);
}

function appendResult(row: AppendRow): AppendResult {
  return { nextExpectedRevision: Number(row.next_revision), position: encodePosition(row.transaction_id, row.global_position) };
}

function isSqlError(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as SqlError).code === code;
}
