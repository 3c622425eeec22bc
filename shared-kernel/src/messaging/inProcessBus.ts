/**
 * The bus of the embedded default (`npm start`, one process): the `Transport` contract in memory.
 *
 * Its queues live in memory, so a publish is confirmed only once every queue bound to the
 * message has finished with it (the consumer committed, or the message was dead-lettered): the
 * outbox row is deleted only then, and a crash before that leaves the row to be relayed again,
 * which the consumers' inbox turns into a no-op. That is the same at-least-once guarantee as a
 * broker's persistent queues, at the price of a relay that waits for the slowest consumer.
 *
 * Like RabbitMQ: a queue outlives its subscription (messages wait for the consumer to come back),
 * a message nobody is bound for is kept aside (as RabbitMQ's alternate exchange keeps it in
 * `<exchange>.unrouted`, the newest 100,000), a message is delivered again (at the back of
 * the queue) until it succeeds, and after `maxAttempts` failed deliveries it is parked in the
 * consumer's dead-letter list, logged, and the messages behind it keep flowing.
 */
import { createLogger, type Logger } from '../logging';
import { errorMessage, MessagingConfigurationError, PublishError, type PublishFailure } from './errors';
import { assertIntegerInRange, assertRoutingKey, topicMatches } from './names';
import type { OutboundMessage } from './publisher';
import { UNROUTED_MAX_MESSAGES } from './rabbitmq/topology';
import {
  assertSubscriptionSpec,
  deadLetterQueueName,
  decodeIntegrationEvent,
  type Deliver,
  type InboundMessage,
  type Subscription,
  type SubscriptionSpec,
  type Transport,
} from './transport';

export interface InProcessBusOptions {
  /** How long a publish waits for the consumers to finish. Default 30 s. */
  publishTimeoutMs?: number;
  /** Pause before a failed message is handed out again. Default 50 ms. */
  redeliveryDelayMs?: number;
  logger?: Logger;
}

export interface DeadLetter {
  consumer: string;
  messageId: string;
  routingKey: string;
  /** The message as published (JSON). */
  body: string;
  attempts: number;
  lastError: string;
  at: Date;
}

export interface InProcessBus extends Transport {
  readonly kind: 'in-process';
  /** The dead-lettered messages, of one consumer or of all. */
  deadLetters(consumer?: string): readonly DeadLetter[];
  /** Messages no consumer was bound for when they were published, newest last. */
  unrouted(): readonly OutboundMessage[];
}

type Settled = 'handled' | 'dead-lettered' | 'closed';

/** Routing keys whose queues are remembered at most: an application publishes a few dozen. */
const MAX_ROUTES_KEPT = 1_000;

interface Queued {
  messageId: string;
  routingKey: string;
  body: string;
  deliveries: number;
  settle(outcome: Settled): void;
}

interface Queue {
  spec: SubscriptionSpec;
  patterns: Set<string>;
  items: Queued[];
  deliver: Deliver | null;
  inFlight: Set<Promise<void>>;
}

export function createInProcessBus(options: InProcessBusOptions = {}): InProcessBus {
  const publishTimeoutMs = options.publishTimeoutMs ?? 30_000;
  const redeliveryDelayMs = options.redeliveryDelayMs ?? 50;
  assertIntegerInRange(publishTimeoutMs, 'publishTimeoutMs', 1, 3_600_000);
  assertIntegerInRange(redeliveryDelayMs, 'redeliveryDelayMs', 0, 600_000);
  return new Bus(publishTimeoutMs, redeliveryDelayMs, options.logger ?? createLogger({ name: 'bdbazar.messaging.in-process-bus' }));
}

class Bus implements InProcessBus {
  readonly kind = 'in-process' as const;
  private readonly queues = new Map<string, Queue>();
  /** Routing key → the queues it reaches (see boundQueues). */
  private readonly routes = new Map<string, Queue[]>();
  private readonly parked: DeadLetter[] = [];
  private readonly unroutedMessages: OutboundMessage[] = [];
  /** Failed messages waiting out the redelivery delay. */
  private readonly delayed = new Map<NodeJS.Timeout, Queued>();
  private closed = false;

  constructor(
    private readonly publishTimeoutMs: number,
    private readonly redeliveryDelayMs: number,
    private readonly logger: Logger,
  ) {}

  async publish(messages: readonly OutboundMessage[]): Promise<void> {
    messages.forEach((message) => assertRoutingKey(message.routingKey));
    const outcomes = await Promise.all(messages.map((message) => this.route(message)));
    const failures = outcomes.filter((outcome): outcome is PublishFailure => outcome !== null);
    if (failures.length > 0) {
      const unroutable = failures.filter((f) => f.reason === 'unroutable');
      if (unroutable.length > 0) {
        this.logger.warn(
          { routingKeys: [...new Set(unroutable.map((f) => f.routingKey))], messages: unroutable.length },
          'In-process bus: messages were unroutable (no queue of the consumer they are addressed to)',
        );
      }
      throw new PublishError(failures, messages.length);
    }
  }

