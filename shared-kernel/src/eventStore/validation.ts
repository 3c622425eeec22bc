/**
 * Checks of the port's input, shared by every adapter so that bad input is refused the same way
 * everywhere, before anything is written.
 */
import { EventStoreArgumentError } from './errors';
import type { AllFilter, AppendOptions, ExpectedRevision, EventToAppend, ReadAllOptions, ReadStreamOptions, StreamMetadata } from './eventStore';
import { assertPosition } from './position';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_STREAM_ID_LENGTH = 512;
export const MAX_EVENT_TYPE_LENGTH = 256;
export const MAX_EVENTS_PER_APPEND = 10_000;
/** PostgreSQL's limit for one jsonb value is far above; this keeps one event from eating the store. */
export const MAX_EVENT_BYTES = 4 * 1024 * 1024;

/** An event checked and serialised once, ready for any adapter. */
export interface ValidEvent {
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  dataJson: string;
  metadataJson: string;
}

export function assertStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.trim().length === 0) {
    throw new EventStoreArgumentError(`A stream id must be a non-empty string, got ${describe(streamId)}.`, { streamId: describe(streamId) });
  }
  if (streamId.length > MAX_STREAM_ID_LENGTH) {
    throw new EventStoreArgumentError(`A stream id may be at most ${MAX_STREAM_ID_LENGTH} characters; this one has ${streamId.length}.`);
  }
  if (streamId.startsWith('$')) {
    throw new EventStoreArgumentError(`Stream ids starting with '$' are reserved for the store itself: '${streamId}'.`, { streamId });
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f]/.test(streamId)) {
    throw new EventStoreArgumentError(`A stream id may not contain control characters: ${JSON.stringify(streamId)}.`, { streamId });
  }
}

export function assertExpectedRevision(expected: unknown, what = 'expectedRevision'): asserts expected is ExpectedRevision {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new EventStoreArgumentError(
    `${what} must be 'any', 'no_stream', 'stream_exists' or the revision of the stream's last event (an integer from 0), got ${describe(expected)}.`,
    { [what]: describe(expected) },
  );
}

export function expectedRevisionOf(options: AppendOptions | undefined): ExpectedRevision {
  const expected = options?.expectedRevision ?? 'any';
  assertExpectedRevision(expected);
  return expected;
}

export function validateEvents(events: unknown): ValidEvent[] {
  if (!Array.isArray(events)) {
    throw new EventStoreArgumentError(`Events to append must be an array, got ${describe(events)}.`);
  }
  if (events.length === 0) {
    throw new EventStoreArgumentError('Append at least one event.');
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new EventStoreArgumentError(`At most ${MAX_EVENTS_PER_APPEND} events may be appended at once; got ${events.length}.`);
  }
  const seen = new Set<string>();
  return events.map((event: unknown, index) => {
    const at = `Event #${index}`;
    if (!isPlainObject(event)) throw new EventStoreArgumentError(`${at} must be an object with id, type and data.`);
    const { id, type, data, metadata } = event as Partial<EventToAppend<string, unknown, unknown>>;
    if (typeof id !== 'string' || !UUID_PATTERN.test(id)) {
      throw new EventStoreArgumentError(`${at} needs an id that is a UUID, got ${describe(id)}.`, { index });
    }
    const lowerId = id.toLowerCase();
    if (seen.has(lowerId)) throw new EventStoreArgumentError(`${at} repeats the id ${id} of an earlier event in the same append.`, { index });
    seen.add(lowerId);
    if (typeof type !== 'string' || type.trim().length === 0) {
      throw new EventStoreArgumentError(`${at} needs a type (a non-empty string), got ${describe(type)}.`, { index });
    }
    if (type.length > MAX_EVENT_TYPE_LENGTH) {
      throw new EventStoreArgumentError(`${at} has a type longer than ${MAX_EVENT_TYPE_LENGTH} characters.`, { index });
    }
    if (type.startsWith('$')) throw new EventStoreArgumentError(`${at}: event types starting with '$' are reserved for the store.`, { index });
    if (data === undefined) throw new EventStoreArgumentError(`${at} (${type}) has no data; send {} for an event without data.`, { index });
    if (!isStorableJson(data)) assertJson(data, `${at} (${type}) data`);
    if (metadata !== undefined && !isPlainObject(metadata)) {
      throw new EventStoreArgumentError(`${at} (${type}) metadata must be a plain object.`, { index });
    }
    const meta = (metadata ?? {}) as Record<string, unknown>;
    if (!isStorableJson(meta)) assertJson(meta, `${at} (${type}) metadata`);
    const dataJson = JSON.stringify(data);
    const metadataJson = JSON.stringify(meta);
    if (dataJson.length + metadataJson.length > MAX_EVENT_BYTES) {
      throw new EventStoreArgumentError(`${at} (${type}) is larger than ${MAX_EVENT_BYTES} bytes of JSON; keep large documents outside events and refer to them.`, { index });
    }
    return { id: lowerId, type, data, metadata: meta, dataJson, metadataJson };
  });
}

