/**
 * The RabbitMQ `Transport`: one recovering connection, a confirm-channel publisher opened on
 * first use, and one channel per subscription. Use one transport for publishing (the relay) and
 * another for consuming: RabbitMQ throttles a publishing connection under a resource alarm, and
 * consumers on it would stall with it.
 */
import { assertExchangeName, assertIntegerInRange } from '../names';
import { createLogger, type Logger } from '../../logging';
import type { OutboundMessage } from '../publisher';
import { assertSubscriptionSpec, type Deliver, type Subscription, type SubscriptionSpec, type Transport } from '../transport';
import { ConfirmPublisher } from './confirmPublisher';
import { RabbitMqConnection, type RabbitMqConnectionStatus } from './connection';
import { QueueSubscription } from './queueSubscription';

export const DEFAULT_EXCHANGE = 'bdbazar.events';

export interface RabbitMqTransportOptions {
  /** `amqp://user:password@host:port/vhost`; a `heartbeat` query parameter overrides `heartbeatSeconds`. */
  url: string;
  /** The topic exchange integration events go through; durable. Default `bdbazar.events`. */
  exchange?: string;
  /**
   * Put before every consumer's queue name (and its dead-letter queue's), so that several
   * marketplaces can share one broker and vhost (staging beside test runs) without taking each
   * other's messages. Default none: queues are named by their consumer alone.
   */
  queuePrefix?: string;
  /** Shown in the management UI. Default `bdbazar`. */
  connectionName?: string;
  /** Reconnect back-off. Default 100 ms doubling up to 10 s, for ever. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Default 10 s. */
  heartbeatSeconds?: number;
  /** How long `openRabbitMqTransport` waits for the first connection. Default 30 s. */
  connectTimeoutMs?: number;
  /** How long a publish may take, reconnecting and sending again included. Default 30 s. */
  publishTimeoutMs?: number;
  logger?: Logger;
}

export interface RabbitMqTransport extends Transport {
  readonly kind: 'rabbitmq';
  readonly exchange: string;
  status(): RabbitMqConnectionStatus;
}

export async function openRabbitMqTransport(options: RabbitMqTransportOptions): Promise<RabbitMqTransport> {
  const exchange = options.exchange ?? DEFAULT_EXCHANGE;
  assertExchangeName(exchange);
  const reconnect = { initialDelayMs: options.reconnect?.initialDelayMs ?? 100, maxDelayMs: options.reconnect?.maxDelayMs ?? 10_000 };
  assertIntegerInRange(reconnect.initialDelayMs, 'reconnect.initialDelayMs', 1, 600_000);
  assertIntegerInRange(reconnect.maxDelayMs, 'reconnect.maxDelayMs', reconnect.initialDelayMs, 600_000);
  const heartbeatSeconds = options.heartbeatSeconds ?? 10;
  assertIntegerInRange(heartbeatSeconds, 'heartbeatSeconds', 0, 3_600);
  const publishTimeoutMs = options.publishTimeoutMs ?? 30_000;
  assertIntegerInRange(publishTimeoutMs, 'publishTimeoutMs', 1, 3_600_000);
  const logger = options.logger ?? createLogger({ name: 'bdbazar.messaging.rabbitmq' });

  const connection = await RabbitMqConnection.open({
    url: options.url,
    exchange,
    connectionName: options.connectionName ?? 'bdbazar',
    reconnect,
    heartbeatSeconds,
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    logger,
  });
  return new RabbitMq(connection, exchange, options.queuePrefix ?? '', publishTimeoutMs, logger);
}

class RabbitMq implements RabbitMqTransport {
  readonly kind = 'rabbitmq' as const;
  private publisher: Promise<ConfirmPublisher> | null = null;
  private readonly subscriptions = new Set<QueueSubscription>();

  constructor(
    private readonly connection: RabbitMqConnection,
    readonly exchange: string,
    private readonly queuePrefix: string,
    private readonly publishTimeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async publish(messages: readonly OutboundMessage[]): Promise<void> {
    const publisher = await (this.publisher ??= this.openPublisher());
    await publisher.publish(messages);
  }

  async subscribe(consumerSpec: SubscriptionSpec, deliver: Deliver): Promise<Subscription> {
    const spec = this.queuePrefix === '' ? consumerSpec : { ...consumerSpec, name: `${this.queuePrefix}${consumerSpec.name}` };
    assertSubscriptionSpec(spec);
    const subscription = new QueueSubscription(this.connection, this.exchange, spec, deliver, this.logger);
    await this.connection.register(subscription);
    this.subscriptions.add(subscription);
    return {
      stop: async () => {
        this.subscriptions.delete(subscription);
        await subscription.stop();
      },
    };
  }

  status(): RabbitMqConnectionStatus {
    return this.connection.status();
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    this.subscriptions.clear();
    if (this.publisher) await (await this.publisher).close();
    await this.connection.close();
  }

  private async openPublisher(): Promise<ConfirmPublisher> {
    const publisher = new ConfirmPublisher(this.connection, { exchange: this.exchange, queuePrefix: this.queuePrefix, publishTimeoutMs: this.publishTimeoutMs, logger: this.logger });
    try {
      // When the broker is unreachable right now, the publisher opens on reconnect and
      // `publish` waits for it (up to publishTimeoutMs).
      await this.connection.register(publisher);
    } catch (error) {
      this.publisher = null;
      throw error;
    }
    return publisher;
  }
}
