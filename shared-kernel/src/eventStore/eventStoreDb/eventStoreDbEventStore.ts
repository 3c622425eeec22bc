/**
 * The event store on EventStoreDB (22.6 or later) through @eventstore/db-client v6. A thin mapping:
 * input is checked by the shared validation, then handed to the client. Where the client or the
 * server differ from the port, the difference is handled (and explained) at that spot.
 */
import { Observable, type Subscriber } from 'rxjs';
import {
  ANY, BACKWARDS, END, EventStoreDBClient, FORWARDS, MaxAppendSizeExceededError, START, StreamNotFoundError, jsonEvent, metastreamOf,
  StreamDeletedError as ClientStreamDeletedError,
  WrongExpectedVersionError as ClientWrongExpectedVersionError,
  type AllStreamSubscription,
  type ExpectedRevision as ClientExpectedRevision,
  type JSONType,
  type ReadAllOptions as ClientReadAllOptions,
  type ReadStreamOptions as ClientReadStreamOptions,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { EventStoreArgumentError, StreamDeletedError, WrongExpectedVersionError } from '../errors';
import type {
  AllFilter, AppendOptions, AppendResult, DeleteResult, EventStore, EventToAppend, ExpectedRevision, Position, ReadAllOptions,
  ReadStreamOptions, RecordedEvent, StreamMetadata, StreamMetadataResult, SubscribeToAllOptions, SubscriptionMessage,
} from '../eventStore';
import { assertPosition } from '../position';
import {
  assertExpectedRevision, assertStreamId, expectedRevisionOf, matchesFilter, validateEvents, validateFilter, validateReadAllOptions,
  validateReadStreamOptions, validateStreamMetadata,
} from '../validation';
import {
  fromClientRevision, fromWireMetadata, isSystemEvent, toClientFilter, toClientPosition, toClientRevision, toPosition, toRecordedEvent,
  toWireMetadata,
} from './mapping';
import { orderedRelay } from './orderedRelay';

export interface EventStoreDbEventStoreOptions {
  /** Read once at start-up, so that a wrong connection string fails here rather than at the first command. Default true. */
  checkConnection?: boolean;
}

/** The event store on an EventStoreDB server or cluster, e.g. `esdb://localhost:2113?tls=false`. */
export async function createEventStoreDbEventStore(connectionString: string, options: EventStoreDbEventStoreOptions = {}): Promise<EventStore> {
  if (!connectionString) throw new Error('createEventStoreDbEventStore needs a connection string (esdb://host:2113?tls=false).');
  const client = EventStoreDBClient.connectionString(connectionString);
  if (options.checkConnection !== false) {
    try {
      for await (const _ of client.readAll({ maxCount: 1 })) void _;
    } catch (error) {
      await client.dispose();
      throw error;
    }
  }
  return new EventStoreDbEventStore(client);
}

class EventStoreDbEventStore implements EventStore {
  private closed = false;
  private readonly subscribers = new Set<Subscriber<SubscriptionMessage>>();

  constructor(private readonly client: EventStoreDBClient) {}

  async appendToStream(streamId: string, events: readonly EventToAppend<string, unknown, unknown>[], options?: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    assertStreamId(streamId);
    const expected = expectedRevisionOf(options);
    const proposed = validateEvents(events).map(({ id, type, data, metadata }) => jsonEvent({ id, type, data: data as JSONType, metadata }));
    let result;
    try {
      result = await this.client.appendToStream(streamId, proposed, { expectedRevision: toClientRevision(expected) });
    } catch (error) {
      throw await this.mapError(error, streamId, expected);
    }
    if (!result.success) throw new Error(`EventStoreDB refused the append to '${streamId}'; connect with throwOnAppendFailure=true (the default).`);
    const nextExpectedRevision = Number(result.nextExpectedRevision);
    // The server leaves the position out when it cannot place an idempotent retry; the last event has it.
    const position = result.position
      ? toPosition(result.position)
      : (await this.readStream(streamId, { fromRevision: nextExpectedRevision, maxCount: 1 }))[0]?.position;
    if (!position) throw new Error(`EventStoreDB did not tell the position of the append to '${streamId}'.`);
    return { nextExpectedRevision, position };
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    assertStreamId(streamId);
    const { fromRevision, direction, maxCount } = validateReadStreamOptions(options);
    const events = await this.read(streamId, {
      fromRevision: fromRevision === 'start' ? START : fromRevision === 'end' ? END : BigInt(fromRevision),
      direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
      maxCount,
    });
    return events.flatMap(({ event }) => (event ? [toRecordedEvent(event)] : []));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { direction, fromPosition, maxCount, filter } = validateReadAllOptions(options);
    if (fromPosition === (direction === 'forwards' ? 'end' : 'start')) return [];
    const keep = (event: RecordedEvent): boolean => matchesFilter(filter, event.streamId, event.type);
    if (direction === 'forwards') return this.collectAll({ fromPosition: toClientPosition(fromPosition), direction: FORWARDS }, keep, maxCount);
    // EventStoreDB reads $all backwards *before* the position; the port includes the event at it.
    const at =
      fromPosition === 'end'
        ? []
        : await this.collectAll({ fromPosition: toClientPosition(fromPosition), direction: FORWARDS, maxCount: 1 }, (e) => e.position === fromPosition && keep(e), 1);
    const before = await this.collectAll({ fromPosition: toClientPosition(fromPosition), direction: BACKWARDS }, keep, maxCount - at.length);
    return [...at, ...before];
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Observable<SubscriptionMessage> {
    const filter = validateFilter(options.filter);
    const from = options.fromPosition ?? 'start';
    if (from !== 'start' && from !== 'end') assertPosition(from, 'fromPosition');
    const { batchSize } = options;
    if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize > 0)) {
      throw new EventStoreArgumentError(`batchSize must be a positive integer, got ${String(batchSize)}.`);
    }

    return new Observable<SubscriptionMessage>((subscriber) => {
      if (this.closed) {
        subscriber.error(new Error('The event store is closed.'));
        return undefined;
      }
      this.subscribers.add(subscriber);
      let subscription: AllStreamSubscription | undefined;
      let stopped = false;
      // 'end' starts after the newest event we know of, so that caughtUp can name a position.
      void (from === 'end' ? this.headPosition() : Promise.resolve(from === 'start' ? null : from)).then(
        (start) => {
          if (stopped) return;
          subscription = this.relay(subscriber, start, filter, batchSize, options.demand);
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => {
        stopped = true;
        this.subscribers.delete(subscriber);
        void subscription?.unsubscribe();
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
    const data = toWireMetadata(validateStreamMetadata(metadata));
    // Written as client.setStreamMetadata does, minus its renaming of custom keys such as 'maxAge'.
    try {
      const event = jsonEvent({ type: '$metadata', data: data as JSONType });
      const result = await this.client.appendToStream(metastreamOf(streamId), event, { expectedRevision: toClientRevision(expected) });
      return { metadataRevision: Number(result.nextExpectedRevision) };
    } catch (error) {
      throw await this.mapError(error, metastreamOf(streamId), expected);
    }
  }

  async getStreamMetadata(streamId: string): Promise<StreamMetadataResult> {
    this.assertOpen();
    assertStreamId(streamId);
    // Read directly: client.getStreamMetadata reports a log position as the metadata's revision.
    const [last] = await this.read(metastreamOf(streamId), { fromRevision: END, direction: BACKWARDS, maxCount: 1 }, streamId);
    if (!last?.event) return { streamId, metadata: {}, metadataRevision: 'no_stream' };
    return { streamId, metadata: fromWireMetadata(last.event.data), metadataRevision: Number(last.event.revision) };
  }

  async headPosition(): Promise<Position | null> {
    this.assertOpen();
    const [newest] = await this.collectAll({ fromPosition: END, direction: BACKWARDS }, () => true, 1);
    return newest?.position ?? null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const subscriber of this.subscribers) subscriber.complete();
    this.subscribers.clear();
    await this.client.dispose();
  }

  /** The events of a stream, `[]` when it does not exist; throws our StreamDeletedError when tombstoned. */
  private async read(streamName: string, options: ClientReadStreamOptions, streamId = streamName): Promise<ResolvedEvent[]> {
    const events: ResolvedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamName, options)) events.push(resolved);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      if (error instanceof ClientStreamDeletedError) throw new StreamDeletedError(streamId);
      throw error;
    }
    return events;
  }

  /**
   * Reads $all, keeping up to `limit` events that pass `keep`. The client (v6) cannot filter a read
   * of $all on the server, so system events and filtered-out events are skipped here.
   */
  private async collectAll(options: ClientReadAllOptions, keep: (event: RecordedEvent) => boolean, limit: number): Promise<RecordedEvent[]> {
    const kept: RecordedEvent[] = [];
    if (limit <= 0) return kept;
    const reading = this.client.readAll(options);
    try {
      for await (const { event } of reading) {
        if (!event || isSystemEvent(event.streamId, event.type)) continue;
        const recorded = toRecordedEvent(event);
        if (keep(recorded) && kept.push(recorded) >= limit) break;
      }
    } finally {
      void reading.cancel(); // stops the server streaming the rest when we stopped early
    }
    return kept;
  }

  /** Starts a client subscription after `start` (null: the beginning) and relays it to the subscriber. */
  private relay(
    subscriber: Subscriber<SubscriptionMessage>,
    start: Position | null,
    filter: AllFilter | undefined,
    maxSearchWindow: number | undefined,
    demand: SubscribeToAllOptions['demand'],
  ): AllStreamSubscription {
    const relay = orderedRelay((message) => subscriber.next(message), start, () => subscription.readableLength);
    const subscription = this.client.subscribeToAll({
      fromPosition: start === null ? START : toClientPosition(start),
      filter: toClientFilter(filter, { maxSearchWindow, checkpointReached: (_, position) => relay.checkpoint(toPosition(position)) }),
    });
    subscription
      .on('data', ({ event }) => {
        relay.received(event && !isSystemEvent(event.streamId, event.type) ? toRecordedEvent(event) : null);
        // Back-pressure: a paused stream stops reading from gRPC, so the server stops sending.
        const wanted = demand?.();
        if (wanted) {
          subscription.pause();
          wanted.then(
            () => subscription.resume(),
            (error: unknown) => subscriber.error(error),
          );
        }
      })
      .on('caughtUp', () => relay.caughtUp())
      .on('error', (error) => subscriber.error(error))
      .on('end', () => subscriber.error(new Error('EventStoreDB ended the subscription to $all.')));
    return subscription;
  }

  private async delete(streamId: string, options: AppendOptions | undefined, hard: boolean): Promise<DeleteResult> {
    this.assertOpen();
    assertStreamId(streamId);
    const expected = expectedRevisionOf(options);
    try {
      const revision = toClientRevision(expected);
      let result;
      if (hard) {
        // tombstoneStream sends STREAM_EXISTS although its typings leave it out
        result = await this.client.tombstoneStream(streamId, { expectedRevision: revision as ClientExpectedRevision });
      } else {
        // Client v6 cannot send 'stream_exists' with a soft delete: check it here, then delete.
        if (expected === 'stream_exists' && (await this.readStream(streamId, { direction: 'backwards', maxCount: 1 })).length === 0) {
          throw new WrongExpectedVersionError(streamId, expected, 'no_stream');
        }
        result = await this.client.deleteStream(streamId, { expectedRevision: revision === 'stream_exists' ? ANY : revision });
      }
      return { position: result.position ? toPosition(result.position) : null };
    } catch (error) {
      if (!hard && expected === 'any' && error instanceof StreamNotFoundError) return { position: null };
      throw await this.mapError(error, streamId, expected);
    }
  }

  private async mapError(error: unknown, streamId: string, expected: ExpectedRevision): Promise<unknown> {
    if (error instanceof ClientWrongExpectedVersionError) {
      return new WrongExpectedVersionError(streamId, expected, fromClientRevision(error.actualVersion));
    }
    if (error instanceof ClientStreamDeletedError) {
      // The server answers 'stream_exists' on a soft-deleted stream with "deleted": for the port
      // that stream merely has no events, unless it really was tombstoned.
      if (expected === 'stream_exists' && !(await this.isTombstoned(streamId))) return new WrongExpectedVersionError(streamId, expected, 'no_stream');
      return new StreamDeletedError(streamId.startsWith('$$') ? streamId.slice(2) : streamId);
    }
    if (error instanceof MaxAppendSizeExceededError) {
      return new EventStoreArgumentError(`The append to '${streamId}' is larger than the server's maximum append size (${error.maxAppendSize} bytes); append fewer or smaller events at once.`);
    }
    return error;
  }

  private async isTombstoned(streamId: string): Promise<boolean> {
    try {
      await this.read(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
      return false;
    } catch (error) {
      if (error instanceof StreamDeletedError) return true;
      throw error;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed.');
  }
}
