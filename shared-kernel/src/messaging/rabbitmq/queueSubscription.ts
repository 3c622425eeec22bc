/**
 * A subscription on RabbitMQ: the consumer's durable quorum queue, bound to its routing keys, with
 * a dead-letter queue `<name>.dlq`, consumed with manual acknowledgements.
 *
 * Why quorum queues: they count deliveries per message (`x-delivery-count`), so
 * `x-delivery-limit` dead-letters a poison message after a bounded number of attempts while the
 * messages behind it keep flowing; a classic queue would hand it out for ever. RabbitMQ counts
 * *returns*: a limit of n allows n + 1 deliveries, hence `maxAttempts - 1`. Dead-lettering goes
 * through the default exchange straight to `<name>.dlq`, `at-least-once` (the broker keeps the
 * message until the dead-letter queue has confirmed it; this strategy requires
 * `x-overflow: reject-publish`).
 */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../../logging';
import { errorMessage, MessagingConfigurationError } from '../errors';
import { deadLetterQueueName, decodeIntegrationEvent, type Deliver, type InboundMessage, type Subscription, type SubscriptionSpec } from '../transport';
import type { ChannelOwner, RabbitMqConnection } from './connection';
import { assertEventsExchange } from './topology';

export class QueueSubscription implements Subscription, ChannelOwner {
  readonly description: string;
  private channel: Channel | null = null;
  private consumerTag: string | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly exchange: string,
    private readonly spec: SubscriptionSpec,
    private readonly deliver: Deliver,
    private readonly logger: Logger,
  ) {
    this.description = `subscription '${spec.name}'`;
  }

  async open(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.logger.warn({ consumer: this.spec.name, error: error.message }, 'RabbitMQ consumer: channel error'));
    channel.on('close', () => this.onChannelClosed(channel, model));
    try {
      await declareConsumerQueues(channel, this.exchange, this.spec);
      await channel.prefetch(this.spec.prefetch);
      this.channel = channel;
      const { consumerTag } = await channel.consume(this.spec.name, (message) => this.onMessage(channel, message), { noAck: false });
      this.consumerTag = consumerTag;
      if (this.stopping) await this.stop(); // stopped while this channel was being opened
    } catch (error) {
      if (this.channel === channel) this.channel = null;
      await channel.close().catch(() => undefined); // usually closed already by the broker's refusal
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.connection.unregister(this);
    const channel = this.channel;
    if (channel && this.consumerTag) await channel.cancel(this.consumerTag).catch(() => undefined); // the channel may be gone already
    await Promise.allSettled([...this.inFlight]);
    this.channel = null;
    if (channel) await channel.close().catch(() => undefined);
  }

  private onMessage(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us (the queue was deleted): close, and the channel is reopened,
      // declaring the queue again.
      this.logger.warn({ consumer: this.spec.name }, 'RabbitMQ consumer: cancelled by the broker; consuming again');
      void channel.close().catch(() => undefined);
      return;
    }
    let inbound: InboundMessage;
    try {
      const { messageId, event } = decodeIntegrationEvent(message.content.toString('utf8'), message.properties.messageId as string | undefined);
      const returns = Number(message.properties.headers?.['x-delivery-count'] ?? 0);
      // A message addressed to this consumer came through the default exchange, keyed by the queue's name.
      const routingKey = message.fields.exchange === '' ? event.type : message.fields.routingKey;
      inbound = { messageId, event, routingKey, attempt: returns + 1, maxAttempts: this.spec.maxAttempts };
    } catch (error) {
      this.logger.error(
        { consumer: this.spec.name, messageId: message.properties.messageId, routingKey: message.fields.routingKey, error: errorMessage(error) },
        `RabbitMQ consumer: unreadable message moved to ${deadLetterQueueName(this.spec.name)}`,
      );
      this.settle(message, () => channel.nack(message, false, false));
      return;
    }
    const work = this.deliver(inbound).then(
      () => this.settle(message, () => channel.ack(message)),
      // Requeue: the queue counts the delivery and dead-letters the message at the limit.
      () => this.settle(message, () => channel.nack(message, false, true)),
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /**
   * Acks and nacks go to the channel that delivered the message. When it has closed meanwhile,
   * amqplib throws; the broker has already put the message back, and its redelivery finds it in
   * the inbox if it was handled, so there is nothing left to do but say so.
   */
  private settle(message: ConsumeMessage, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.logger.debug(
        { consumer: this.spec.name, messageId: message.properties.messageId, error: errorMessage(error) },
        'RabbitMQ consumer: the channel closed before the message was settled; the broker delivers it again',
      );
    }
  }

  private onChannelClosed(channel: Channel, model: ChannelModel): void {
    if (this.channel !== channel) return;
    this.channel = null;
    this.consumerTag = null;
    if (!this.stopping) this.connection.channelLost(this, model);
  }
}

export async function declareConsumerQueues(channel: Channel, exchange: string, spec: SubscriptionSpec): Promise<void> {
  const deadLetters = deadLetterQueueName(spec.name);
  await declare(`the dead-letter queue '${deadLetters}'`, () =>
    channel.assertQueue(deadLetters, { durable: true, arguments: { 'x-queue-type': 'quorum' } }),
  );
  await declare(`the queue '${spec.name}'`, () =>
    channel.assertQueue(spec.name, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': spec.maxAttempts - 1,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': deadLetters,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    }),
  );
  await assertEventsExchange(channel, exchange);
  for (const pattern of spec.routingKeys) await channel.bindQueue(spec.name, exchange, pattern);
}

async function declare(what: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if ((error as { code?: number }).code === 406) {
      throw new MessagingConfigurationError(
        `RabbitMQ refused ${what}: it exists with other arguments (${errorMessage(error)}). ` +
          'A queue cannot change its type, delivery limit or dead-lettering once declared: drain and delete it, or use another consumer name.',
      );
    }
    throw error;
  }
}
