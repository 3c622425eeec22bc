/**
 * Emmett's PostgreSQL event store (@event-driven-io/emmett-postgresql 0.42.0) as a bench target.
 *
 * Emmett is loaded with import() only when this target is opened, and must be opened after our
 * PostgreSQL adapter has finished: its SQL layer (dumbo) replaces node-postgres' global type
 * parsers (int8 to BigInt, json/jsonb through a reviver) for every pool in the process.
 *
 * Emmett's API, mapped onto the neutral workloads:
 * - a new stream is appended with expectedStreamVersion 0n: STREAM_DOES_NOT_EXIST is not checked
 *   by the PostgreSQL store in 0.42.0 (it appends to an existing stream as well);
 * - there is no backwards read, so the last revision after a conflict is read with
 *   readStream({ from: known + 1 });
 * - paging through all messages uses readMessagesBatch({ after, batchSize });
 * - catch-up and live use a consumer with a plain reactor (no stored checkpoints, as our
 *   subscription stores none); 'END' in 0.42.0 starts from the first message, so a live consumer
 *   starts from the global position of a marker event appended just before.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { orderPlaced, type BenchEvent } from './events';
import type { BenchTarget, LiveSubscriber, SubscriberPlacement } from './target';

export const EMMETT_VERSION = '0.42.0';

export interface EmmettTargetOptions {
  connectionString: string;
  poolSize: number;
  /** Messages a catch-up consumer reads at a time (our subscription reads 1,000). */
  catchUpBatchSize: number;
}

interface EmmettEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** Emmett takes the event id from metadata.messageId when one is given. */
function toEmmett(events: BenchEvent[]): EmmettEvent[] {
  return events.map((event) => ({ type: event.type, data: event.data, metadata: { ...event.metadata, messageId: event.id } }));
}

export async function openEmmettTarget(options: EmmettTargetOptions): Promise<BenchTarget> {
  const { getPostgreSQLEventStore, postgreSQLEventStoreConsumer, readMessagesBatch } = await import('@event-driven-io/emmett-postgresql');
  const { isExpectedVersionConflictError, reactor } = await import('@event-driven-io/emmett');
  const { dumbo } = await import('@event-driven-io/dumbo');

  const { connectionString } = options;
  const pool = newPool(connectionString, options.poolSize);
  let connectionsOpened = 0;
  pool.on('connect', () => connectionsOpened++);
  const eventStore = getPostgreSQLEventStore(connectionString, { connectionOptions: { connectionString, pool } });
  await eventStore.schema.migrate();
  const executor = dumbo({ connectionString, pool }).execute;
  const extraPools: Pool[] = [];

  async function livePosition(): Promise<bigint> {
    const marker = orderPlaced(0, { marker: true });
    const result = await eventStore.appendToStream(`benchmarker-${randomUUID()}`, toEmmett([marker]));
    return result.lastEventGlobalPosition;
  }

  return {
    name: `Emmett ${EMMETT_VERSION}`,
    kind: 'emmett',
    connectionsOpened: () => connectionsOpened,
    notes: {
      pool: `pg.Pool max ${options.poolSize}`,
      'new stream': 'expectedStreamVersion 0n (STREAM_DOES_NOT_EXIST is not checked in 0.42.0)',
      'last revision after a conflict': 'readStream({ from: known + 1 }) (no backwards read)',
      paging: 'readMessagesBatch({ after, batchSize })',
      'catch-up': `consumer + reactor without checkpoints, batch ${options.catchUpBatchSize}, pulling every 1 ms, stopWhen noMessagesLeft`,
      live: "consumer + reactor, default pulling (batch 100, 50 ms, backing off to 1 s when a batch is not full), from a marker's position ('END' replays from the first message in 0.42.0)",
    },

    async appendToNewStream(streamId, events) {
      await eventStore.appendToStream(streamId, toEmmett(events), { expectedStreamVersion: 0n });
    },

    async appendAnyRevision(streamId, events) {
      await eventStore.appendToStream(streamId, toEmmett(events));
    },

    async appendExpecting(streamId, events, revision) {
      try {
        const result = await eventStore.appendToStream(streamId, toEmmett(events), { expectedStreamVersion: BigInt(revision + 1) });
        return Number(result.nextExpectedStreamVersion) - 1;
      } catch (error) {
        if (isExpectedVersionConflictError(error)) return 'conflict';
        throw error;
      }
    },

    async lastRevision(streamId, knownRevision) {
      const { events, currentStreamVersion } = await eventStore.readStream(streamId, { from: BigInt(knownRevision + 2) });
      return events.length > 0 ? Number(currentStreamVersion) - 1 : knownRevision;
    },

    async readWholeStream(streamId) {
      return (await eventStore.readStream(streamId)).events.length;
    },

    async readAllPaged(pageSize, onEvent) {
      let after = 0n;
      for (;;) {
        const batch = await readMessagesBatch(executor, { after, batchSize: pageSize });
        for (const message of batch.messages) onEvent(message.metadata.messageId);
        after = batch.currentGlobalPosition;
        if (!batch.areMessagesLeft) return;
      }
    },

    async catchUp(onEvent) {
      const consumer = eventStore.consumer({
        processors: [
          reactor({
            processorId: `bench-catch-up-${randomUUID()}`,
            startFrom: 'BEGINNING',
            eachMessage: (message) => {
              onEvent(message.metadata.messageId);
            },
          }),
        ],
        stopWhen: { noMessagesLeft: true },
        pulling: { batchSize: options.catchUpBatchSize, pullingFrequencyInMs: 1 },
      });
      await consumer.start();
      await consumer.stop();
    },

    async subscribeLive(placement: SubscriberPlacement, onEventData): Promise<LiveSubscriber> {
      const lastCheckpoint = await livePosition();
      let markReady: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      const processor = reactor({
        processorId: `bench-live-${randomUUID()}`,
        startFrom: { lastCheckpoint },
        hooks: { onStart: async () => markReady() },
        eachMessage: (message) => {
          onEventData(message.data as Record<string, unknown>);
        },
      });
      let consumer;
      if (placement === 'same instance') {
        consumer = eventStore.consumer({ processors: [processor] });
      } else {
        const ownPool = newPool(connectionString, 4);
        extraPools.push(ownPool);
        consumer = postgreSQLEventStoreConsumer({ connectionString, pool: dumbo({ connectionString, pool: ownPool }), processors: [processor] });
      }
      const running = consumer.start().catch((error: unknown) => console.error(`Emmett live consumer failed: ${String(error)}`));
      return {
        ready,
        async stop() {
          await consumer.stop();
          await running;
        },
      };
    },

    async close() {
      await eventStore.close();
      await pool.end();
      for (const extra of extraPools.splice(0)) await extra.end();
    },
  };
}

function newPool(connectionString: string, max: number): Pool {
  const pool = new Pool({ connectionString, max });
  pool.on('error', () => undefined);
  return pool;
}
