/**
 * A projector turns events into a read model (and, optionally, integration events). It has a fixed
 * name and a version; its tables live in a schema per generation (`<name>_g<generation>`), and
 * readers see the live generation through views in the schema `<name>`. Bumping `version` (a new
 * shape or new logic) makes the runtime rebuild a new generation while the old one keeps serving.
 */
import type { Knex } from 'knex';
import type { AllFilter, RecordedEvent } from '../eventStore/eventStore';
import type { JsonObject } from '../eventStore/eventStore';
import type { UpcasterRegistry } from '../decider/upcasters';
import { assertIntegrationEventType, integrationMessageId, type IntegrationEvent } from '../messaging/integrationEvent';

export type Migration = (knex: Knex, schema: string) => Promise<void>;

/**
 * What a batch did to the read model, as far as readers can tell. A projector that knows returns
 * `{ visibleChange: false }` for a batch that changed nothing a reader can see (stock moved, but
 * no product went in or out of stock): the checkpoint's content version then stays, and answers
 * cached against it (createReadModelCache) stay good. Returning nothing counts as a change.
 */
export interface ProjectionBatchOutcome {
  visibleChange: boolean;
}

export interface ProjectionBatch {
  /** The transaction that also moves the checkpoint: everything in it lands once or not at all. */
  trx: Knex.Transaction;
  /** The schema of the generation being written (already quoted-safe: lower-case identifier). */
  schema: string;
  /** Events not applied before, in global order, already upcast. */
  events: RecordedEvent[];
  /** 'rebuild' while a generation replays history beside the live one. */
  mode: 'live' | 'rebuild';
}

/** An integration event as a projector maps it: the runtime adds the id, source and time. */
export interface IntegrationEventDraft {
  type: string;
  data: JsonObject;
}

export interface ProjectorDefinition {
  /** Fixed, lower-case snake_case: it names the projector's schemas and its checkpoint. */
  name: string;
  /** Bump when the read model's shape or logic changes: the runtime then rebuilds. */
  version: number;
  /** Which events it reads; all when absent. */
  filter?: AllFilter;
  /** Knex migrations creating its tables in a generation's schema, by name, applied in name order. */
  migrations: Record<string, Migration>;
  /** Indexes that pay to build after a bulk load: applied once a rebuild has caught up (idempotent). */
  indexes?: Migration;
  /** Writes the batch; may say that nothing a reader sees changed (see ProjectionBatchOutcome). */
  apply(batch: ProjectionBatch): Promise<void | ProjectionBatchOutcome>;
  /** Maps a domain event to integration events, written to the outbox exactly once whatever the rebuilds. */
  integrationEvents?(event: RecordedEvent): IntegrationEventDraft[];
  upcasters?: UpcasterRegistry;
}

const NAME = /^[a-z][a-z0-9_]{0,39}$/;

export function defineProjector(definition: ProjectorDefinition): ProjectorDefinition {
  if (!NAME.test(definition.name)) {
    throw new Error(`Projector name '${definition.name}' must be lower-case snake_case, starting with a letter, at most 40 characters.`);
  }
  if (!Number.isSafeInteger(definition.version) || definition.version < 1) {
    throw new Error(`Projector '${definition.name}' needs a version that is an integer from 1.`);
  }
  if (Object.keys(definition.migrations).length === 0) {
    throw new Error(`Projector '${definition.name}' needs at least one migration creating its tables.`);
  }
  return definition;
}

/** Maps drafts through the type check once, so that a typo in a contract name fails loudly. */
export function checkedDrafts(definition: ProjectorDefinition, event: RecordedEvent): IntegrationEventDraft[] {
  const drafts = definition.integrationEvents?.(event) ?? [];
  for (const draft of drafts) assertIntegrationEventType(draft.type);
  return drafts;
}

/**
 * The integration events a projector makes of an event, as they go to the outbox: ids derived
 * from the event and the type, so that making them again (a rebuild, a republish) makes the same.
 */
export function integrationEventsOf(definition: ProjectorDefinition, event: RecordedEvent): IntegrationEvent[] {
  return checkedDrafts(definition, event).map((draft) => ({
    messageId: integrationMessageId(event.id, draft.type),
    type: draft.type,
    occurredAt: event.createdAt.toISOString(),
    correlationId: typeof event.metadata['correlationId'] === 'string' ? event.metadata['correlationId'] : null,
    source: { eventId: event.id, streamId: event.streamId, revision: event.revision, position: event.position },
    data: draft.data,
  }));
}
