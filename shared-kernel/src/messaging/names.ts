/**
 * Checks on the names and numbers that configure the bus, made before anything is declared, so
 * that a typo is refused with a message a person can act on instead of surfacing as a broker
 * channel error (or, worse, as a queue nobody reads). Also the topic-pattern matching the
 * in-process bus shares with RabbitMQ's topic exchange.
 */
import { MessagingConfigurationError } from './errors';

/**
 * Exchange and queue names: letters, digits and `_ . : -`, starting with a letter, digit or `_`.
 * AMQP allows almost anything up to 255 bytes; we keep to characters that survive URLs, shells
 * and the management UI, and leave room for the `.dlq` suffix.
 */
const BROKER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,199}$/;
const WORD = /^[A-Za-z0-9_-]+$/;

export function assertExchangeName(name: string): void {
  assertBrokerName(name, 'exchange');
}

/** A consumer name is its queue's name, its dead-letter queue's prefix and its inbox key. */
export function assertConsumerName(name: string): void {
  assertBrokerName(name, 'consumer (queue)');
}

function assertBrokerName(name: unknown, what: string): void {
  if (typeof name !== 'string' || !BROKER_NAME.test(name)) {
    throw new MessagingConfigurationError(
      `The ${what} name ${JSON.stringify(name)} is not valid: use 1 to 200 letters, digits, '_', '.', ':' or '-', ` +
        `starting with a letter, digit or '_' (for example 'order.payment-events').`,
    );
  }
  if (name.startsWith('amq.')) {
    throw new MessagingConfigurationError(`The ${what} name '${name}' starts with 'amq.', which RabbitMQ reserves for itself.`);
  }
}

/** A routing key that messages are published with: dot-separated words, no wildcards. */
export function assertRoutingKey(key: string): void {
  if (typeof key !== 'string' || key.length > 255 || !key.split('.').every((word) => WORD.test(word))) {
    throw new MessagingConfigurationError(
      `The routing key ${JSON.stringify(key)} is not valid: use dot-separated words of letters, digits, '_' or '-' ` +
        `(for example 'order.OrderPlaced.v1'), at most 255 characters.`,
    );
  }
}

/** A binding pattern: dot-separated words, `*` (exactly one word) or `#` (zero or more words). */
export function assertBindingPattern(pattern: string): void {
  if (
    typeof pattern !== 'string' ||
    pattern.length > 255 ||
    !pattern.split('.').every((word) => word === '*' || word === '#' || WORD.test(word))
  ) {
    throw new MessagingConfigurationError(
      `The routing key pattern ${JSON.stringify(pattern)} is not valid: use dot-separated words, '*' for one word ` +
        `or '#' for any number of words (for example 'order.OrderPlaced.v1' or 'order.#').`,
    );
  }
}

export function assertIntegerInRange(value: unknown, what: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new MessagingConfigurationError(`${what} must be a whole number from ${min} to ${max}; got ${String(value)}.`);
  }
}

/** RabbitMQ topic-exchange matching: `*` matches exactly one word, `#` zero or more. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  return matchWords(pattern.split('.'), 0, routingKey.split('.'), 0);
}

function matchWords(pattern: string[], p: number, key: string[], k: number): boolean {
  if (p === pattern.length) return k === key.length;
  const word = pattern[p];
  if (word === '#') {
    for (let skip = k; skip <= key.length; skip += 1) {
      if (matchWords(pattern, p + 1, key, skip)) return true;
    }
    return false;
  }
  if (k === key.length) return false;
  return (word === '*' || word === key[k]) && matchWords(pattern, p + 1, key, k + 1);
}
