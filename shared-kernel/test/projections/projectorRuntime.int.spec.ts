import { randomBytes } from 'node:crypto';
import { describeWithServer, requireServerUrl } from '../../../test/servers';
import {
  createPostgresEventStore,
  dropOldGenerations,
  openDatabase,
  projectorStatus,
  rebuildProjector,
  silentLogger,
  startProjectorWorker,
  type EventStore,
  type ProjectorWorker,
} from '../../src';
import { orderSummariesProjector, sampleOrderHistory } from '../../src/projections/fixtures/orderSummaries';
import { waitFor } from '../eventStoreContract';
import { openEmbeddedBackend, postgresBackend, type ProjectionBackend } from './backends';
import { readModelHash } from './readModel';

const logger = silentLogger();

async function append(store: EventStore, history: ReturnType<typeof sampleOrderHistory>): Promise<void> {
  for (const { streamId, events } of history) await store.appendToStream(streamId, events);
}

function expectedBuyers(history: ReturnType<typeof sampleOrderHistory>): Map<string, { orders: number; paid: number; spent: number }> {
  const buyers = new Map<string, { orders: number; paid: number; spent: number }>();
  for (const { events } of history) {
    for (const event of events) {
      const data = event.data as { buyerId: string; amount?: number };
      const b = buyers.get(data.buyerId) ?? { orders: 0, paid: 0, spent: 0 };
      if (event.type === 'OrderPlaced') b.orders++;
      if (event.type === 'OrderPaid') {
        b.paid++;
        b.spent += data.amount!;
      }
      buyers.set(data.buyerId, b);
    }
  }
  return buyers;
}

