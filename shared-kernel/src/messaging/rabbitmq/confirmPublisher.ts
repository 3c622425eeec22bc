/**
 * The `Publisher` on RabbitMQ: one confirm channel, messages persistent and mandatory.
 *
 * A publish resolves when the broker has confirmed every message. The broker sends
 * `basic.return` for an unroutable message before its `basic.ack`, on the same channel, so an
 * ack for a message we saw returned is counted as `unroutable`, not as success. When the
 * channel or connection goes away before a message is confirmed, the message is sent again on
 * the next channel (at-least-once: the broker may have it already; consumers deduplicate), until
 * `publishTimeoutMs` has passed since the call.
 */
import type { ChannelModel, ConfirmChannel, Message } from 'amqplib';
import { PublishError, type PublishFailure, type PublishFailureReason } from '../errors';
import type { Logger } from '../../logging';
import { assertRoutingKey } from '../names';
import type { OutboundMessage, Publisher } from '../publisher';
import type { ChannelOwner, RabbitMqConnection } from './connection';
import { assertEventsExchange } from './topology';

export interface ConfirmPublisherOptions {
  exchange: string;
  /** Put before a consumer's name to make its queue's: where a message with a `destination` goes. */
  queuePrefix: string;
  publishTimeoutMs: number;
  logger: Logger;
}

interface Encoded {
  message: OutboundMessage;
  body: Buffer;
}

/** What became of one message on one channel. `resend`: the channel went away first. */
type Outcome = 'confirmed' | 'resend' | PublishFailureReason;