  async subscribe(spec: SubscriptionSpec, deliver: Deliver): Promise<Subscription> {
    assertSubscriptionSpec(spec);
    if (this.closed) throw new Error('The in-process bus is closed.');
    let queue = this.queues.get(spec.name);
    if (queue?.deliver) throw new MessagingConfigurationError(`Consumer '${spec.name}' is already subscribed to the in-process bus.`);
    if (queue && queue.spec.maxAttempts !== spec.maxAttempts) {
      throw new MessagingConfigurationError(
        `The queue '${spec.name}' exists with maxAttempts ${queue.spec.maxAttempts}; it cannot change to ${spec.maxAttempts} while the bus runs.`,
      );
    }
    if (!queue) {
      queue = { spec, patterns: new Set(), items: [], deliver: null, inFlight: new Set() };
      this.queues.set(spec.name, queue);
    }
    queue.spec = spec;
    spec.routingKeys.forEach((pattern) => queue.patterns.add(pattern));
    this.routes.clear(); // the bindings changed
    queue.deliver = deliver;
    this.dispatch(queue);
    return {
      stop: async () => {
        queue.deliver = null;
        await Promise.allSettled([...queue.inFlight]);
      },
    };
  }

  unrouted(): readonly OutboundMessage[] {
    return this.unroutedMessages;
  }

  deadLetters(consumer?: string): readonly DeadLetter[] {
    return this.parked.filter((letter) => consumer === undefined || letter.consumer === consumer);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [timer, item] of this.delayed) {
      clearTimeout(timer);
      item.settle('closed');
    }
    this.delayed.clear();
    for (const queue of this.queues.values()) queue.deliver = null;
    await Promise.allSettled([...this.queues.values()].flatMap((queue) => [...queue.inFlight]));
    for (const queue of this.queues.values()) queue.items.splice(0).forEach((item) => item.settle('closed'));
  }

  /** Enqueues the message on every bound queue; resolves with a failure, or null once all are done. */
  /** The queues a routing key reaches, worked out once per key until the bindings change. */
  private boundQueues(routingKey: string): Queue[] {
    let bound = this.routes.get(routingKey);
    if (bound === undefined) {
      bound = [...this.queues.values()].filter((queue) => [...queue.patterns].some((pattern) => topicMatches(pattern, routingKey)));
      if (this.routes.size >= MAX_ROUTES_KEPT) this.routes.clear();
      this.routes.set(routingKey, bound);
    }
    return bound;
  }

  private async route(message: OutboundMessage): Promise<PublishFailure | null> {
    const failure = (reason: PublishFailure['reason']): PublishFailure => ({ messageId: message.messageId, routingKey: message.routingKey, reason });
    if (this.closed) return failure('closed');
    let bound: Queue[];
    if (message.destination !== undefined) {
      // Addressed to one consumer: its queue only, which must exist (as on RabbitMQ's default exchange).
      const queue = this.queues.get(message.destination);
      if (!queue) return failure('unroutable');
      bound = [queue];
    } else {
      bound = this.boundQueues(message.routingKey);
    }
    if (bound.length === 0) {
      // Nobody subscribes to this event yet: that is normal, not a failure (see rabbitmq/topology.ts).
      this.unroutedMessages.push(message);
      if (this.unroutedMessages.length > UNROUTED_MAX_MESSAGES) this.unroutedMessages.shift();
      return null;
    }
    // Serialised once, as a broker would, so that no consumer shares (or mutates) the publisher's object.
    const body = JSON.stringify(message.payload);
    const settled = bound.map(
      (queue) =>
        new Promise<Settled>((settle) => {
          queue.items.push({ messageId: message.messageId, routingKey: message.routingKey, body, deliveries: 0, settle });
          this.dispatch(queue);
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.publishTimeoutMs);
    });
    const outcome = await Promise.race([Promise.all(settled), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') return failure('timeout');
    return outcome.includes('closed') ? failure('closed') : null;
  }

  /** Hands out messages while the consumer has room (prefetch). */
  private dispatch(queue: Queue): void {
    while (queue.deliver && !this.closed && queue.inFlight.size < queue.spec.prefetch && queue.items.length > 0) {
      const item = queue.items.shift()!;
      item.deliveries += 1;
      const work = this.deliverOne(queue, queue.deliver, item);
      queue.inFlight.add(work);
      void work.finally(() => {
        queue.inFlight.delete(work);
        this.dispatch(queue);
      });
    }
  }

  private async deliverOne(queue: Queue, deliver: Deliver, item: Queued): Promise<void> {
    let inbound: InboundMessage;
    try {
      const { messageId, event } = decodeIntegrationEvent(item.body, item.messageId);
      inbound = { messageId, event, routingKey: item.routingKey, attempt: item.deliveries, maxAttempts: queue.spec.maxAttempts };
    } catch (error) {
      this.park(queue, item, error);
      return;
    }
    try {
      await deliver(inbound);
      item.settle('handled');
    } catch (error) {
      if (item.deliveries >= queue.spec.maxAttempts) this.park(queue, item, error);
      else this.requeue(queue, item);
    }
  }

  private requeue(queue: Queue, item: Queued): void {
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      queue.items.push(item);
      this.dispatch(queue);
    }, this.redeliveryDelayMs);
    this.delayed.set(timer, item);
  }

  private park(queue: Queue, item: Queued, error: unknown): void {
    const letter: DeadLetter = {
      consumer: queue.spec.name,
      messageId: item.messageId,
      routingKey: item.routingKey,
      body: item.body,
      attempts: item.deliveries,
      lastError: errorMessage(error),
      at: new Date(),
    };
    this.parked.push(letter);
    this.logger.error(
      { consumer: letter.consumer, messageId: letter.messageId, routingKey: letter.routingKey, attempts: letter.attempts, error: letter.lastError },
      `In-process bus: message dead-lettered to ${deadLetterQueueName(queue.spec.name)}`,
    );
    item.settle('dead-lettered');
  }
}