function runtimeSuite(kind: string, open: () => Promise<ProjectionBackend>): void {
  describe(`the projector runtime on ${kind}`, () => {
    let backend: ProjectionBackend;
    const workers: ProjectorWorker[] = [];
    const name = () => `orders_${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      backend = await open();
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    });
    afterAll(async () => {
      await backend?.close();
    });

    const start = (definition: ReturnType<typeof orderSummariesProjector>, db = backend.db) => {
      const worker = startProjectorWorker({ store: backend.store, db, runtimeSchema: backend.runtimeSchema, definition, logger, checkIntervalMs: 100 });
      workers.push(worker);
      return worker;
    };
    const status = (definition: ReturnType<typeof orderSummariesProjector>) =>
      projectorStatus({ db: backend.db, store: backend.store, runtimeSchema: backend.runtimeSchema, definition });
    /** Waits until the live generation has applied every event and no rebuild is pending. */
    const caughtUp = async (definition: ReturnType<typeof orderSummariesProjector>, liveGeneration?: number) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const s = await status(definition);
        const live = s.generations.find((g) => g.role === 'live');
        if (live && live.eventsBehind === 0 && s.buildingGeneration === null && (liveGeneration === undefined || live.generation === liveGeneration)) return s;
        if (Date.now() > deadline) throw new Error(`not caught up: ${JSON.stringify(s)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    it('projects the history, then live events, each exactly once', async () => {
      const definition = orderSummariesProjector({ name: name() });
      const before = sampleOrderHistory(120, 12);
      await append(backend.store, before);
      start(definition);
      await caughtUp(definition);
      const after = sampleOrderHistory(30, 12);
      await append(backend.store, after);
      const s = await caughtUp(definition);

      const buyers = (await backend.db.knex.raw(`select * from "${definition.name}".buyers`)).rows as Array<{ buyer_id: string; orders: number; paid: number; spent: number }>;
      const expected = expectedBuyers([...before, ...after]);
      // every buyer of this test, with its counts (other tests' buyers are other ids)
      for (const [buyerId, totals] of expected) {
        expect(buyers.find((b) => b.buyer_id === buyerId)).toEqual({ buyer_id: buyerId, orders: totals.orders, paid: totals.paid, spent: totals.spent });
      }
      const orders = (await backend.db.knex.raw(`select order_id, status from "${definition.name}".orders where order_id = any(?)`, [[...before, ...after].map((h) => h.streamId.slice(6))])).rows;
      expect(orders).toHaveLength(150);
      expect(s.generations).toEqual([expect.objectContaining({ generation: 1, role: 'live', state: 'live', eventsBehind: 0, secondsBehind: 0, error: null })]);
    });

    it('writes each integration event to the outbox once, and a rebuild writes none again', async () => {
      const definition = orderSummariesProjector({ name: name() });
      const history = sampleOrderHistory(20, 4);
      const head = await backend.store.headPosition();
      await append(backend.store, history);
      start(definition);
      await caughtUp(definition);
      const outbox = async (streamIds: string[]) =>
        (await backend.db.knex.raw(`select payload from "${backend.runtimeSchema}".outbox where payload->'source'->>'streamId' = any(?)`, [streamIds])).rows as Array<{
          payload: { messageId: string; type: string; source: { position: string } };
        }>;
      const streamIds = history.map((h) => h.streamId);
      const first = await outbox(streamIds);
      expect(first).toHaveLength(18); // 20 orders, every tenth cancelled instead of paid
      expect(new Set(first.map((r) => r.payload.messageId)).size).toBe(18);
      expect(first.every((r) => r.payload.type === 'order.OrderPaid.v1' && (head === null || r.payload.source.position > head))).toBe(true);

      // as the relay does once the broker confirmed them, so that a rebuild writing them again shows
      await backend.db.knex.raw(`delete from "${backend.runtimeSchema}".outbox where payload->'source'->>'streamId' = any(?)`, [streamIds]);
      await rebuildProjector({ store: backend.store, db: backend.db, runtimeSchema: backend.runtimeSchema, definition, logger });
      expect(await outbox(streamIds)).toHaveLength(0);

      // the live generation goes on past the shared outbox checkpoint: a new payment is written, once
      const [, paid] = sampleOrderHistory(2);
      await append(backend.store, [paid!]);
      await caughtUp(definition);
      expect(await outbox([paid!.streamId])).toHaveLength(1);
      expect(await outbox(streamIds)).toHaveLength(0);
    });

    it('rebuilds into a new generation while the old one serves, then switches readers over', async () => {
      const definition = orderSummariesProjector({ name: name() });
      await append(backend.store, sampleOrderHistory(60, 6));
      start(definition);
      await caughtUp(definition);
      const live = await readModelHash(backend.db, definition.name);

      const seenDuringRebuild: number[] = [];
      await rebuildProjector({
        store: backend.store,
        db: backend.db,
        runtimeSchema: backend.runtimeSchema,
        definition,
        logger,
        maxBatchSize: 50,
        onProgress: () => {
          void backend.db.knex.raw(`select count(*)::int as n from "${definition.name}".orders`).then((r) => seenDuringRebuild.push(r.rows[0].n as number));
        },
      });
      const s = await caughtUp(definition);
      expect(s.liveGeneration).toBe(2);
      expect(await readModelHash(backend.db, definition.name)).toEqual(live);
      expect(seenDuringRebuild.every((n) => n === live.orders)).toBe(true); // readers saw the full old model throughout

      // the worker followed the switch: new events land in generation 2
      const more = sampleOrderHistory(5, 1);
      await append(backend.store, more);
      await caughtUp(definition);
      expect((await backend.db.knex.raw(`select count(*)::int as n from "${definition.name}_g2".orders where order_id = any(?)`, [more.map((h) => h.streamId.slice(6))])).rows[0].n).toBe(5);

      expect(await dropOldGenerations(backend.db, backend.runtimeSchema, definition.name)).toEqual([1]);
      expect((await backend.db.knex.raw(`select count(*)::int as n from information_schema.schemata where schema_name = ?`, [`${definition.name}_g1`])).rows[0].n).toBe(0);
      expect((await readModelHash(backend.db, definition.name)).orders).toBe(live.orders + 5);
    });

    it('rebuilds by itself when the code version moved on', async () => {
      const projector = name();
      await append(backend.store, sampleOrderHistory(40, 4));
      const v1 = orderSummariesProjector({ name: projector, version: 1 });
      const first = start(v1);
      await caughtUp(v1);
      const before = await readModelHash(backend.db, projector);
      await first.stop();

      const v2 = orderSummariesProjector({ name: projector, version: 2 });
      start(v2);
      const s = await caughtUp(v2, 2);
      expect(s.liveGeneration).toBe(2);
      expect(s.generations.find((g) => g.generation === 2)).toEqual(expect.objectContaining({ version: 2, role: 'live' }));
      expect(await readModelHash(backend.db, projector)).toEqual(before);
    });

    it('stops a projector on an event it cannot apply, naming the event, and keeps the events before it', async () => {
      const history = sampleOrderHistory(30, 3);
      const poisoned = history[17]!.streamId;
      const failing = orderSummariesProjector({ name: name(), failOn: (e) => e.streamId === poisoned && e.type === 'OrderPlaced' });
      const healthy = orderSummariesProjector({ name: name() });
      await append(backend.store, history);
      const failingWorker = start(failing);
      start(healthy);
      expect(await failingWorker.done).toBe('failed');
      await caughtUp(healthy);

      const s = await status(failing);
      const generation = s.generations[0]!;
      expect(generation.state).toBe('failed');
      expect(generation.error).toEqual(expect.objectContaining({ streamId: poisoned, revision: 0, type: 'OrderPlaced', message: expect.stringContaining(poisoned) }));
      const applied = (await backend.db.knex.raw(`select count(*)::int as n from "${failing.name}".orders where order_id = any(?)`, [history.map((h) => h.streamId.slice(6))])).rows[0].n;
      expect(applied).toBe(17);
    });
  });
}

runtimeSuite('PGlite (embedded)', openEmbeddedBackend);

describeWithServer('postgres', 'on PostgreSQL', () => {
  const suffix = randomBytes(4).toString('hex');
  runtimeSuite('PostgreSQL', postgresBackend('orders', suffix));

  it('lets only one of two workers write, and the standby take over', async () => {
    const url = requireServerUrl('postgres');
    const store = await createPostgresEventStore({ connectionString: url, schema: `es2_${suffix}` });
    const [dbA, dbB] = await Promise.all([openDatabase({ kind: 'postgres', connectionString: url }), openDatabase({ kind: 'postgres', connectionString: url })]);
    const definition = orderSummariesProjector({ name: `orders_two_${suffix}` });
    const rs = `rt2_${suffix}`;
    try {
      await append(store, sampleOrderHistory(50, 5));
      const a = startProjectorWorker({ store, db: dbA, runtimeSchema: rs, definition, logger, checkIntervalMs: 100 });
      const b = startProjectorWorker({ store, db: dbB, runtimeSchema: rs, definition, logger, checkIntervalMs: 100 });
      await waitFor(() => [a.state(), b.state()].sort().join() === 'running,standby', 20_000);
      const [active, standby] = a.state() === 'running' ? [a, b] : [b, a];
      await waitFor(() => active.progress()?.state === 'live', 20_000);
      expect(standby.progress()).toBeNull();
      await active.stop();
      await waitFor(() => standby.state() === 'running', 20_000);
      await append(store, sampleOrderHistory(5, 1));
      await waitFor(() => (standby.progress()?.eventsApplied ?? 0) === 10, 20_000);
      await standby.stop();
      expect((await dbA.knex.raw(`select count(*)::int as n from "${definition.name}".orders`)).rows[0].n).toBe(55);
    } finally {
      await store.close();
      for (const schema of [rs, `es2_${suffix}`, definition.name, `${definition.name}_g1`]) await dbA.knex.raw(`drop schema if exists "${schema}" cascade`);
      await Promise.all([dbA.close(), dbB.close()]);
    }
  });
});
