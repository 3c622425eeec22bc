/** Wakes waiting subscriptions when the store announces a commit (LISTEN/NOTIFY or in-process). */
export class Wakeup {
  private notifications = 0;
  private readonly waiters = new Set<() => void>();

  /** How many notifications have arrived so far. */
  get count(): number {
    return this.notifications;
  }

  notify(): void {
    this.notifications++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves true as soon as a notification arrives after `seen` (at once if one already has),
   * or false after `timeoutMs`.
   */
  wait(seen: number, timeoutMs: number): Promise<boolean> {
    if (this.notifications !== seen) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  /** Sleeps, but wakes early on close (a notification). */
  async sleep(ms: number): Promise<void> {
    await this.wait(this.notifications, ms);
  }
}