export class ConfirmPublisher implements Publisher, ChannelOwner {
  readonly description = 'publisher (confirm channel)';
  private channel: ConfirmChannel | null = null;
  private channelWaiters = new Set<() => void>();
  /** Returned (unroutable) message ids whose ack has not arrived yet, on the current channel. */
  private returned = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly options: ConfirmPublisherOptions,
  ) {}

  async open(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) => this.options.logger.warn({ error: error.message }, 'RabbitMQ publisher: channel error'));
    channel.on('return', (message: Message) => this.onReturn(channel, message));
    channel.on('close', () => this.onChannelClosed(channel, model));
    // Also asserted on every connect; again here in case only the channel was lost because the
    // exchange was deleted under us.
    await assertEventsExchange(channel, this.options.exchange);
    if (this.closed) {
      await channel.close(); // closed while this channel was being opened
      return;
    }
    this.returned.clear();
    this.channel = channel;
    for (const wake of [...this.channelWaiters]) wake();
  }

  async publish(messages: readonly OutboundMessage[]): Promise<void> {
    messages.forEach((message) => assertRoutingKey(message.routingKey));
    if (messages.length === 0) return;
    const deadline = Date.now() + this.options.publishTimeoutMs;
    const failures: PublishFailure[] = [];
    // Serialised once: a payload that is not JSON fails the call here, before anything is sent.
    let pending: Encoded[] = messages.map((message) => ({ message, body: Buffer.from(JSON.stringify(message.payload)) }));
    while (pending.length > 0) {
      const channel = await this.channelBefore(deadline);
      if (!channel) {
        const reason = this.closed ? 'closed' : 'connection';
        failures.push(...pending.map(({ message }) => failure(message, reason)));
        break;
      }
      const outcomes = await this.sendOn(channel, pending, deadline);
      failures.push(...pending.flatMap(({ message }, i) => (isFailure(outcomes[i]!) ? [failure(message, outcomes[i] as PublishFailureReason)] : [])));
      const resend = pending.filter((_, i) => outcomes[i] === 'resend');
      if (resend.length > 0) {
        this.options.logger.info({ messages: resend.length }, 'RabbitMQ publisher: the channel closed before the broker confirmed; sending again');
        // A breath before the next channel, so that an unforeseen channel state cannot spin this loop.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      pending = resend;
    }
    if (failures.length > 0) {
      const unroutable = failures.filter((f) => f.reason === 'unroutable');
      if (unroutable.length > 0) {
        this.options.logger.warn(
          { exchange: this.options.exchange, routingKeys: [...new Set(unroutable.map((f) => f.routingKey))], messages: unroutable.length },
          'RabbitMQ publisher: messages were unroutable (no queue bound for their routing key)',
        );
      }
      throw new PublishError(failures, messages.length);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connection.unregister(this);
    for (const wake of [...this.channelWaiters]) wake();
    const channel = this.channel;
    this.channel = null;
    if (channel) await channel.close().catch(() => undefined); // already closed with its connection
  }

  /** Publishes on one channel and waits for every message's confirm (or the channel's end). */
  private sendOn(channel: ConfirmChannel, messages: readonly Encoded[], deadline: number): Promise<Outcome[]> {
    return new Promise((resolve) => {
      const outcomes: (Outcome | undefined)[] = new Array(messages.length);
      let unsettled = messages.length;
      let finished = false;
      const settle = (index: number, outcome: Outcome): void => {
        if (outcomes[index] !== undefined) return;
        outcomes[index] = outcome;
        unsettled -= 1;
        if (unsettled === 0) finish();
      };
      const finish = (): void => {
        finished = true;
        clearTimeout(timer);
        resolve(outcomes.map((outcome) => outcome ?? 'timeout'));
      };
      const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));

      const send = async (): Promise<void> => {
        for (let i = 0; i < messages.length && !finished; i += 1) {
          const { message, body } = messages[i]!;
          if (this.channel !== channel) {
            settle(i, 'resend');
            continue;
          }
          let flushed: boolean;
          try {
            // Addressed to one consumer: straight to its queue through the default exchange
            // (unroutable, and so reported, when it has none).
            const [exchange, routingKey] =
              message.destination === undefined ? [this.options.exchange, message.routingKey] : ['', `${this.options.queuePrefix}${message.destination}`];
            flushed = channel.publish(exchange, routingKey, body, {
              persistent: true,
              mandatory: true,
              messageId: message.messageId,
              type: message.routingKey,
              contentType: 'application/json',
              correlationId: message.payload.correlationId ?? undefined,
              timestamp: Math.floor(Date.now() / 1000),
              headers: message.headers,
            }, (error: Error | null) => settle(i, this.confirmOutcome(message, error)));
          } catch {
            // The channel closed between our check and the write (amqplib throws "Channel closed").
            settle(i, 'resend');
            continue;
          }
          if (!flushed) await drained(channel);
        }
      };
      void send();
    });
  }

  private confirmOutcome(message: OutboundMessage, error: Error | null): Outcome {
    if (error) return /nack/i.test(error.message) ? 'nacked' : 'resend';
    const returns = this.returned.get(message.messageId) ?? 0;
    if (returns === 0) return 'confirmed';
    if (returns === 1) this.returned.delete(message.messageId);
    else this.returned.set(message.messageId, returns - 1);
    return 'unroutable';
  }

  private onReturn(channel: ConfirmChannel, message: Message): void {
    if (channel !== this.channel) return;
    const id = String(message.properties.messageId);
    this.returned.set(id, (this.returned.get(id) ?? 0) + 1);
  }

  private onChannelClosed(channel: ConfirmChannel, model: ChannelModel): void {
    if (this.channel !== channel) return;
    this.channel = null;
    this.returned.clear();
    if (!this.closed) this.connection.channelLost(this, model);
  }

  private channelBefore(deadline: number): Promise<ConfirmChannel | null> {
    if (this.channel || this.closed) return Promise.resolve(this.channel);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.channelWaiters.delete(wake);
        resolve(this.channel);
      };
      const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
      this.channelWaiters.add(wake);
    });
  }
}

function isFailure(outcome: Outcome): boolean {
  return outcome !== 'confirmed' && outcome !== 'resend';
}

function failure(message: OutboundMessage, reason: PublishFailureReason): PublishFailure {
  return { messageId: message.messageId, routingKey: message.routingKey, reason };
}

/** Waits until the socket buffer has room again, or the channel is gone. */
function drained(channel: ConfirmChannel): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      channel.removeListener('drain', done);
      channel.removeListener('close', done);
      resolve();
    };
    channel.once('drain', done);
    channel.once('close', done);
  });
}
