/**
 * The event store port. Shaped like EventStoreDB's client so that the adapters
 * (PostgreSQL, embedded PGlite, EventStoreDB) are interchangeable; every adapter
 * passes the one contract suite in `test/eventStoreContract.ts`.
 */
import type { Observable } from 'rxjs';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * An opaque string that orders every event of the store globally. Positions of one store have a
 * fixed width, so comparing them as plain strings (`a < b`, or `comparePositions`) orders them as
 * the store does.
 */
export type Position = string;

/**
 * What the writer believes about the stream:
 * - `'any'`: no check;
 * - `'no_stream'`: the stream has no events (never written, or soft-deleted);
 * - `'stream_exists'`: the stream has at least one event;
 * - a number: the revision of the stream's last event (the first event has revision 0).
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** The revision a stream actually had when an expectation failed; `'no_stream'` when it had none. */
export type CurrentRevision = 'no_stream' | number;

export interface EventToAppend<Type extends string = string, Data = JsonObject, Metadata = JsonObject> {
  /** A UUID chosen by the writer; a retried append with the same ids is a no-op. */
  id: string;
  type: Type;
  data: Data;
  metadata?: Metadata;
}

export interface RecordedEvent<Type extends string = string, Data = JsonObject, Metadata = JsonObject> {
  id: string;
  type: Type;
  data: Data;
  /** `{}` when the event was appended without metadata. */
  metadata: Metadata;
  streamId: string;
  revision: number;
  position: Position;
  createdAt: Date;
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** The revision of the last event now in the stream: pass it as `expectedRevision` next time. */
  nextExpectedRevision: number;
  /** The global position of the last appended event. */
  position: Position;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  fromRevision?: number | 'start' | 'end';
  direction?: Direction;
  maxCount?: number;
}

/** Selects events of `readAll` and `subscribeToAll`. One kind of filter at a time, as in EventStoreDB. */
export type AllFilter =
  /** Streams whose category (the part of the stream id before the first `-`) is one of these. */
  | { streamCategories: string[]; eventTypePrefixes?: never }
  /** Events whose type starts with one of these. */
  | { eventTypePrefixes: string[]; streamCategories?: never };

export interface ReadAllOptions {
  /** Inclusive, as in EventStoreDB. Defaults to the start (forwards) or the end (backwards). */
  fromPosition?: Position | 'start' | 'end';
  direction?: Direction;
  maxCount?: number;
  filter?: AllFilter;
}

export interface SubscribeToAllOptions {
  /** Exclusive (the events after this one), as in EventStoreDB. Defaults to the start. */
  fromPosition?: Position | 'start' | 'end';
  filter?: AllFilter;
  /** How many events one catch-up read fetches. */
  batchSize?: number;
  /**
   * Back-pressure: called before the subscription reads more; while the promise it returns is
   * pending, nothing more is read. A subscriber that applies events slower than they are read
   * returns a promise that resolves once its backlog is small again, so nothing buffers without bound.
   */
  demand?: () => Promise<void> | void;
}

export interface CountEventsOptions {
  /** Count the events after this position (exclusive); from the start when absent. */
  after?: Position;
  filter?: AllFilter;
}

export type SubscriptionMessage =
  | { kind: 'event'; event: RecordedEvent }
  /**
   * Every event up to `position` has been delivered and the subscription is now live.
   * Sent once. `position` is null when the store was empty.
   */
  | { kind: 'caughtUp'; position: Position | null }
  /**
   * With a filter, the subscription may pass many events it does not deliver: this tells the
   * subscriber how far it has looked, so that its checkpoint can move on.
   */
  | { kind: 'checkpoint'; position: Position };

export interface StreamMetadata {
  /** Events older than this many seconds are no longer readable from the stream. */
  maxAge?: number;
  /** Only the newest this many events are readable from the stream. */
  maxCount?: number;
  /** Events with a lower revision are no longer readable from the stream. */
  truncateBefore?: number;
  /** Free-form metadata of the application. */
  custom?: JsonObject;
}

export interface StreamMetadataResult {
  streamId: string;
  metadata: StreamMetadata;
  /** The revision of the metadata itself (for optimistic concurrency); `'no_stream'` when none was set. */
  metadataRevision: CurrentRevision;
}

export interface DeleteResult {
  position: Position | null;
}

export interface EventStore {
  appendToStream(streamId: string, events: readonly EventToAppend<string, unknown, unknown>[], options?: AppendOptions): Promise<AppendResult>;

  /** The events of a stream; `[]` when the stream does not exist or was soft-deleted. Throws `StreamDeletedError` when tombstoned. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /** Catch up from the position, then live: every matching event exactly once, in global order. */
  subscribeToAll(options?: SubscribeToAllOptions): Observable<SubscriptionMessage>;

  /** Soft delete: the stream reads as empty; appending again continues after its last revision. */
  deleteStream(streamId: string, options?: AppendOptions): Promise<DeleteResult>;

  /** Hard delete: the stream can never be read or written again. */
  tombstoneStream(streamId: string, options?: AppendOptions): Promise<DeleteResult>;

  setStreamMetadata(streamId: string, metadata: StreamMetadata, options?: { expectedMetadataRevision?: ExpectedRevision }): Promise<{ metadataRevision: number }>;

  getStreamMetadata(streamId: string): Promise<StreamMetadataResult>;

  /** The position of the newest event in the store, or null when it is empty. */
  headPosition(): Promise<Position | null>;

  /** How many events there are after a position (for progress and lag); absent where the store cannot count cheaply. */
  countEvents?(options?: CountEventsOptions): Promise<number>;

  close(): Promise<void>;
}
