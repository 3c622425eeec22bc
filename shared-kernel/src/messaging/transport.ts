/**
 * What a bus must offer for `startConsumer` to work on it: a `Publisher`, and subscriptions with
 * the same delivery rules on RabbitMQ and in-process:
 *
 * - one durable queue per consumer name, bound to the consumer's routing-key patterns;
 * - at-least-once: a message is delivered again until `deliver` resolves;
 * - attempts are counted; after `maxAttempts` failed deliveries the message is parked in the
 *   consumer's dead-letter queue and the messages behind it keep flowing;
 * - up to `prefetch` messages are handed out at once (`prefetch: 1` handles them one by one);
 * - a message that cannot be read as an integration event is parked at once.
 */
import { validate as isUuid } from 'uuid';
import { MessagingConfigurationError } from './errors';
import type { IntegrationEvent } from './integrationEvent';
import { assertBindingPattern, assertConsumerName, assertIntegerInRange } from './names';
import type { Publisher } from './publisher';

export interface SubscriptionSpec {
  /** The queue's name (and the dead-letter queue's: `<name>.dlq`). */
  name: string;
  routingKeys: readonly string[];
  /** Deliveries of one message before it is dead-lettered; at least 1. */
  maxAttempts: number;
  /** Messages handed out before one is settled. */
  prefetch: number;
}

export interface InboundMessage {
  messageId: string;
  routingKey: string;
  event: IntegrationEvent;
  /** 1 on the first delivery. */
  attempt: number;
  maxAttempts: number;
}

/** Resolve: the message is done (acknowledged). Reject: deliver it again, or dead-letter it. */
export type Deliver = (message: InboundMessage) => Promise<void>;

export interface Subscription {
  /** Stops taking messages and waits for the deliveries in progress to settle. */
  stop(): Promise<void>;
}

export interface Transport extends Publisher {
  readonly kind: 'rabbitmq' | 'in-process';
  subscribe(spec: SubscriptionSpec, deliver: Deliver): Promise<Subscription>;
}

export const DEAD_LETTER_SUFFIX = '.dlq';

export function deadLetterQueueName(consumer: string): string {
  return `${consumer}${DEAD_LETTER_SUFFIX}`;
}

export function assertSubscriptionSpec(spec: SubscriptionSpec): void {
  assertConsumerName(spec.name);
  if (!Array.isArray(spec.routingKeys) || spec.routingKeys.length === 0) {
    throw new MessagingConfigurationError(`Consumer '${spec.name}' needs at least one routing key to bind its queue to.`);
  }
  spec.routingKeys.forEach(assertBindingPattern);
  assertIntegerInRange(spec.maxAttempts, `maxAttempts of consumer '${spec.name}'`, 1, 1_000);
  assertIntegerInRange(spec.prefetch, `prefetch of consumer '${spec.name}'`, 1, 10_000);
}

/** A message body that cannot be handled however often it is delivered. */
export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

/**
 * Reads a message body as an integration event. `messageId` is the transport's message id,
 * which the inbox keys on; the body's own `messageId` must agree when present.
 */
export function decodeIntegrationEvent(body: string, messageId: string | undefined): { messageId: string; event: IntegrationEvent } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new MalformedMessageError(`The body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MalformedMessageError('The body is not a JSON object.');
  }
  const event = parsed as Partial<IntegrationEvent>;
  const id = messageId ?? event.messageId;
  if (typeof id !== 'string' || !isUuid(id)) throw new MalformedMessageError(`The message id ${JSON.stringify(id)} is not a UUID.`);
  if (event.messageId !== undefined && event.messageId !== id) {
    throw new MalformedMessageError(`The message id ${id} differs from the event's messageId ${JSON.stringify(event.messageId)}.`);
  }
  if (typeof event.type !== 'string') throw new MalformedMessageError('The event has no type.');
  if (typeof event.data !== 'object' || event.data === null) throw new MalformedMessageError('The event has no data object.');
  return { messageId: id, event: event as IntegrationEvent };
}
