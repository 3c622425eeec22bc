/**
 * Integration events: the versioned public contract between services (`<context>.<EventName>.v<n>`,
 * e.g. `account.SellerApproved.v1`), mapped from domain events by projectors, written to the
 * outbox and relayed to the bus. Separate from domain events: a domain event may change shape,
 * a published integration event never does (a new shape is a new version).
 */
import type { Actor, CommandContext } from '../decider/envelope';
import type { JsonObject, Position } from '../eventStore/eventStore';
import { nameBasedId } from '../values/nameBasedId';

/** `<context>.<EventName>.v<n>` */
export const INTEGRATION_EVENT_TYPE = /^[a-z][a-zA-Z0-9]*\.[A-Z][A-Za-z0-9]*\.v[1-9][0-9]*$/;

export interface IntegrationEvent<Type extends string = string, Data = JsonObject> {
  /** Derived from the source event and the type: the same source event always makes the same id. */
  messageId: string;
  type: Type;
  occurredAt: string;
  correlationId: string | null;
  /** The domain event this was mapped from. */
  source: { eventId: string; streamId: string; revision: number; position: Position };
  data: Data;
}

const MESSAGE_ID_NAMESPACE = '6d2f3a52-6f0a-4c55-9a53-0f4c8f7d1b21';

export function integrationMessageId(sourceEventId: string, type: string): string {
  return nameBasedId(MESSAGE_ID_NAMESPACE, `${sourceEventId}:${type}`);
}

export function assertIntegrationEventType(type: string): void {
  if (!INTEGRATION_EVENT_TYPE.test(type)) {
    throw new Error(`Integration event type '${type}' must read <context>.<EventName>.v<n>, e.g. account.SellerApproved.v1.`);
  }
}

/**
 * The context of a command a service issues in reaction to another service's integration event:
 * the same correlation (the message's own id when it carries none), caused by the message.
 */
export function contextCausedByMessage(event: Pick<IntegrationEvent, 'messageId' | 'correlationId'>, actor: Actor): CommandContext {
  return { correlationId: event.correlationId ?? event.messageId, causationId: event.messageId, actor };
}
