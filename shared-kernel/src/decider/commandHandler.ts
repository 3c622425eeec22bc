/**
 * Runs one command against one stream: read, upcast, fold, decide, append with the revision read.
 * Optimistic concurrency: if another writer got in between, the append fails and (where the caller
 * allows it) the whole decision is taken again on the fresh state.
 */
import type { CurrentRevision, EventStore, ExpectedRevision, Position } from '../eventStore/eventStore';
import { WrongExpectedVersionError } from '../eventStore/errors';
import { fold, type Decider, type DomainEvent } from './decider';
import { toEventsToAppend, type CommandContext, type EnvelopeOptions } from './envelope';
import type { CachedStreamState, StreamStateCache } from './streamStateCache';
import type { UpcasterRegistry } from './upcasters';

export interface HandleCommandOptions<Command, Event extends DomainEvent, State> {
  eventStore: EventStore;
  decider: Decider<Command, Event, State>;
  streamId: string;
  command: Command;
  context: CommandContext;
  /**
   * What the caller believes (an `If-Match` revision, or `'no_stream'` to create). It is checked
   * against the stream before deciding, and a mismatch, then or at the append, is never retried:
   * the caller decided on what it saw. `'any'` or absent: no belief, retries allowed.
   */
  expectedRevision?: ExpectedRevision;
  /** How many times a conflicting append is decided again on the fresh state. 0 by default. */
  retries?: number;
  upcasters?: UpcasterRegistry;
  /** Event ids and clock (injectable for tests); the schema version defaults to `upcasters.currentVersion`. */
  envelope?: Omit<EnvelopeOptions, 'schemaVersionOf'>;
  /** Where the stream's state is kept between commands (read forward from its revision instead of folding it all). */
  stateCache?: StreamStateCache<State>;
}

export interface HandleCommandResult<Event extends DomainEvent, State> {
  /** The events this command appended; `[]` when it changed nothing. */
  events: Event[];
  newState: State;
  /** The stream's revision now (the `ETag`); `'no_stream'` when it is still empty. */
  nextExpectedRevision: CurrentRevision;
  /** The global position of the stream's last event (for read-your-writes); null when the stream is empty. */
  position: Position | null;
}

/**
 * Each attempt decides afresh, so it appends events with new ids. (The store treats an append
 * repeated with the same ids, e.g. after a network error, as a no-op that returns the first result;
 * that is the caller's tool for at-most-once, this function does not resend.)
 */
export async function handleCommand<Command, Event extends DomainEvent, State>(
  options: HandleCommandOptions<Command, Event, State>,
): Promise<HandleCommandResult<Event, State>> {
  const { eventStore, decider, streamId, command, upcasters, retries = 0 } = options;
  if (!Number.isSafeInteger(retries) || retries < 0) throw new Error(`retries must be an integer from 0, got ${retries}.`);
  const expected = options.expectedRevision === 'any' ? undefined : options.expectedRevision;

  // Without a belief of the caller's, decide first on the state this process kept, without
  // reading the stream; if that does not land, decide as usual on a fresh read.
  const kept = expected === undefined ? options.stateCache?.peek(streamId) : undefined;
  if (kept) {
    const landed = await landOnKeptState(options, kept);
    if (landed) return landed;
  }

  for (let attempt = 0; ; attempt++) {
    // Expecting no stream, there is nothing to read: a stream that exists fails the append as it would fail the check.
    const { state, revision, position } =
      expected === 'no_stream'
        ? { state: decider.initialState(), revision: 'no_stream' as const, position: null }
        : options.stateCache
          ? await options.stateCache.load(streamId)
          : await loadStream(eventStore, decider, streamId, upcasters);
    if (expected !== undefined && !satisfies(expected, revision)) {
      throw new WrongExpectedVersionError(streamId, expected, revision);
    }
    const events = decider.decide(command, state);
    if (events.length === 0) {
      return { events, newState: state, nextExpectedRevision: revision, position };
    }

    try {
      return await appendDecided(options, events, state, revision);
    } catch (error) {
      const retriable = error instanceof WrongExpectedVersionError && expected === undefined && attempt < retries;
      if (!retriable) throw error;
    }
  }
}

/**
 * Decides on a kept state and appends at its revision. Only new events are taken from it: a
 * refusal or a no-op (null) is confirmed on a fresh read, as the stream may have moved on to
 * where the command is legal or needed; so is a failed append (another writer appended meanwhile,
 * which is not counted as a retry).
 */
async function landOnKeptState<Command, Event extends DomainEvent, State>(
  options: HandleCommandOptions<Command, Event, State>,
  kept: CachedStreamState<State>,
): Promise<HandleCommandResult<Event, State> | null> {
  let events: Event[];
  try {
    events = options.decider.decide(options.command, kept.state);
  } catch {
    return null;
  }
  if (events.length === 0) return null;
  try {
    return await appendDecided(options, events, kept.state, kept.revision);
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) return null;
    throw error;
  }
}

/** Appends what was decided on `state` at its revision, and keeps the new state. */
async function appendDecided<Command, Event extends DomainEvent, State>(
  options: HandleCommandOptions<Command, Event, State>,
  events: Event[],
  state: State,
  revision: CurrentRevision,
): Promise<HandleCommandResult<Event, State>> {
  const { eventStore, decider, streamId, context, upcasters, envelope } = options;
  const toAppend = toEventsToAppend(events, context, { ...envelope, schemaVersionOf: upcasters?.currentVersion });
  const appended = await eventStore.appendToStream(streamId, toAppend, { expectedRevision: revision });
  const newState = fold(decider, events, state);
  options.stateCache?.remember(streamId, { state: newState, revision: appended.nextExpectedRevision, position: appended.position });
  return { events, newState, nextExpectedRevision: appended.nextExpectedRevision, position: appended.position };
}

async function loadStream<Event extends DomainEvent, State>(
  eventStore: EventStore,
  decider: Pick<Decider<never, Event, State>, 'initialState' | 'evolve'>,
  streamId: string,
  upcasters: UpcasterRegistry | undefined,
): Promise<{ state: State; revision: CurrentRevision; position: Position | null }> {
  const recorded = await eventStore.readStream(streamId);
  const last = recorded.at(-1);
  const history = recorded.map((event) => {
    const current = upcasters ? upcasters.upcast(event) : event;
    return { type: current.type, data: current.data } as Event;
  });
  return { state: fold(decider, history), revision: last ? last.revision : 'no_stream', position: last?.position ?? null };
}

function satisfies(expected: Exclude<ExpectedRevision, 'any'>, actual: CurrentRevision): boolean {
  if (expected === 'no_stream') return actual === 'no_stream';
  if (expected === 'stream_exists') return actual !== 'no_stream';
  return expected === actual;
}
