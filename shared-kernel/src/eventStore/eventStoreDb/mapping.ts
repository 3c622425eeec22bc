/**
 * Pure translations between the port's types and @eventstore/db-client's, kept apart from the
 * adapter so that they can be tested without a server.
 */
import {
  ANY,
  END,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type CurrentRevision as ClientCurrentRevision,
  type Filter,
  type Position as ClientPosition,
  type ReadPosition,
  type RecordedEvent as ClientRecordedEvent,
} from '@eventstore/db-client';
import type { AllFilter, CurrentRevision, ExpectedRevision, JsonObject, Position, RecordedEvent, StreamMetadata } from '../eventStore';
import { decodePosition, encodePosition } from '../position';

export function toClientRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

export function fromClientRevision(current: ClientCurrentRevision): CurrentRevision {
  return current === NO_STREAM ? 'no_stream' : Number(current);
}

export function toPosition(position: ClientPosition): Position {
  return encodePosition(position.commit, position.prepare);
}

export function toClientPosition(position: Position | 'start' | 'end'): ReadPosition {
  if (position === 'start') return START;
  if (position === 'end') return END;
  const { major, minor } = decodePosition(position);
  return { commit: major, prepare: minor };
}

/** System streams start with '$', system event types too (`$metadata`, `$>`, `$streamDeleted`, ...). */
export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

/**
 * Matches the stream ids whose category (the part before the first '-', or the whole id) is one of
 * these. A prefix filter on `order-` would miss a stream named just `order`.
 */
export function categoryRegex(categories: readonly string[]): string {
  const escaped = categories.map((category) => category.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `^(?:${escaped.join('|')})(?:-|$)`;
}

export interface ClientFilterOptions {
  checkpointReached?: (subscription: AllStreamSubscription, position: ClientPosition) => void;
  maxSearchWindow?: number;
}

/** The server-side filter of a subscription; without one of ours, system events are left out. */
export function toClientFilter(filter: AllFilter | undefined, options: ClientFilterOptions = {}): Filter {
  if (!filter) return excludeSystemEvents(options);
  if (filter.streamCategories) return streamNameFilter({ regex: categoryRegex(filter.streamCategories), ...options });
  return eventTypeFilter({ prefixes: filter.eventTypePrefixes, ...options });
}

export function toRecordedEvent(event: ClientRecordedEvent): RecordedEvent {
  if (!event.position) {
    throw new Error(`EventStoreDB returned event ${event.id} of '${event.streamId}' without its position; this adapter needs EventStoreDB 22.6 or later.`);
  }
  return {
    id: event.id,
    type: event.type,
    data: event.data as RecordedEvent['data'],
    metadata: isObject(event.metadata) ? (event.metadata as JsonObject) : {},
    streamId: event.streamId,
    revision: Number(event.revision),
    position: toPosition(event.position),
    createdAt: event.created,
  };
}

/** Checks metadata as the SQL adapter does, and refuses custom keys EventStoreDB would read as its own. */

/** The `$metadata` event EventStoreDB reads: its own keys `$maxAge`, `$maxCount`, `$tb`, custom keys beside them. */
export function toWireMetadata(metadata: StreamMetadata): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...metadata.custom };
  if (metadata.maxAge !== undefined) wire.$maxAge = metadata.maxAge;
  if (metadata.maxCount !== undefined) wire.$maxCount = metadata.maxCount;
  if (metadata.truncateBefore !== undefined) wire.$tb = metadata.truncateBefore;
  return wire;
}

export function fromWireMetadata(wire: unknown): StreamMetadata {
  const metadata: StreamMetadata = {};
  if (!isObject(wire)) return metadata;
  const custom: JsonObject = {};
  for (const [key, value] of Object.entries(wire)) {
    const integer = typeof value === 'number' && Number.isSafeInteger(value);
    if (key === '$maxAge' && integer) metadata.maxAge = value;
    else if (key === '$maxCount' && integer) metadata.maxCount = value;
    // A soft delete sets $tb to 2^63-1: the store's marker, not a truncation (and no safe integer).
    else if (key === '$tb' && integer) metadata.truncateBefore = value;
    else if (!key.startsWith('$')) custom[key] = value as JsonObject[string];
  }
  if (Object.keys(custom).length > 0) metadata.custom = custom;
  return metadata;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
