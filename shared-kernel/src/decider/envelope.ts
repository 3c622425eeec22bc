/**
 * Event metadata: who caused an event, in answer to what, when, and in which shape of its data.
 * Domain events stay plain `{ type, data }`; the envelope is added on write and taken off on read.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { EventToAppend, Position, RecordedEvent } from '../eventStore/eventStore';
import type { DomainEvent } from './decider';

export const ACTOR_ROLES = ['buyer', 'seller', 'admin', 'system'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

export interface Actor {
  id: string;
  role: ActorRole;
}

export interface EventMetadata {
  /** The id shared by everything one original request set off, across services. */
  correlationId: string;
  /** The id of the command (or event) that directly caused this event. */
  causationId: string;
  actor: Actor;
  /** ISO 8601, when the decision was taken. */
  occurredAt: string;
  /** The version of the shape of `data`, from 1. Older shapes are upcast on read (see upcasters.ts). */
  schemaVersion: number;
}

/** What a command handler knows about the command beyond its content. */
export interface CommandContext {
  correlationId: string;
  /** The command's own id (a request id, an idempotency key) or the id of the event a process manager reacts to. */
  causationId: string;
  actor: Actor;
}

export interface EnvelopeOptions {
  /** Event ids; UUIDv7 (time-ordered) by default. */
  newId?: () => string;
  clock?: () => Date;
  /** The schema version new events of a type are written in; 1 by default. Pass `upcasters.currentVersion`. */
  schemaVersionOf?: (type: string) => number;
}

/** The context for a command issued in reaction to an event: same correlation, caused by that event. */
export function contextCausedBy(event: { id: string; metadata: Pick<EventMetadata, 'correlationId'> }, actor: Actor): CommandContext {
  return { correlationId: event.metadata.correlationId, causationId: event.id, actor };
}

const actorSchema = z.object({ id: z.string().min(1), role: z.enum(ACTOR_ROLES) });
const contextSchema = z.object({ correlationId: z.string().min(1), causationId: z.string().min(1), actor: actorSchema });
// Loose: keys this runtime does not know (added by other writers) are kept, not dropped.
const metadataSchema = contextSchema.extend({
  occurredAt: z.iso.datetime({ offset: true }),
  schemaVersion: z.number().int().min(1).default(1),
}).loose();

/** The decided events, each with a fresh id and full metadata, ready for `appendToStream`. */
export function toEventsToAppend<Event extends DomainEvent>(
  events: readonly Event[],
  context: CommandContext,
  options: EnvelopeOptions = {},
): EventToAppend<Event['type'], Event['data'], EventMetadata>[] {
  const parsed = contextSchema.safeParse(context);
  if (!parsed.success) {
    // The context is built by our own code (from the token and the request), so this is a bug, not bad input.
    throw new Error(`Invalid command context: ${z.prettifyError(parsed.error)}`);
  }
  const { newId = uuidv7, clock = () => new Date(), schemaVersionOf = () => 1 } = options;
  const occurredAt = clock().toISOString(); // one decision, one moment
  return events.map((event) => ({
    id: newId(),
    type: event.type,
    data: event.data,
    metadata: {
      correlationId: context.correlationId,
      causationId: context.causationId,
      actor: { id: context.actor.id, role: context.actor.role },
      occurredAt,
      schemaVersion: schemaVersionOf(event.type),
    },
  }));
}

/** A stored event taken apart: the domain event, its metadata, and where it sits in the store. */
export interface EventEnvelope<Event extends DomainEvent = DomainEvent> {
  event: Event;
  metadata: EventMetadata;
  id: string;
  streamId: string;
  revision: number;
  position: Position;
  createdAt: Date;
}

/**
 * Unwraps a recorded event (upcast it first: see `UpcasterRegistry.upcast`). Throws when the
 * metadata is not an `EventMetadata`: every event this system writes carries one, so a gap is a bug.
 * An event without `schemaVersion` is version 1.
 */
export function fromRecordedEvent<Event extends DomainEvent = DomainEvent>(recorded: RecordedEvent<string, unknown, unknown>): EventEnvelope<Event> {
  const parsed = metadataSchema.safeParse(recorded.metadata);
  if (!parsed.success) {
    throw new Error(
      `Event ${recorded.id} (${recorded.type}) at revision ${recorded.revision} of '${recorded.streamId}' has invalid metadata: ${z.prettifyError(parsed.error)}`,
    );
  }
  return {
    event: { type: recorded.type, data: recorded.data } as Event,
    metadata: parsed.data,
    id: recorded.id,
    streamId: recorded.streamId,
    revision: recorded.revision,
    position: recorded.position,
    createdAt: recorded.createdAt,
  };
}
