/**
 * The exchange integration events go through, declared the same way wherever it is declared
 * (RabbitMQ refuses a second declaration with other arguments).
 *
 * Events that no consumer has bound yet are normal in publish/subscribe: they go to an alternate
 * exchange and wait in `<exchange>.unrouted` (a week at most, the newest 100,000) for inspection,
 * instead of coming back to the relay as unroutable and being retried for ever. `mandatory` stays
 * on, so a message that not even the alternate exchange can route is still reported.
 */
import type { Channel } from 'amqplib';

export const UNROUTED_MAX_MESSAGES = 100_000;
export const UNROUTED_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function unroutedName(exchange: string): string {
  return `${exchange}.unrouted`;
}

export async function assertEventsExchange(channel: Channel, exchange: string): Promise<void> {
  const unrouted = unroutedName(exchange);
  await channel.assertExchange(unrouted, 'fanout', { durable: true });
  await channel.assertQueue(unrouted, {
    durable: true,
    arguments: { 'x-max-length': UNROUTED_MAX_MESSAGES, 'x-overflow': 'drop-head', 'x-message-ttl': UNROUTED_TTL_MS },
  });
  await channel.bindQueue(unrouted, unrouted, '');
  await channel.assertExchange(exchange, 'topic', { durable: true, alternateExchange: unrouted });
}
