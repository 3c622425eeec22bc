/**
 * What a workload needs from an event store, in one neutral shape, so that every workload is
 * written once and runs unchanged against our adapters and Emmett's.
 *
 * Revisions are ours: the first event of a stream has revision 0 (Emmett's stream position 1).
 */
import type { BenchEvent } from './events';

export type Conflict = 'conflict';

/** A live subscriber: `ready` resolves once it is live; `stop` ends it. */
export interface LiveSubscriber {
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Which store instance a live subscriber reads from: the appending one, or another with its own pool. */
export type SubscriberPlacement = 'same instance' | 'second instance';

export interface BenchTarget {
  /** How the table names it. */
  readonly name: string;
  /** Whether it is ours (goals and ratios apply) or the comparison. */
  readonly kind: 'ours' | 'emmett';

  /** Appends to a stream that must not exist yet (ours: 'no_stream'; Emmett: version 0). */
  appendToNewStream(streamId: string, events: BenchEvent[]): Promise<void>;
  /** Appends without a concurrency check. */
  appendAnyRevision(streamId: string, events: BenchEvent[]): Promise<void>;
  /** Appends expecting the stream's last event to be at `revision`; the new last revision, or a conflict. */
  appendExpecting(streamId: string, events: BenchEvent[], revision: number): Promise<number | Conflict>;
  /** The revision of the stream's last event, known to be at least `knownRevision`. */
  lastRevision(streamId: string, knownRevision: number): Promise<number>;
  /** Reads a whole stream and returns how many events it had. */
  readWholeStream(streamId: string): Promise<number>;

  /** Reads every event of the store, page by page, from the start; `onEvent` gets each event id. */
  readAllPaged(pageSize: number, onEvent: (eventId: string) => void): Promise<void>;
  /** Subscribes from the start and resolves once the subscription has caught up. */
  catchUp(onEvent: (eventId: string) => void): Promise<void>;
  /** A subscriber from the current end, or the reason there is none for this placement. */
  subscribeLive(placement: SubscriberPlacement, onEventData: (data: Record<string, unknown>) => void): Promise<LiveSubscriber | { unavailable: string }>;

  /** How many database connections its pool has opened so far, when known (a pool replaces connections it drops). */
  connectionsOpened?(): number;
  /** Settings that shape the figures, for the report (pool size, batch sizes, ...). */
  readonly notes: Record<string, string>;
  close(): Promise<void>;
}
