/**
 * Housekeeping that runs every interval for as long as a process does (deleting inbox records or
 * idempotency keys past their time): the first run at a random moment within the first interval,
 * so that processes started together do not all run it together, then one an interval after each
 * run ends. The timer keeps no process alive.
 */
export interface PeriodicWork {
  /** Schedules no more runs and waits for the one under way, which `stopped()` tells to end early. */
  stop(): Promise<void>;
}

/** `work` must handle its own errors (log them): a run that fails is simply followed by the next. */
export function startPeriodicWork(intervalMs: number, work: (stopped: () => boolean) => Promise<void>): PeriodicWork {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`The interval of periodic work must be a positive number of milliseconds, got ${intervalMs}.`);
  let stopping = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stopped = () => stopping;
  const schedule = (delayMs: number): void => {
    if (stopping) return;
    timer = setTimeout(() => {
      running = work(stopped)
        .catch(() => undefined)
        .finally(() => {
          running = undefined;
          schedule(intervalMs);
        });
    }, delayMs);
    timer.unref();
  };
  schedule(Math.random() * intervalMs);
  return {
    stop: async () => {
      stopping = true;
      clearTimeout(timer);
      await running;
    },
  };
}
