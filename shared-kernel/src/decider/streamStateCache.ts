/**
 * Streams' folded states, kept between commands and brought up to date by reading only the
 * events appended since: for a stream many commands hit (a product whose stock orders reserve,
 * a category tree every listing checks), one short read instead of reading and folding the whole
 * stream each time. Always current as of the read: the cache only saves folding a prefix it has
 * already folded, and a command decided on it still appends at the revision it read. A command
 * may also decide on the kept state without reading (`peek`): its append at the kept revision
 * fails if the stream moved on, and it is decided again on a fresh read. Least recently used
 * streams are dropped beyond `maxStreams`. Not for streams that are truncated.
 */
import { LRUCache } from 'lru-cache';
import type { CurrentRevision, EventStore, Position, RecordedEvent } from '../eventStore/eventStore';
import type { DomainEvent } from './decider';
import type { UpcasterRegistry } from './upcasters';

export interface CachedStreamState<State> {
  state: State;
  revision: CurrentRevision;
  /** The global position of the stream's last event; null while it is empty. */
  position: Position | null;
}

export interface StreamStateCache<State> {
  /** The stream's state, revision and last position now. */
  load(streamId: string): Promise<CachedStreamState<State>>;
  /** What a command just appended, so that the next load starts from there. */
  remember(streamId: string, entry: CachedStreamState<State>): void;
  /**
   * The state kept, without reading: possibly behind the stream (another process may have
   * appended since). Only for deciding an append that expects its revision, which fails if so.
   */
  peek(streamId: string): CachedStreamState<State> | undefined;
}

export interface StreamStateCacheOptions {
  /** Streams kept; the least recently used go first. Default 10,000. */
  maxStreams?: number;
  upcasters?: UpcasterRegistry;
}

export function createStreamStateCache<Event extends DomainEvent, State>(
  store: EventStore,
  decider: { initialState: () => State; evolve: (state: State, event: Event) => State },
  options: StreamStateCacheOptions = {},
): StreamStateCache<State> {
  const maxStreams = options.maxStreams ?? 10_000;
  const entries = new LRUCache<string, CachedStreamState<State>>({ max: maxStreams });
  const asEvent = (recorded: RecordedEvent): Event => {
    const current = options.upcasters ? options.upcasters.upcast(recorded) : recorded;
    return { type: current.type, data: current.data } as Event;
  };

  const keep = (streamId: string, entry: CachedStreamState<State>): void => {
    const current = entries.get(streamId);
    // Two loads racing may both read: keep whichever saw more.
    if (current && current.revision !== 'no_stream' && (entry.revision === 'no_stream' || entry.revision < current.revision)) return;
    entries.set(streamId, entry);
  };

  // Loads of one stream that overlap share reads: while one read runs, every load that arrives
  // waits for the one read queued behind it, which starts after they asked (so each answer is at
  // least as new as the moment it was asked for). A burst on a hot stream costs two reads, not one each.
  const flights = new Map<string, { running: Promise<CachedStreamState<State>>; queued: Promise<CachedStreamState<State>> | null }>();

  const start = (streamId: string, after: Promise<unknown>): Promise<CachedStreamState<State>> => {
    const read = () => readForward(streamId);
    const run = after.then(read, read);
    const settle = () => {
      const flight = flights.get(streamId);
      if (!flight || flight.running !== run) return;
      if (flight.queued) {
        flight.running = flight.queued;
        flight.queued = null;
      } else {
        flights.delete(streamId);
      }
    };
    run.then(settle, settle);
    return run;
  };

  /** What a command remembered meanwhile may be newer than what a shared read found. */
  const freshest = (streamId: string, read: Promise<CachedStreamState<State>>) =>
    read.then((found) => {
      const remembered = entries.get(streamId);
      return remembered && remembered.revision !== 'no_stream' && (found.revision === 'no_stream' || remembered.revision > found.revision) ? remembered : found;
    });

  return {
    load(streamId) {
      const flight = flights.get(streamId);
      if (!flight) {
        const run = start(streamId, Promise.resolve());
        flights.set(streamId, { running: run, queued: null });
        return freshest(streamId, run);
      }
      flight.queued ??= start(streamId, flight.running);
      return freshest(streamId, flight.queued);
    },
    remember: keep,
    peek(streamId) {
      const entry = entries.get(streamId);
      // A read in flight may bring more: wait for it rather than decide on less.
      return entry && entry.revision !== 'no_stream' && !flights.has(streamId) ? entry : undefined;
    },
  };

  async function readForward(streamId: string): Promise<CachedStreamState<State>> {
      const known = entries.get(streamId) ?? { state: decider.initialState(), revision: 'no_stream' as CurrentRevision, position: null };
      const fromRevision = known.revision === 'no_stream' ? 0 : known.revision + 1;
      const recorded = await store.readStream(streamId, { fromRevision });
      if (recorded.length === 0) {
        if (entries.has(streamId)) keep(streamId, known);
        return known;
      }
      let state = known.state;
      for (const event of recorded) state = decider.evolve(state, asEvent(event));
      const last = recorded[recorded.length - 1]!;
      const next = { state, revision: last.revision, position: last.position };
      keep(streamId, next);
      return next;
  }
}
