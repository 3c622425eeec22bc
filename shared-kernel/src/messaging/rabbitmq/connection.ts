/**
 * One AMQP connection that comes back after a broker restart or a dropped network.
 *
 * Reconnecting is amqplib's built-in recovery (2.x, `connect(url, { recovery })`): exponential
 * back-off with jitter, retried for ever once connected, and a `setup` hook run on every new
 * connection before it is handed out, where we assert the exchange. Its options fit what we need,
 * so there is no loop of our own. amqplib recovers the connection only, not channels or
 * consumers, so each `ChannelOwner` (the publisher, every subscription) registered here opens its
 * channel again on every new connection, and again when only its channel was lost.
 */
import { connect, type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import { Backoff, Signal, type BackoffOptions } from '../backoff';
import type { Logger } from '../../logging';
import { errorMessage, MessagingConfigurationError } from '../errors';
import { assertEventsExchange } from './topology';

/** Keeps a channel open on the connection. */
export interface ChannelOwner {
  readonly description: string;
  /** Opens the owner's channel on this connection (declaring what it needs); may throw. */
  open(model: ChannelModel): Promise<void>;
}

export interface RabbitMqConnectionOptions {
  url: string;
  exchange: string;
  connectionName: string;
  reconnect: BackoffOptions;
  heartbeatSeconds: number;
  /** How long `open` waits for the first connection before it gives up. */
  connectTimeoutMs: number;
  logger: Logger;
}

export interface RabbitMqConnectionStatus {
  connected: boolean;
  connects: number;
  disconnects: number;
}

/** Broker answers that no retry will change: wrong credentials, vhost, or a clashing declaration. */
const FATAL_REPLY = /\b(403|404|406|530) \(|ACCESS[-_]REFUSED|NOT[-_]ALLOWED|PRECONDITION[-_]FAILED/;

export class RabbitMqConnection {
  private model: ChannelModel | null = null;
  private readonly owners = new Set<ChannelOwner>();
  private closing = false;
  private readonly closed = new Signal();
  private connects = 0;
  private disconnects = 0;

  private constructor(
    private readonly recovering: RecoveringChannelModel,
    private readonly options: RabbitMqConnectionOptions,
  ) {}

  static async open(options: RabbitMqConnectionOptions): Promise<RabbitMqConnection> {
    const { exchange, reconnect } = options;
    const recovering = await connect(withHeartbeat(options.url, options.heartbeatSeconds), {
      clientProperties: { connection_name: options.connectionName },
      recovery: {
        initialDelay: reconnect.initialDelayMs,
        maxDelay: reconnect.maxDelayMs,
        maxRetries: Infinity,
        // Listeners go on before the first attempt; `open` below waits for it.
        waitForConnect: false,
        setup: async (model: ChannelModel) => {
          const channel = await model.createChannel();
          channel.on('error', () => undefined); // the failed declaration rejects below
          await assertEventsExchange(channel, exchange);
          await channel.close();
        },
      },
    });
    const connection = new RabbitMqConnection(recovering, options);
    await connection.firstConnection();
    return connection;
  }

  status(): RabbitMqConnectionStatus {
    return { connected: this.model !== null, connects: this.connects, disconnects: this.disconnects };
  }

  /** Opens the owner's channel now if connected (a failure is thrown), and after every reconnect. */
  async register(owner: ChannelOwner): Promise<void> {
    this.owners.add(owner);
    const model = this.model;
    if (!model) return;
    try {
      await owner.open(model);
    } catch (error) {
      this.owners.delete(owner);
      throw error;
    }
  }

  unregister(owner: ChannelOwner): void {
    this.owners.delete(owner);
  }

  /** The owner's channel closed while the connection may still be up (a channel error): reopen it. */
  channelLost(owner: ChannelOwner, model: ChannelModel): void {
    // When the whole connection dropped, its channels close first and 'disconnect' follows;
    // the short wait lets that land, so that we reopen on the next connection, not on this one.
    void this.closed.wait(this.options.reconnect.initialDelayMs).then(() => this.openWithRetry(owner, model));
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.owners.clear();
    this.closed.fire();
    await this.recovering.close();
  }

  private async openWithRetry(owner: ChannelOwner, model: ChannelModel): Promise<void> {
    const backoff = new Backoff(this.options.reconnect);
    while (this.model === model && this.owners.has(owner) && !this.closing) {
      try {
        await owner.open(model);
        return;
      } catch (error) {
        const delayMs = backoff.next();
        this.options.logger.warn({ owner: owner.description, error: errorMessage(error), delayMs }, 'RabbitMQ: could not open a channel; retrying');
        await this.closed.wait(delayMs);
      }
    }
  }

  private firstConnection(): Promise<void> {
    const { logger } = this.options;
    const broker = redact(this.options.url);
    this.recovering.on('connect', (model: ChannelModel) => {
      this.model = model;
      this.connects += 1;
      logger.info({ broker, connects: this.connects }, 'RabbitMQ: connected');
      for (const owner of this.owners) void this.openWithRetry(owner, model);
    });
    this.recovering.on('disconnect', (error: Error) => {
      this.model = null;
      this.disconnects += 1;
      logger.warn({ broker, error: error.message }, 'RabbitMQ: connection lost; reconnecting');
    });
    this.recovering.on('connect-failed', (error: Error) => logger.warn({ broker, error: error.message }, 'RabbitMQ: connection attempt failed'));
    this.recovering.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) =>
      logger.debug({ broker, attempt, delayMs: delay }, 'RabbitMQ: reconnect scheduled'),
    );
    this.recovering.on('reconnect-failed', (error: Error) => logger.error({ broker, error: error.message }, 'RabbitMQ: gave up reconnecting'));
    this.recovering.on('error', (error: Error) => logger.warn({ broker, error: error.message }, 'RabbitMQ: connection error'));
    this.recovering.on('handler-error', (error: Error, event: string) => logger.error({ broker, event, error: error.message }, 'RabbitMQ: a listener threw'));
    this.recovering.on('blocked', (reason: string) => logger.warn({ broker, reason }, 'RabbitMQ: the broker blocks publishing (resource alarm)'));
    this.recovering.on('unblocked', () => logger.info({ broker }, 'RabbitMQ: the broker accepts publishing again'));

    return new Promise<void>((resolve, reject) => {
      let lastError = 'no answer yet';
      const fail = (error: Error): void => {
        clearTimeout(timer);
        this.recovering.removeListener('connect-failed', onFailed);
        void this.close().catch(() => undefined);
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new Error(`RabbitMQ at ${broker} could not be reached within ${this.options.connectTimeoutMs} ms: ${lastError}`)),
        this.options.connectTimeoutMs,
      );
      const onFailed = (error: Error): void => {
        lastError = error.message;
        if (FATAL_REPLY.test(error.message) || [403, 404, 406, 530].includes((error as { code?: number }).code ?? 0)) {
          fail(new MessagingConfigurationError(`RabbitMQ at ${broker} refused the connection or the exchange '${this.options.exchange}': ${error.message}`));
        }
      };
      this.recovering.on('connect-failed', onFailed);
      this.recovering.once('connect', () => {
        clearTimeout(timer);
        this.recovering.removeListener('connect-failed', onFailed);
        resolve();
      });
    });
  }
}

/** Adds a heartbeat to the URL unless it names one: a silent broker is noticed after two misses. */
function withHeartbeat(url: string, seconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(seconds));
  return parsed.toString();
}

export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