export interface ValidReadStream {
  fromRevision: number | 'start' | 'end';
  direction: 'forwards' | 'backwards';
  maxCount: number;
}

export function validateReadStreamOptions(options: ReadStreamOptions | undefined): ValidReadStream {
  const direction = options?.direction ?? 'forwards';
  assertDirection(direction);
  const fromRevision = options?.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
  if (!(fromRevision === 'start' || fromRevision === 'end' || (Number.isSafeInteger(fromRevision) && fromRevision >= 0))) {
    throw new EventStoreArgumentError(`fromRevision must be 'start', 'end' or an integer from 0, got ${describe(fromRevision)}.`);
  }
  return { fromRevision, direction, maxCount: validMaxCount(options?.maxCount) };
}

export function validateReadAllOptions(options: ReadAllOptions | undefined): Required<Pick<ReadAllOptions, 'direction' | 'maxCount' | 'fromPosition'>> & { filter: AllFilter | undefined } {
  const direction = options?.direction ?? 'forwards';
  assertDirection(direction);
  const fromPosition = options?.fromPosition ?? (direction === 'forwards' ? 'start' : 'end');
  if (fromPosition !== 'start' && fromPosition !== 'end') assertPosition(fromPosition, 'fromPosition');
  return { direction, fromPosition, maxCount: validMaxCount(options?.maxCount), filter: validateFilter(options?.filter) };
}

export function validateFilter(filter: unknown): AllFilter | undefined {
  if (filter === undefined) return undefined;
  if (!isPlainObject(filter)) throw new EventStoreArgumentError('A filter must be { streamCategories: [...] } or { eventTypePrefixes: [...] }.');
  const { streamCategories, eventTypePrefixes } = filter as { streamCategories?: unknown; eventTypePrefixes?: unknown };
  if ((streamCategories === undefined) === (eventTypePrefixes === undefined)) {
    throw new EventStoreArgumentError('A filter takes exactly one of streamCategories or eventTypePrefixes.');
  }
  const list = streamCategories ?? eventTypePrefixes;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new EventStoreArgumentError('A filter lists one or more non-empty strings.');
  }
  if (streamCategories !== undefined && (list as string[]).some((c) => c.includes('-'))) {
    throw new EventStoreArgumentError("A stream category is the part of a stream id before the first '-', so it cannot contain '-'.");
  }
  return streamCategories !== undefined ? { streamCategories: list as string[] } : { eventTypePrefixes: list as string[] };
}

/** The category of a stream: the part of its id before the first '-' (the whole id when there is none). */
export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

export function matchesFilter(filter: AllFilter | undefined, streamId: string, type: string): boolean {
  if (!filter) return true;
  if (filter.streamCategories) return filter.streamCategories.includes(categoryOf(streamId));
  return filter.eventTypePrefixes.some((prefix) => type.startsWith(prefix));
}

