/**
 * Whether a commit's NOTIFY would wake anyone. A writer announces its commits to other processes'
 * subscriptions with a NOTIFY, a small transaction of its own every few milliseconds while it
 * writes. When no other process subscribes (the whole marketplace in one process over
 * PostgreSQL, or a lone writer), those transactions wake no one.
 *
 * So a store that subscribes says so in `<schema>.listeners` (its row kept fresh by a heartbeat,
 * removed when it closes) and greets the channel when it joins. A writer learns who else listens
 * by reading the table once its own LISTEN is up, hears every greeting after that, reads the table
 * again now and then to notice who left, and stops announcing only while it knows for sure that
 * no other store listens. Until it knows (not listening yet, its connection lost, a read failed)
 * it announces, as before. A subscription that misses a wake-up still finds its events at its
 * next poll: this only spares the transactions no one would have heard.
 */
import { NOTIFY_WITHOUT_FLUSH, notifyChannel } from './schema';
import type { SqlDriver } from './sqlDriver';

/** How often a subscribing store renews its row, and how old a row may be before nobody counts it. */
export const LISTENER_HEARTBEAT_MS = 10_000;
const LISTENER_EXPIRY_SECONDS = 30;
/** How often a writer reads the table again, to notice a listener that left. */
export const LISTENER_REREAD_MS = 10_000;
/** The payload greeting the channel: this prefix, then the instance id. Commits carry the bare id. */
export const GREETING_PREFIX = '+';

export class ListenerRegistry {
  /** Whether another store listens: null while this store does not know. */
  private othersListen: boolean | null = null;
  /** Whether this store's LISTEN is up, so that it hears greetings. */
  private hearing = false;
  /** Counts greetings and lost connections, so that a read begun before one cannot undo it. */
  private epoch = 0;
  private registered = false;
  /** Whether the next renewal greets the writers again. */
  private greetAgain = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private reread: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly driver: SqlDriver,
    private readonly schema: string,
    private readonly instanceId: string,
  ) {}

  /** Whether this store's commits must be announced: unless it knows that no other store listens. */
  get announcementsNeeded(): boolean {
    return this.othersListen !== false;
  }

  /** Called once this store's LISTEN is up: from now on it hears greetings, so the table tells the rest. */
  listening(): void {
    this.hearing = true;
    this.epoch++;
    void this.readTable();
  }

  /** This store's LISTEN connection was lost: it can no longer hear who joins. */
  deaf(): void {
    this.hearing = false;
    this.epoch++;
    this.othersListen = null;
    clearTimeout(this.reread);
  }

  /** A payload on the channel; true when it was a greeting (not a commit). */
  heard(payload: string | undefined): boolean {
    if (payload === undefined || !payload.startsWith(GREETING_PREFIX)) return false;
    if (payload.slice(GREETING_PREFIX.length) !== this.instanceId) {
      this.epoch++;
      this.othersListen = true;
    }
    return true;
  }

  /** This store subscribes: its row, kept fresh while it is open, and a greeting to the writers. */
  async join(): Promise<void> {
    if (this.registered || this.closed) return;
    this.registered = true;
    this.greetAgain = true;
    await this.keepRegistered();
    this.heartbeat = setInterval(() => void this.keepRegistered(), LISTENER_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * Renews this store's row, and greets the writers the first time and after a renewal failed
   * (the row may have expired meanwhile, and writers that read the table then stopped announcing).
   * Until then, writers that know nothing announce anyway, and a missed wake-up is a poll later.
   */
  private async keepRegistered(): Promise<void> {
    try {
      await this.renew();
      if (this.greetAgain) {
        await this.driver.query(NOTIFY_WITHOUT_FLUSH, [notifyChannel(this.schema), GREETING_PREFIX + this.instanceId]);
        this.greetAgain = false;
      }
    } catch {
      this.greetAgain = true;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.reread);
    if (this.registered) await this.driver.query(`delete from ${this.schema}.listeners where instance_id = $1`, [this.instanceId]).catch(() => undefined);
  }

  private async renew(): Promise<void> {
    await this.driver.query(
      `with gone as (delete from ${this.schema}.listeners where seen_at < now() - interval '1 day')
       insert into ${this.schema}.listeners (instance_id, seen_at) values ($1, now())
       on conflict (instance_id) do update set seen_at = excluded.seen_at`,
      [this.instanceId],
    );
  }

  private async readTable(): Promise<void> {
    if (this.closed || !this.hearing) return;
    const epoch = this.epoch;
    try {
      const [row] = await this.driver.query<{ others: boolean }>(
        `select exists (select 1 from ${this.schema}.listeners
                         where instance_id <> $1 and seen_at > now() - make_interval(secs => $2)) as others`,
        [this.instanceId, LISTENER_EXPIRY_SECONDS],
      );
      if (this.epoch === epoch) this.othersListen = row?.others ?? null;
    } catch {
      if (this.epoch === epoch) this.othersListen = null;
    }
    if (this.closed || !this.hearing) return;
    clearTimeout(this.reread);
    this.reread = setTimeout(() => void this.readTable(), LISTENER_REREAD_MS);
    this.reread.unref();
  }
}
