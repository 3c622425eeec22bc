/**
 * The errors of the messaging kit: configuration refused before anything is declared, and a
 * publish that the bus did not confirm in full (saying which messages failed, and why).
 */

/** A name, routing key or number in the configuration that the bus would refuse or misread. */
export class MessagingConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessagingConfigurationError';
  }
}

/**
 * Why a message was not confirmed:
 * - `unroutable`: no queue is bound for its routing key (returned by the broker);
 * - `nacked`: the broker refused it (an internal error on its side);
 * - `connection`: the connection or channel went away and did not come back in time;
 * - `timeout`: no confirm arrived in time;
 * - `closed`: the publisher was closed.
 */
export type PublishFailureReason = 'unroutable' | 'nacked' | 'connection' | 'timeout' | 'closed';

export interface PublishFailure {
  messageId: string;
  routingKey: string;
  reason: PublishFailureReason;
}

/** Failures that concern the message itself; the others concern the way to the broker. */
export function isMessageFailure(reason: PublishFailureReason): boolean {
  return reason === 'unroutable' || reason === 'nacked';
}

/** Some messages of a publish were not confirmed; every other message of that call was. */
export class PublishError extends Error {
  readonly failures: readonly PublishFailure[];

  constructor(failures: readonly PublishFailure[], total: number) {
    super(describeFailures(failures, total));
    this.name = 'PublishError';
    this.failures = failures;
  }
}

function describeFailures(failures: readonly PublishFailure[], total: number): string {
  const byReason = new Map<PublishFailureReason, Set<string>>();
  for (const failure of failures) {
    const keys = byReason.get(failure.reason) ?? new Set<string>();
    keys.add(failure.routingKey);
    byReason.set(failure.reason, keys);
  }
  const parts = [...byReason].map(([reason, keys]) => {
    const count = failures.filter((f) => f.reason === reason).length;
    const shown = [...keys].slice(0, 3).join(', ') + (keys.size > 3 ? ', ...' : '');
    return `${count} ${reason} (${shown})`;
  });
  return `${failures.length} of ${total} messages were not confirmed: ${parts.join('; ')}.`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
