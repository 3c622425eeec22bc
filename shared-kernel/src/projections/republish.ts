/**
 * Republishing: a consumer that starts after integration events went out (a new service, a
 * consumer whose tables were lost) never saw them; its queue did not exist. This writes a
 * projector's integration events again, from the events in the store, into the outbox addressed
 * to that one consumer. The relay delivers them to its queue alone; the other consumers see
 * nothing. They carry the ids they first went out with, so the consumer's inbox drops any it had.
 *
 * Only events the projector has already published are republished (up to its outbox checkpoint):
 * the later ones reach every consumer through the projector itself, and a row written here first
 * would take their place in the outbox (one row per message id).
 */
import type { Database } from '../database/database';
import type { EventStore, Position, RecordedEvent } from '../eventStore/eventStore';
import { comparePositions } from '../eventStore/position';
import { assertConsumerName } from '../messaging/names';
import { runtimeTables } from './generations';
import { integrationEventsOf, type ProjectorDefinition } from './projector';
import { migrateRuntimeSchema } from './runtimeSchema';

export interface RepublishOptions {
  store: EventStore;
  db: Database;
  runtimeSchema: string;
  definition: ProjectorDefinition;
  /** The consumer whose queue gets the messages. */
  destination: string;
  /** Republish events from this position on (inclusive). Default: the start. */
  fromPosition?: Position;
  /** Events read (and outbox rows written) at a time. Default 1,000. */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: RepublishResult) => void;
}

export interface RepublishResult {
  /** Events of the projector read from the store. */
  eventsRead: number;
  /** Messages written to the outbox for the consumer. */
  written: number;
  /** Messages left out because a row with their id still waits in the outbox (for every consumer, or addressed to another). */
  stillWaiting: number;
  /** The projector's outbox checkpoint: nothing after it was republished. Null when it published nothing yet. */
  upTo: Position | null;
}

export class RepublishError extends Error {}

export async function republishIntegrationEvents(options: RepublishOptions): Promise<RepublishResult> {
  const { store, db, definition, destination } = options;
  const batchSize = options.batchSize ?? 1_000;
  if (!definition.integrationEvents) throw new RepublishError(`Projector '${definition.name}' publishes no integration events.`);
  try {
    assertConsumerName(destination);
  } catch (error) {
    throw new RepublishError((error as Error).message);
  }
  // The CLI may be the first to run the new code on this database: the destination column must exist.
  await migrateRuntimeSchema(db, options.runtimeSchema);
  const tables = runtimeTables(options.runtimeSchema);
  const checkpoint = await db.knex(tables.outboxCheckpoints).where({ projector: definition.name }).first<{ position: string | null } | undefined>('position');
  const upTo = checkpoint?.position ?? null;
  const result: RepublishResult = { eventsRead: 0, written: 0, stillWaiting: 0, upTo };
  if (upTo === null) return result;

  let from: Position | 'start' = options.fromPosition ?? 'start';
  let after: Position | null = null;
  for (;;) {
    options.signal?.throwIfAborted();
    // readAll is inclusive of its position: the page's first event may be the last one done.
    const page = (await store.readAll({ fromPosition: from, maxCount: batchSize + 1, filter: definition.filter })).filter(
      (event) => after === null || comparePositions(event.position, after) > 0,
    );
    const events: RecordedEvent[] = [];
    let reachedEnd = page.length === 0;
    for (const event of page) {
      if (comparePositions(event.position, upTo) > 0) {
        reachedEnd = true;
        break;
      }
      events.push(definition.upcasters ? (definition.upcasters.upcast(event) as RecordedEvent) : event);
    }
    if (events.length > 0) {
      const messages = events.flatMap((event) => integrationEventsOf(definition, event));
      if (messages.length > 0) {
        const inserted = (await db.knex.raw(
          `with written as (
             insert into ?? (message_id, routing_key, payload, destination)
             select m.message_id, m.routing_key, m.payload, ? from json_to_recordset(?::json) as m(message_id uuid, routing_key text, payload jsonb)
             on conflict (message_id) do nothing
             returning 1)
           select count(*)::int as written from written`,
          [tables.outbox, destination, JSON.stringify(messages.map((m) => ({ message_id: m.messageId, routing_key: m.type, payload: m })))],
        )) as { rows: Array<{ written: number }> };
        const written = inserted.rows[0]?.written ?? 0;
        result.written += written;
        result.stillWaiting += messages.length - written;
      }
      result.eventsRead += events.length;
      after = events[events.length - 1]!.position;
      from = after;
      options.onProgress?.({ ...result });
    }
    if (reachedEnd) return result;
  }
}
