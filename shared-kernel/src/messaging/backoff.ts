/**
 * Small timing helpers shared by the relay and the transports: exponential back-off with jitter
 * (so that many processes retrying the same broker or database do not retry in step), and a
 * signal that cuts a wait short (a `notify()`, a `stop()`).
 */

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** The delay before the next try, growing with each failure since the last `reset()`. */
  next(): number {
    const delay = delayFor(this.options, this.failures);
    this.failures += 1;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}

/** `initialDelayMs * 2^failures`, capped, with ±20 % jitter that stays under the cap. */
export function delayFor(options: BackoffOptions, failures: number): number {
  const base = Math.min(options.maxDelayMs / 1.2, options.initialDelayMs * 2 ** Math.min(failures, 30));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * A wait that `fire()` ends early. A `fire()` while nobody waits is remembered for the next
 * `wait()`, so a notification that lands between "found nothing" and "go to sleep" is not lost.
 */
export class Signal {
  private waiters = new Set<() => void>();
  private pending = false;

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
    });
  }

  fire(): void {
    if (this.waiters.size === 0) {
      this.pending = true;
      return;
    }
    for (const done of [...this.waiters]) done();
  }
}
