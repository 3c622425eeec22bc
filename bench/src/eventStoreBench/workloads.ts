/** The five workloads, each a small function over the neutral `BenchTarget`. */
import { randomUUID } from 'node:crypto';
import { newStreamId, orderEvents, orderPlaced } from './events';
import { percentile, perSecond, runCount, runFor, runPaced, sleep, timed, waitUntil } from './measure';
import type { BenchTarget, SubscriberPlacement } from './target';

// 1. Appends to new streams --------------------------------------------------------------------

export interface AppendsResult {
  writers: number;
  appends: number;
  perSecond: number;
}

/** One event per append, each to a new stream expected not to exist, after a short warm-up. */
export async function appendsToNewStreams(target: BenchTarget, writers: number, appends: number, warmUp: number): Promise<AppendsResult> {
  const appendOne = async (index: number): Promise<void> => target.appendToNewStream(newStreamId('bench'), [orderPlaced(index)]);
  await runCount(warmUp, writers, appendOne);
  const elapsed = await timed(() => runCount(appends, writers, appendOne));
  return { writers, appends, perSecond: perSecond(appends, elapsed) };
}

// 2. Hot streams with expected revisions ---------------------------------------------------------

export interface HotStreamsResult {
  writers: number;
  streams: number;
  durationMs: number;
  successes: number;
  conflicts: number;
  perSecond: number;
  /** Connections the target's pool opened during the run (null when it cannot tell). */
  connectionsOpened: number | null;
}

/**
 * `writers` writers append to random streams among `streams` hot ones, each expecting the revision
 * last seen for that stream; a conflict is counted, the stream's last revision re-read, and the
 * writer moves on.
 */
export async function hotStreams(target: BenchTarget, writers: number, streams: number, durationMs: number): Promise<HotStreamsResult> {
  const streamIds = Array.from({ length: streams }, () => newStreamId('hot'));
  for (const streamId of streamIds) await target.appendToNewStream(streamId, [orderPlaced(0)]);
  const lastKnown = streamIds.map(() => 0);
  let successes = 0;
  let conflicts = 0;
  const openedBefore = target.connectionsOpened?.();

  const elapsed = await runFor(durationMs, writers, async () => {
    const index = Math.floor(Math.random() * streams);
    const streamId = streamIds[index] as string;
    const expected = lastKnown[index] as number;
    const result = await target.appendExpecting(streamId, [orderPlaced(successes)], expected);
    if (result === 'conflict') {
      conflicts++;
      const latest = await target.lastRevision(streamId, expected);
      lastKnown[index] = Math.max(lastKnown[index] as number, latest);
    } else {
      successes++;
      lastKnown[index] = Math.max(lastKnown[index] as number, result);
    }
  });
  const openedAfter = target.connectionsOpened?.();
  const connectionsOpened = openedBefore === undefined || openedAfter === undefined ? null : openedAfter - openedBefore;
  return { writers, streams, durationMs: elapsed, successes, conflicts, perSecond: perSecond(successes, elapsed), connectionsOpened };
}

// 3. Reading a long stream -----------------------------------------------------------------------

export interface StreamReadResult {
  events: number;
  reads: number;
  p50Ms: number;
  p99Ms: number;
}

export async function readLongStream(target: BenchTarget, events: number, reads: number, warmUp: number): Promise<StreamReadResult> {
  const streamId = newStreamId('read');
  const batch = 100;
  await target.appendToNewStream(streamId, orderEvents(batch));
  for (let written = batch; written < events; written += batch) await target.appendAnyRevision(streamId, orderEvents(batch, written));

  const readOnce = async (): Promise<number> => {
    const started = performance.now();
    const count = await target.readWholeStream(streamId);
    const elapsed = performance.now() - started;
    if (count !== events) throw new Error(`${target.name} read ${count} events of a ${events}-event stream.`);
    return elapsed;
  };
  for (let i = 0; i < warmUp; i++) await readOnce();
  const samples: number[] = [];
  for (let i = 0; i < reads; i++) samples.push(await readOnce());
  return { events, reads, p50Ms: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99) };
}

// 4. Catch-up ------------------------------------------------------------------------------------

export interface Fill {
  eventIds: string[];
  perSecond: number;
}