export function validateStreamMetadata(metadata: StreamMetadata): StreamMetadata {
  if (!isPlainObject(metadata)) throw new EventStoreArgumentError('Stream metadata must be an object.');
  for (const key of ['maxAge', 'maxCount', 'truncateBefore'] as const) {
    const value = metadata[key];
    const min = key === 'truncateBefore' ? 0 : 1;
    if (value !== undefined && !(typeof value === 'number' && Number.isSafeInteger(value) && value >= min)) {
      throw new EventStoreArgumentError(`Stream metadata ${key} must be an integer from ${min}, got ${describe(value)}.`);
    }
  }
  if (metadata.custom !== undefined) {
    if (!isPlainObject(metadata.custom)) throw new EventStoreArgumentError('Custom stream metadata must be a plain object.');
    assertJson(metadata.custom, 'Custom stream metadata');
    // EventStoreDB reads keys such as $acl as its own; no adapter accepts them, so all behave alike.
    const reserved = Object.keys(metadata.custom).find((key) => key.startsWith('$'));
    if (reserved !== undefined) {
      throw new EventStoreArgumentError(`Custom stream metadata keys starting with '$' are reserved for the store: '${reserved}'.`);
    }
  }
  return metadata;
}

function validMaxCount(maxCount: unknown): number {
  if (maxCount === undefined) return Number.MAX_SAFE_INTEGER;
  if (typeof maxCount === 'number' && Number.isSafeInteger(maxCount) && maxCount > 0) return maxCount;
  throw new EventStoreArgumentError(`maxCount must be a positive integer, got ${describe(maxCount)}.`);
}

function assertDirection(direction: unknown): asserts direction is 'forwards' | 'backwards' {
  if (direction !== 'forwards' && direction !== 'backwards') {
    throw new EventStoreArgumentError(`direction must be 'forwards' or 'backwards', got ${describe(direction)}.`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Nesting past which the cheap walk hands over to `assertJson` (a cycle, or deeper than events go). */
const FAST_JSON_DEPTH = 64;

/**
 * The cheap check every append takes: true when `value` is plain JSON that can be stored. It builds
 * no paths and keeps no ancestors; when it says no, `assertJson` walks again to say what and where.
 */
function isStorableJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
      return !value.includes('\u0000');
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > FAST_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (const item of value) if (!isStorableJson(item, depth + 1)) return false;
        return true;
      }
      if (!isPlainObject(value)) return false;
      for (const key in value) {
        if (key.includes('\u0000') || !isStorableJson(value[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Only values that survive a JSON round trip unchanged: no undefined, functions, symbols, bigints,
 * NaN or Infinity, class instances (a Date would come back as a string), cycles, or NUL characters
 * (PostgreSQL's jsonb cannot hold them).
 */
function assertJson(value: unknown, what: string, path = '', ancestors: object[] = []): void {
  const here = path === '' ? what : `${what} at ${path}`;
  switch (typeof value) {
    case 'string':
      if (value.includes('\u0000')) throw new EventStoreArgumentError(`${here} contains a NUL character, which cannot be stored.`);
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new EventStoreArgumentError(`${here} is ${value}, which JSON cannot represent.`);
      return;
    case 'object': {
      if (value === null) return;
      if (ancestors.includes(value)) throw new EventStoreArgumentError(`${here} refers to itself (a cycle), which JSON cannot represent.`);
      const inner = [...ancestors, value];
      if (Array.isArray(value)) {
        value.forEach((item, i) => assertJson(item, what, `${path}[${i}]`, inner));
        return;
      }
      if (!isPlainObject(value)) {
        const name = (value as object).constructor?.name ?? 'object';
        throw new EventStoreArgumentError(`${here} is a ${name}, not plain JSON; convert it first (a Date to an ISO string, for example).`);
      }
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) throw new EventStoreArgumentError(`${here} has a key with a NUL character.`);
        assertJson(item, what, path === '' ? key : `${path}.${key}`, inner);
      }
      return;
    }
    default:
      throw new EventStoreArgumentError(`${here} is ${describe(value)}, which is not JSON.`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n (a bigint)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}
