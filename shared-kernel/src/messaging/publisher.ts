/**
 * The publishing port: a batch of integration events goes out, and the promise says whether the
 * bus took responsibility for every one of them. Adapters: RabbitMQ (rabbitmq/) and the
 * in-process bus.
 */
import type { IntegrationEvent } from './integrationEvent';

export type MessageHeaders = Readonly<Record<string, string | number | boolean>>;

export interface OutboundMessage {
  /** The integration event's message id; consumers deduplicate by it. */
  messageId: string;
  /** The integration event's type, `<context>.<EventName>.v<n>`. */
  routingKey: string;
  payload: IntegrationEvent;
  headers: MessageHeaders;
  /**
   * Only this consumer's queue (a republish for a consumer that joined late), whatever it is
   * bound to; unroutable when the consumer has no queue. Absent: every queue bound to the routing key.
   */
  destination?: string;
}

export interface Publisher {
  /**
   * Resolves once the bus has confirmed every message. Rejects with a `PublishError` listing the
   * messages that were not confirmed (refused, unroutable, or lost with the connection); the
   * others were confirmed, so a caller may forget them and must retry the listed ones.
   */
  publish(messages: readonly OutboundMessage[]): Promise<void>;
  close(): Promise<void>;
}

export function outboundMessage(event: IntegrationEvent, headers: MessageHeaders = {}): OutboundMessage {
  return { messageId: event.messageId, routingKey: event.type, payload: event, headers };
}