/** Fills an empty store with `events` events: `writers` writers, `batch` events an append, over `streams` streams. */
export async function fillStore(target: BenchTarget, events: number, writers: number, batch: number, streams: number): Promise<Fill> {
  const eventIds: string[] = [];
  const elapsed = await timed(() =>
    runCount(Math.ceil(events / batch), writers, async (index) => {
      const appended = orderEvents(batch, index * batch);
      await target.appendAnyRevision(`catchup-${index % streams}`, appended);
      for (const event of appended) eventIds.push(event.id);
    }),
  );
  return { eventIds, perSecond: perSecond(eventIds.length, elapsed) };
}

/** How a reader's deliveries compare with what was appended. */
export interface Delivery {
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  exactlyOnce: boolean;
}

export interface CatchUpResult {
  events: number;
  perSecond: number;
  delivery: Delivery;
}

/** Paging with readAll (pageSize events a page), from the start to the end. */
export async function catchUpByPaging(target: BenchTarget, eventIds: readonly string[], pageSize: number): Promise<CatchUpResult> {
  return catchUpWith(eventIds, (onEvent) => target.readAllPaged(pageSize, onEvent));
}

/** A subscription from the start until it says it has caught up. */
export async function catchUpBySubscription(target: BenchTarget, eventIds: readonly string[]): Promise<CatchUpResult> {
  return catchUpWith(eventIds, (onEvent) => target.catchUp(onEvent));
}

async function catchUpWith(eventIds: readonly string[], read: (onEvent: (eventId: string) => void) => Promise<void>): Promise<CatchUpResult> {
  const delivered: string[] = [];
  const elapsed = await timed(() => read((eventId) => delivered.push(eventId)));
  return { events: delivered.length, perSecond: perSecond(delivered.length, elapsed), delivery: compareDelivery(eventIds, delivered) };
}

export function compareDelivery(expectedIds: readonly string[], deliveredIds: readonly string[]): Delivery {
  const times = new Map<string, number>();
  for (const id of deliveredIds) times.set(id.toLowerCase(), (times.get(id.toLowerCase()) ?? 0) + 1);
  const expected = new Set(expectedIds.map((id) => id.toLowerCase()));
  let missing = 0;
  for (const id of expected) if (!times.has(id)) missing++;
  let duplicates = 0;
  let unexpected = 0;
  for (const [id, count] of times) {
    if (count > 1) duplicates += count - 1;
    if (!expected.has(id)) unexpected += count;
  }
  return {
    expected: expected.size,
    delivered: deliveredIds.length,
    missing,
    duplicates,
    unexpected,
    exactlyOnce: missing === 0 && duplicates === 0 && unexpected === 0,
  };
}

// 5. Append-to-subscriber latency ----------------------------------------------------------------

export type LatencyResult =
  | { placement: SubscriberPlacement; sent: number; received: number; p50Ms: number; p99Ms: number; maxMs: number }
  | { placement: SubscriberPlacement; unavailable: string };

/**
 * Appends at a steady `ratePerSecond` for `durationMs` (one event per append, each to a new
 * stream) while a subscriber from the end on each placement timestamps what it receives: the time
 * from just before appendToStream to the subscriber's next().
 */
export async function appendToSubscriberLatency(
  target: BenchTarget,
  placements: readonly SubscriberPlacement[],
  ratePerSecond: number,
  durationMs: number,
): Promise<LatencyResult[]> {
  const runTag = randomUUID();
  const subscribers = await Promise.all(
    placements.map(async (placement) => {
      const latencies: number[] = [];
      const subscriber = await target.subscribeLive(placement, (data) => {
        if (data.runTag === runTag && typeof data.sentAt === 'number') latencies.push(performance.now() - data.sentAt);
      });
      return { placement, latencies, subscriber };
    }),
  );
  const live = subscribers.flatMap((s) => ('unavailable' in s.subscriber ? [] : [s.subscriber]));
  await Promise.all(live.map((subscriber) => subscriber.ready));
  await sleep(200);

  const sent = await runPaced(ratePerSecond, durationMs, (sequence) => {
    const event = orderPlaced(sequence, { runTag, sentAt: 0 });
    event.data.sentAt = performance.now();
    return target.appendToNewStream(newStreamId('latency'), [event]);
  });
  await waitUntil(() => subscribers.every((s) => 'unavailable' in s.subscriber || s.latencies.length >= sent), 5_000);
  for (const subscriber of live) await subscriber.stop();

  return subscribers.map(({ placement, latencies, subscriber }) =>
    'unavailable' in subscriber
      ? { placement, unavailable: subscriber.unavailable }
      : {
          placement,
          sent,
          received: latencies.length,
          p50Ms: percentile(latencies, 0.5),
          p99Ms: percentile(latencies, 0.99),
          maxMs: Math.max(...latencies),
        },
  );
}
