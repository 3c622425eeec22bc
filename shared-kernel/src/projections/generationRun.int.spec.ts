/**
 * A live projector's checkpoint-only writes: a projector filtered to one category, while other
 * streams are appended to, moves its checkpoint past them at most once per interval, yet applies
 * its own events at once, and its checkpoint still ends at the head (or where a stop left it).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { tap } from 'rxjs';
import { describeWithServer } from '../../../test/servers';
import type { EventStore, Position } from '../eventStore/eventStore';
import { silentLogger } from '../logging';
import type { GenerationProgress } from './generationRun';
import { orderSummariesProjector, sampleOrderHistory } from './fixtures/orderSummaries';
import { openEmbeddedBackend, postgresBackend, type ProjectionBackend } from '../../test/projections/backends';
import { generationSchema } from './generations';
import { startProjectorWorker, type ProjectorWorker } from './projectorWorker';
import { rebuildProjector } from './rebuild';
import { migrateRuntimeSchema } from './runtimeSchema';

const logger = silentLogger();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** The store, with the checkpoint messages its subscriptions sent (one per read that ended on others' events). */
function countingCheckpointMessages(store: EventStore): { store: EventStore; sent: Position[] } {
  const sent: Position[] = [];
  const counting = new Proxy(store, {
    get(target, property) {
      if (property === 'subscribeToAll') {
        return (options: Parameters<EventStore['subscribeToAll']>[0]) =>
          target.subscribeToAll(options).pipe(tap((message) => message.kind === 'checkpoint' && sent.push(message.position)));
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: counting, sent };
}

function checkpointSuite(kind: string, open: () => Promise<ProjectionBackend>, withLoad: boolean): void {
  describe(`a live projector's checkpoint on ${kind}`, () => {
    let backend: ProjectionBackend;
    let counted: ReturnType<typeof countingCheckpointMessages>;
    const workers: ProjectorWorker[] = [];
    // not `orders_…`: the projector runtime's suite drops those schemas when it ends
    const projectorName = () => `cpo_${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      backend = await open();
      counted = countingCheckpointMessages(backend.store);
      const rt = backend.runtimeSchema;
      await migrateRuntimeSchema(backend.db, rt);
      // Every committed move of a checkpoint, counted by the database itself.
      await backend.db.knex.raw(`create table ${rt}.checkpoint_writes (projector text primary key, n integer not null)`);
      await backend.db.knex.raw(`create function ${rt}.count_checkpoint_write() returns trigger language plpgsql as $$
        begin
          insert into ${rt}.checkpoint_writes values (new.projector, 1) on conflict (projector) do update set n = ${rt}.checkpoint_writes.n + 1;
          return null;
        end $$`);
      await backend.db.knex.raw(`create trigger count_checkpoint_writes after update of position on ${rt}.projector_checkpoints
        for each row execute function ${rt}.count_checkpoint_write()`);
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    });
    afterAll(async () => {
      await backend?.close();
    });

    const writes = async (projector: string): Promise<number> =>
      Number((await backend.db.knex(`${backend.runtimeSchema}.checkpoint_writes`).where({ projector }).first('n'))?.n ?? 0);
    const storedPosition = async (projector: string): Promise<Position | null> =>
      (await backend.db.knex(`${backend.runtimeSchema}.projector_checkpoints`).where({ projector, generation: 1 }).first('position'))?.position ?? null;
    const appendOther = async (): Promise<Position> =>
      (await backend.store.appendToStream(`basket-${randomUUID()}`, [{ id: randomUUID(), type: 'BasketTouched', data: { at: Date.now() } }])).position;
    const appendOwn = async (): Promise<Position> => {
      const [order] = sampleOrderHistory(1);
      return (await backend.store.appendToStream(order!.streamId, order!.events)).position;
    };
    const contentVersion = async (projector: string): Promise<number> =>
      Number((await backend.db.knex(`${backend.runtimeSchema}.projector_checkpoints`).where({ projector, generation: 1 }).first('content_version'))?.content_version);
    const start = (name: string, checkpointOnlyIntervalMs: number, onProgress?: (p: GenerationProgress) => void, changesNothingVisible = false) => {
      const definition = orderSummariesProjector({ name, changesNothingVisible });
      const worker = startProjectorWorker({ store: counted.store, db: backend.db, runtimeSchema: backend.runtimeSchema, definition, logger, checkIntervalMs: 100, checkpointOnlyIntervalMs, onProgress });
      workers.push(worker);
      return worker;
    };

    it('never defers while catching up: a rebuild ends at the caught-up position', async () => {
      const name = projectorName();
      for (let n = 0; n < 3; n++) await appendOwn();
      // many reads that end on others' events, in quick succession, after the last own one
      for (let n = 0; n < 60; n++) await appendOther();
      const head = await backend.store.headPosition();
      const outcome = await rebuildProjector({
        store: counted.store,
        db: backend.db,
        runtimeSchema: backend.runtimeSchema,
        definition: orderSummariesProjector({ name }),
        logger,
        maxBatchSize: 5,
      });
      expect(outcome).toEqual(expect.objectContaining({ state: 'caught_up', position: head }));
      expect(await storedPosition(name)).toBe(head);
    });

    it('moves the content version with each batch that may change what readers see, not past others’ events', async () => {
      const name = projectorName();
      let applied: Position | null = null;
      const worker = start(name, 0, (p) => (applied = p.position));
      await until(() => worker.progress()?.state === 'live');
      const before = await contentVersion(name);
      const own = await appendOwn();
      await until(() => applied !== null && applied >= own);
      expect(await contentVersion(name)).toBe(before + 1);
      const other = await appendOther();
      await until(async () => (await storedPosition(name)) === other);
      expect(await contentVersion(name)).toBe(before + 1);

      // A projector that says its batches changed nothing readers see leaves it where it was.
      const quiet = projectorName();
      let quietApplied: Position | null = null;
      const quietWorker = start(quiet, 0, (p) => (quietApplied = p.position), true);
      await until(() => quietWorker.progress()?.state === 'live');
      const quietBefore = await contentVersion(quiet);
      const next = await appendOwn();
      await until(() => quietApplied !== null && quietApplied >= next);
      expect(await storedPosition(quiet)).toBe(next);
      expect(await contentVersion(quiet)).toBe(quietBefore);
    });

    it('writes a deferred checkpoint when stopped', async () => {
      const name = projectorName();
      let applied: Position | null = null;
      const worker = start(name, 60_000, (p) => (applied = p.position));
      await until(() => worker.progress()?.state === 'live');
      const own = await appendOwn();
      await until(() => applied !== null && applied >= own);
      const writesBefore = await writes(name);

      const head = await appendOther();
      await until(() => counted.sent.includes(head));
      await sleep(50); // through the batching, to where it waits for the interval
      expect(await storedPosition(name)).toBe(own);
      expect(await writes(name)).toBe(writesBefore);

      await worker.stop();
      expect(await storedPosition(name)).toBe(head);
      expect(await writes(name)).toBe(writesBefore + 1);
    });

    it('stands down rather than move a checkpoint that another writer moved', async () => {
      const name = projectorName();
      const states: string[] = [];
      let applied: Position | null = null;
      const worker = start(name, 0, (p) => {
        states.push(p.state);
        applied = p.position;
      });
      await until(() => worker.progress()?.state === 'live');
      const own = await appendOwn();
      await until(() => applied !== null && applied >= own);
      await until(async () => (await storedPosition(name)) === own);

      const foreign = '99999999999999999999/00000000000000000000';
      await backend.db.knex(`${backend.runtimeSchema}.projector_checkpoints`).where({ projector: name, generation: 1 }).update({ position: foreign });
      await appendOther(); // nothing to apply: a checkpoint-only move, which must find the checkpoint moved
      await until(() => states.includes('stopped'));
      expect(await storedPosition(name)).toBe(foreign);
    });

    it('keeps nothing of a batch that ends at a checkpoint another writer moved, and stands down', async () => {
      const name = projectorName();
      const states: string[] = [];
      const worker = start(name, 0, (p) => states.push(p.state));
      await until(() => worker.progress()?.state === 'live');

      const foreign = '99999999999999999999/00000000000000000000';
      await backend.db.knex(`${backend.runtimeSchema}.projector_checkpoints`).where({ projector: name, generation: 1 }).update({ position: foreign });
      const [, paid] = sampleOrderHistory(2); // placed and paid: a row in the read model and a message in the outbox
      await backend.store.appendToStream(paid!.streamId, paid!.events);
      await until(() => states.includes('stopped'));

      expect(await storedPosition(name)).toBe(foreign);
      const orderId = (paid!.events[0]!.data as { orderId: string }).orderId;
      expect(await backend.db.knex(`${generationSchema(name, 1)}.orders`).where({ order_id: orderId })).toEqual([]);
      const outbox = await backend.db.knex.raw(`select 1 from "${backend.runtimeSchema}".outbox where payload->'source'->>'streamId' = ?`, [paid!.streamId]);
      expect(outbox.rows).toHaveLength(0);
    });

    if (withLoad) {
      it('passes a stream of others’ events with few writes, applies its own at once, and ends at the head', async () => {
        // Wide enough that a slow or busy machine (CI on two cores) stays well inside every bound,
        // and that waiting for the interval, the behaviour this rules out, would still break them.
        const interval = 1000;
        const name = projectorName();
        let applied: Position | null = null;
        let wrote: () => void = () => undefined;
        const worker = start(name, interval, (p) => {
          if (p.position !== applied) wrote();
          applied = p.position;
        });
        await appendOther();
        await until(() => worker.progress()?.state === 'live');
        const orders = async (): Promise<number> => (await backend.db.knex.raw(`select count(*)::int as n from "${name}".orders`)).rows[0].n;
        const ordersBefore = await orders();
        const writesBefore = await writes(name);
        const sentBefore = counted.sent.length;

        // Others' events from four writers, until at least two intervals have passed and the probes are done.
        const started = Date.now();
        let probing = true;
        const flood = Promise.all(
          Array.from({ length: 4 }, async () => {
            while (probing || Date.now() - started < 2 * interval) await appendOther();
          }),
        );
        // Right after a checkpoint write, an own event: it must not wait for the interval to pass.
        const latencies: number[] = [];
        for (let probe = 0; probe < 3; probe++) {
          await new Promise<void>((resolve) => (wrote = resolve));
          const position = await appendOwn();
          const appendedAt = Date.now();
          await until(() => applied !== null && applied >= position);
          latencies.push(Date.now() - appendedAt);
        }
        probing = false;
        await flood;
        const floodMs = Date.now() - started;
        const head = (await backend.store.headPosition())!;
        const stoppedAt = Date.now();
        await until(async () => (await storedPosition(name)) === head, 5000);
        const settledMs = Date.now() - stoppedAt;

        const sent = counted.sent.length - sentBefore;
        const written = (await writes(name)) - writesBefore;
        expect(sent).toBeGreaterThan(100); // the projector did pass many reads of others' events
        // one deferred write per interval, one per probe (its two events may come in two reads)
        expect(written).toBeLessThanOrEqual(Math.ceil(floodMs / interval) + 1 + 2 * latencies.length);
        expect(Math.max(...latencies)).toBeLessThan(interval / 2);
        expect(settledMs).toBeLessThan(interval + interval / 2);
        expect((await orders()) - ordersBefore).toBe(latencies.length);
      });
    }
  });
}

checkpointSuite('PGlite (embedded)', openEmbeddedBackend, false);

describeWithServer('postgres', 'on PostgreSQL', () => {
  checkpointSuite('PostgreSQL', postgresBackend('cpo'), true);
});
