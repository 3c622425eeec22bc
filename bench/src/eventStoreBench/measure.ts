/** Timing and statistics helpers shared by the event store workloads. */
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** The value below which `fraction` of the samples fall (nearest rank); NaN when there are none. */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

/** Runs `work` and returns how long it took in milliseconds. */
export async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/**
 * Runs `writers` concurrent loops that together call `operation` exactly `count` times
 * (each call gets its own index) and resolves when all are done.
 */
export async function runCount(count: number, writers: number, operation: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < count) await operation(next++);
    }),
  );
}

/** Runs `writers` concurrent loops calling `operation` until `durationMs` has passed. */
export async function runFor(durationMs: number, writers: number, operation: (writer: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (performance.now() < deadline) await operation(writer);
    }),
  );
  return performance.now() - started;
}

/**
 * Calls `fire` at a steady `ratePerSecond` for `durationMs` (catching up in small bursts when a
 * timer fires late) and returns how many calls were made. `fire` must not block: it starts work
 * and hands back its promise, which is awaited at the end.
 */
export async function runPaced(ratePerSecond: number, durationMs: number, fire: (sequence: number) => Promise<unknown>): Promise<number> {
  const total = Math.round((ratePerSecond * durationMs) / 1000);
  const inFlight: Promise<unknown>[] = [];
  const started = performance.now();
  let sequence = 0;
  while (sequence < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * ratePerSecond) / 1000) + 1);
    while (sequence < due) inFlight.push(fire(sequence++));
    await sleep(1);
  }
  await Promise.all(inFlight);
  return total;
}

/** Resolves once `condition()` holds, or after `timeoutMs`; says which. */
export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}
