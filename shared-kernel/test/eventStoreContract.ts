/**
 * The one contract every EventStore adapter must pass. Stores of a subject may share data (one
 * PGlite instance, one EventStoreDB server), so every test works on fresh stream ids and reads the
 * global log only from a position it took itself.
 */
import { randomUUID } from 'node:crypto';
import { firstValueFrom, filter as rxFilter, take, tap, toArray, type Observable } from 'rxjs';
import {
  DuplicateEventIdError,
  EventStoreArgumentError,
  StreamDeletedError,
  WrongExpectedVersionError,
  comparePositions,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
  type SubscriptionMessage,
} from '../src/eventStore';

export interface ContractSubject {
  name: string;
  /** Opens a store; the suite closes it. */
  open(): Promise<EventStore>;
  capabilities: {
    /** Whether a retried batch whose ids are stored with other content is refused (EventStoreDB only compares ids). */
    detectsConflictingRetries: boolean;
  };
}

export const stream = (category = 'test'): string => `${category}-${randomUUID()}`;

export function event(type = 'ThingHappened', data: Record<string, unknown> = { n: 1 }, metadata?: Record<string, unknown>): EventToAppend {
  return { id: randomUUID(), type, data: data as EventToAppend['data'], ...(metadata ? { metadata: metadata as EventToAppend['metadata'] } : {}) };
}

export const events = (count: number, type = 'ThingHappened'): EventToAppend[] =>
  Array.from({ length: count }, (_, n) => event(type, { n }));

/** What a recorded event must hold of the appended one. */
function recorded(appended: EventToAppend, streamId: string, revision: number): Partial<RecordedEvent> {
  return { id: appended.id, type: appended.type, data: appended.data, metadata: appended.metadata ?? {}, streamId, revision };
}

export async function collect(source: Observable<SubscriptionMessage>, until: (events: RecordedEvent[]) => boolean, timeoutMs = 15_000): Promise<RecordedEvent[]> {
  const received: RecordedEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`subscription delivered ${received.length} events before timing out`));
    }, timeoutMs);
    const subscription = source.subscribe({
      next: (message) => {
        if (message.kind !== 'event') return;
        received.push(message.event);
        if (until(received)) {
          clearTimeout(timer);
          subscription.unsubscribe();
          resolve();
        }
      },
      error: (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    });
  });
  return received;
}

export function eventStoreContract(subject: ContractSubject): void {
  describe(`the ${subject.name} event store`, () => {
    let store: EventStore;

    beforeAll(async () => {
      store = await subject.open();
    });

    afterAll(async () => {
      await store?.close();
    });

    describe('appending', () => {
      it('starts a stream at revision 0 and records every field', async () => {
        const id = stream();
        const batch = [event('ThingHappened', { n: 1, text: 'জামদানি শাড়ি', nested: { list: [1, 2.5, null, true] } }, { correlationId: 'c-1' }), event('ThingChanged')];
        const result = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });

        const read = await store.readStream(id);
        expect(result.nextExpectedRevision).toBe(1);
        expect(read).toEqual([expect.objectContaining(recorded(batch[0]!, id, 0)), expect.objectContaining(recorded(batch[1]!, id, 1))]);
        expect(read[1]!.position).toBe(result.position);
        expect(comparePositions(read[0]!.position, read[1]!.position)).toBeLessThan(0);
        expect(read[0]!.createdAt).toBeInstanceOf(Date);
      });

      it('reads back every kind of JSON as appended, the same from every read', async () => {
        const id = stream();
        const awkward = {
          text: 'ঢাকা "quoted" \\ back\u2028slash\ttab 🛒',
          numbers: [-1, 0.1, 1e21, 9007199254740991, -0.5],
          nothing: null,
          flags: [true, false],
          nested: { deeper: { list: [[], {}, [null]] } },
          'key with "quotes"': 'value',
        };
        const batch = [event('ThingHappened', awkward, { actor: { id: 'a-1', role: 'buyer' }, note: 'মেটা' }), event('ThingHappened', { n: 2 })];
        const { position } = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });

        const forwards = await store.readStream(id);
        const backwards = await store.readStream(id, { direction: 'backwards' });
        expect(forwards.map((e) => [e.data, e.metadata])).toEqual(batch.map((e) => [e.data, e.metadata ?? {}]));
        expect(backwards).toEqual([...forwards].reverse());
        const all = await store.readAll({ direction: 'backwards', fromPosition: position, maxCount: 2 });
        expect(all.reverse()).toEqual(forwards);
      });

      it("appends with 'any' to a new and to an existing stream", async () => {
        const id = stream();
        await store.appendToStream(id, [event()], { expectedRevision: 'any' });
        const second = await store.appendToStream(id, [event()]);
        expect(second.nextExpectedRevision).toBe(1);
      });

      it("refuses 'no_stream' when the stream has events, telling the actual revision", async () => {
        const id = stream();
        await store.appendToStream(id, events(3));
        const attempt = store.appendToStream(id, [event()], { expectedRevision: 'no_stream' });
        await expect(attempt).rejects.toThrow(WrongExpectedVersionError);
        await expect(attempt).rejects.toMatchObject({ streamId: id, expectedRevision: 'no_stream', actualRevision: 2 });
        expect(await store.readStream(id)).toHaveLength(3);
      });

      it("refuses 'stream_exists' for a stream that has none, and accepts it once it has", async () => {
        const id = stream();
        await expect(store.appendToStream(id, [event()], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({
          expectedRevision: 'stream_exists',
          actualRevision: 'no_stream',
        });
        expect(await store.readStream(id)).toEqual([]);
        await store.appendToStream(id, [event()]);
        await expect(store.appendToStream(id, [event()], { expectedRevision: 'stream_exists' })).resolves.toMatchObject({ nextExpectedRevision: 1 });
      });

      it('accepts the exact revision of the last event and refuses any other', async () => {
        const id = stream();
        await store.appendToStream(id, events(2));
        await expect(store.appendToStream(id, [event()], { expectedRevision: 0 })).rejects.toMatchObject({ expectedRevision: 0, actualRevision: 1 });
        await expect(store.appendToStream(id, [event()], { expectedRevision: 5 })).rejects.toThrow(WrongExpectedVersionError);
        await expect(store.appendToStream(id, [event()], { expectedRevision: 1 })).resolves.toMatchObject({ nextExpectedRevision: 2 });
        const missing = stream();
        await expect(store.appendToStream(missing, [event()], { expectedRevision: 0 })).rejects.toMatchObject({ actualRevision: 'no_stream' });
      });

      it('treats a retried batch with the same ids as a no-op that answers as the first time', async () => {
        const id = stream();
        const batch = events(3);
        const first = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        const retried = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        const retriedAny = await store.appendToStream(id, batch, { expectedRevision: 'any' });
        expect(retried).toEqual(first);
        expect(retriedAny).toEqual(first);
        expect((await store.readStream(id)).map((e) => e.id)).toEqual(batch.map((e) => e.id));
      });

      it('answers a retry as the first time even after the stream moved on', async () => {
        const id = stream();
        const batch = events(2);
        const first = await store.appendToStream(id, batch, { expectedRevision: 'no_stream' });
        await store.appendToStream(id, events(2));
        expect(await store.appendToStream(id, batch, { expectedRevision: 'no_stream' })).toEqual(first);
        expect(await store.readStream(id)).toHaveLength(4);
      });

      (subject.capabilities.detectsConflictingRetries ? it : it.skip)('refuses stored ids with other content or in another stream', async () => {
        const id = stream();
        const original = event('ThingHappened', { n: 1 });
        await store.appendToStream(id, [original]);
        await expect(store.appendToStream(id, [{ ...original, data: { n: 2 } }])).rejects.toThrow(DuplicateEventIdError);
        await expect(store.appendToStream(stream(), [original])).rejects.toThrow(DuplicateEventIdError);
        expect(await store.readStream(id)).toHaveLength(1);
      });

      it('lets exactly one of 50 concurrent writers at the same revision win', async () => {
        const id = stream();
        await store.appendToStream(id, [event()]);
        const writers = Array.from({ length: 50 }, (_, n) => event('ThingChanged', { writer: n }));
        const results = await Promise.allSettled(writers.map((e) => store.appendToStream(id, [e], { expectedRevision: 0 })));

        const won = results.flatMap((r, n) => (r.status === 'fulfilled' ? [n] : []));
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(49);
        for (const failure of lost) expect(failure.reason).toBeInstanceOf(WrongExpectedVersionError);
        const read = await store.readStream(id);
        expect(read.map((e) => e.id)).toEqual([read[0]!.id, writers[won[0]!]!.id]);
      });

      it("lets exactly one of 50 concurrent creators with 'no_stream' win", async () => {
        const id = stream();
        const results = await Promise.allSettled(Array.from({ length: 50 }, () => store.appendToStream(id, [event()], { expectedRevision: 'no_stream' })));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(id)).toHaveLength(1);
      });

      it('answers each of many appends sent at once on its own, whatever the others do', async () => {
        const [fresh, existing, tombstoned, contested] = [stream(), stream(), stream(), stream()];
        await store.appendToStream(existing, events(2));
        await store.appendToStream(tombstoned, [event()]);
        await store.tombstoneStream(tombstoned);
        await store.appendToStream(contested, [event()]);
        const stored = event('ThingHappened', { n: 1 });
        await store.appendToStream(existing, [stored]);

        const [created, conflict, deleted, retried, first, second, alsoCreated] = await Promise.allSettled([
          store.appendToStream(fresh, events(2), { expectedRevision: 'no_stream' }),
          store.appendToStream(existing, [event()], { expectedRevision: 0 }),
          store.appendToStream(tombstoned, [event()]),
          store.appendToStream(existing, [stored], { expectedRevision: 1 }),
          store.appendToStream(contested, [event('ThingChanged', { writer: 1 })], { expectedRevision: 0 }),
          store.appendToStream(contested, [event('ThingChanged', { writer: 2 })], { expectedRevision: 0 }),
          store.appendToStream(stream(), [event()], { expectedRevision: 'no_stream' }),
        ]);

        expect(created).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1 } });
        expect(conflict).toMatchObject({ status: 'rejected', reason: { expectedRevision: 0, actualRevision: 2 } });
        expect((conflict as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
        expect((deleted as PromiseRejectedResult).reason).toBeInstanceOf(StreamDeletedError);
        expect(retried).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 2 } });
        const contenders = [first, second];
        const winner = contenders.findIndex((outcome) => outcome?.status === 'fulfilled');
        expect(contenders[winner]).toMatchObject({ value: { nextExpectedRevision: 1 } });
        expect((contenders[1 - winner] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
        expect(alsoCreated).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0 } });
        expect(await store.readStream(fresh)).toHaveLength(2);
        expect((await store.readStream(existing)).map((e) => e.revision)).toEqual([0, 1, 2]);
        expect((await store.readStream(contested)).map((e) => e.data)).toEqual([{ n: 1 }, { writer: winner + 1 }]);
      });

      it('appends 50 concurrent writers with any to one stream, each revision once', async () => {
        const id = stream();
        await Promise.all(Array.from({ length: 50 }, () => store.appendToStream(id, events(2), { expectedRevision: 'any' })));
        const read = await store.readStream(id);
        expect(read.map((e) => e.revision)).toEqual(Array.from({ length: 100 }, (_, n) => n));
      });
    });

    describe('refusing bad input, writing nothing', () => {
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic['self'] = cyclic;
      const bad: Array<[string, (id: string) => Promise<unknown>]> = [
        ['an empty stream id', () => store.appendToStream('', [event()])],
        ['a stream id of spaces', () => store.appendToStream('   ', [event()])],
        ['a stream id that is not a string', () => store.appendToStream(42 as unknown as string, [event()])],
        ['an event without a type', (id) => store.appendToStream(id, [{ id: randomUUID(), data: {} } as unknown as EventToAppend])],
        ['an event with an empty type', (id) => store.appendToStream(id, [{ id: randomUUID(), type: '', data: {} }])],
        ['an event id that is not a UUID', (id) => store.appendToStream(id, [{ id: 'event-1', type: 'X', data: {} }])],
        ['the same id twice in one batch', (id) => {
          const e = event();
          return store.appendToStream(id, [e, { ...e }]);
        }],
        ['an empty batch', (id) => store.appendToStream(id, [])],
        ['a function in the data', (id) => store.appendToStream(id, [{ id: randomUUID(), type: 'X', data: { f: () => 1 } as never }])],
        ['a bigint in the data', (id) => store.appendToStream(id, [{ id: randomUUID(), type: 'X', data: { amount: 10n } as never }])],
        ['NaN in the data', (id) => store.appendToStream(id, [{ id: randomUUID(), type: 'X', data: { amount: Number.NaN } }])],
        ['a Date in the data', (id) => store.appendToStream(id, [{ id: randomUUID(), type: 'X', data: { at: new Date() } as never }])],
        ['a cycle in the data', (id) => store.appendToStream(id, [{ id: randomUUID(), type: 'X', data: cyclic as never }])],
        ['a NUL character in the data', (id) => store.appendToStream(id, [{ id: randomUUID(), type: 'X', data: { s: 'a\u0000b' } }])],
        ['undefined data', (id) => store.appendToStream(id, [{ id: randomUUID(), type: 'X', data: undefined as never }])],
        ['metadata that is not an object', (id) => store.appendToStream(id, [{ id: randomUUID(), type: 'X', data: {}, metadata: [] as never }])],
        ['a negative expected revision', (id) => store.appendToStream(id, [event()], { expectedRevision: -1 })],
        ['a fractional expected revision', (id) => store.appendToStream(id, [event()], { expectedRevision: 1.5 })],
        ['an unknown expected revision', (id) => store.appendToStream(id, [event()], { expectedRevision: 'latest' as never })],
      ];

      it.each(bad)('refuses %s', async (_what, attempt) => {
        const id = stream();
        await expect(attempt(id)).rejects.toThrow(EventStoreArgumentError);
        expect(await store.readStream(id)).toEqual([]);
      });

      it('writes none of a batch whose later event is bad', async () => {
        const id = stream();
        await expect(store.appendToStream(id, [event(), { id: randomUUID(), type: 'X', data: { n: Infinity } }])).rejects.toThrow(EventStoreArgumentError);
        expect(await store.readStream(id)).toEqual([]);
      });

      it.each([
        ['a negative fromRevision', { fromRevision: -1 }],
        ['a zero maxCount', { maxCount: 0 }],
        ['an unknown direction', { direction: 'sideways' }],
      ])('refuses to read a stream with %s', async (_what, options) => {
        await expect(store.readStream(stream(), options as never)).rejects.toThrow(EventStoreArgumentError);
      });

      it('refuses a position that is not one of the store', async () => {
        await expect(store.readAll({ fromPosition: '42' })).rejects.toThrow(EventStoreArgumentError);
        expect(() => store.subscribeToAll({ fromPosition: 'nope' })).toThrow(EventStoreArgumentError);
      });

      it('refuses a filter naming both or neither kind', async () => {
        await expect(store.readAll({ filter: {} as never })).rejects.toThrow(EventStoreArgumentError);
        await expect(store.readAll({ filter: { streamCategories: ['a'], eventTypePrefixes: ['b'] } as never })).rejects.toThrow(EventStoreArgumentError);
      });
    });

    describe('reading a stream', () => {
      let id: string;
      let batch: EventToAppend[];

      beforeAll(async () => {
        id = stream();
        batch = events(10);
        await store.appendToStream(id, batch);
      });

      it('reads forwards from a revision, at most maxCount', async () => {
        const read = await store.readStream(id, { fromRevision: 3, maxCount: 4 });
        expect(read.map((e) => e.revision)).toEqual([3, 4, 5, 6]);
        expect(read.map((e) => e.id)).toEqual(batch.slice(3, 7).map((e) => e.id));
      });

      it('reads backwards from the end or from a revision', async () => {
        expect((await store.readStream(id, { direction: 'backwards', maxCount: 3 })).map((e) => e.revision)).toEqual([9, 8, 7]);
        expect((await store.readStream(id, { direction: 'backwards', fromRevision: 2 })).map((e) => e.revision)).toEqual([2, 1, 0]);
      });

      it('reads nothing forwards from the end or past the last revision', async () => {
        expect(await store.readStream(id, { fromRevision: 'end' })).toEqual([]);
        expect(await store.readStream(id, { fromRevision: 10 })).toEqual([]);
      });

      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(stream())).toEqual([]);
      });
    });

    describe('reading all', () => {
      it('reads every event in global order from an inclusive position, forwards and backwards', async () => {
        const [a, b] = [stream('alpha'), stream('beta')];
        const first = await store.appendToStream(a, [event('AlphaHappened')]);
        await store.appendToStream(b, [event('BetaHappened')]);
        await store.appendToStream(a, [event('AlphaChanged')]);

        const forwards = await store.readAll({ fromPosition: first.position, maxCount: 3 });
        expect(forwards.map((e) => [e.streamId, e.type])).toEqual([
          [a, 'AlphaHappened'],
          [b, 'BetaHappened'],
          [a, 'AlphaChanged'],
        ]);
        const ordered = [...forwards].sort((x, y) => comparePositions(x.position, y.position));
        expect(ordered).toEqual(forwards);

        const backwards = await store.readAll({ direction: 'backwards', fromPosition: forwards[2]!.position, maxCount: 3 });
        expect(backwards).toEqual([...forwards].reverse());
      });

      it('filters by stream category and by event type prefix', async () => {
        const category = `cat${randomUUID().slice(0, 8)}`;
        const typePrefix = `Kind${randomUUID().slice(0, 8)}`;
        const start = await store.appendToStream(stream('other'), [event('Unrelated')]);
        await store.appendToStream(stream(category), [event('One')]);
        await store.appendToStream(stream('other'), [event(`${typePrefix}Started`)]);
        await store.appendToStream(stream(category), [event(`${typePrefix}Ended`)]);

        const byCategory = await store.readAll({ fromPosition: start.position, filter: { streamCategories: [category] } });
        expect(byCategory.map((e) => e.type)).toEqual(['One', `${typePrefix}Ended`]);
        const byType = await store.readAll({ fromPosition: start.position, filter: { eventTypePrefixes: [typePrefix] } });
        expect(byType.map((e) => e.type)).toEqual([`${typePrefix}Started`, `${typePrefix}Ended`]);
      });

      it('counts the events after a position, where the store can', async () => {
        if (!store.countEvents) return; // EventStoreDB cannot count cheaply; the port makes it optional
        const category = `count${randomUUID().slice(0, 8)}`;
        const start = await store.appendToStream(stream('other'), [event()]);
        await store.appendToStream(stream(category), events(4));
        await store.appendToStream(stream(category), events(3));
        expect(await store.countEvents({ after: start.position, filter: { streamCategories: [category] } })).toBe(7);
        expect(await store.countEvents({ after: start.position })).toBeGreaterThanOrEqual(7);
        await expect(store.countEvents({ after: 'nope' })).rejects.toThrow(EventStoreArgumentError);
      });

      it('tells the head position', async () => {
        const result = await store.appendToStream(stream(), [event()]);
        const head = await store.headPosition();
        expect(head).not.toBeNull();
        expect(comparePositions(head!, result.position)).toBeGreaterThanOrEqual(0);
      });
    });

    describe('subscribing to all', () => {
      it('catches up from a position, says so, then goes live without gap or duplicate', async () => {
        const category = `sub${randomUUID().slice(0, 8)}`;
        const before = events(5);
        const id = stream(category);
        await store.appendToStream(id, before);
        const messages: SubscriptionMessage[] = [];
        const subscription = store.subscribeToAll({ filter: { streamCategories: [category] }, batchSize: 2 }).subscribe((m) => messages.push(m));
        try {
          await waitFor(() => messages.some((m) => m.kind === 'caughtUp'));
          const after = events(4);
          for (const e of after) await store.appendToStream(id, [e]);
          await waitFor(() => messages.filter((m) => m.kind === 'event').length >= 9);
          const delivered = messages.flatMap((m) => (m.kind === 'event' ? [m.event.id] : []));
          expect(delivered).toEqual([...before, ...after].map((e) => e.id));
          const caughtUpAt = messages.findIndex((m) => m.kind === 'caughtUp');
          expect(messages.slice(0, caughtUpAt).filter((m) => m.kind === 'event')).toHaveLength(5);
        } finally {
          subscription.unsubscribe();
        }
      });

      it('resumes after a checkpoint with the next event', async () => {
        const id = stream();
        const batch = events(6);
        await store.appendToStream(id, batch);
        const read = await store.readStream(id);
        const resumed = await collect(store.subscribeToAll({ fromPosition: read[2]!.position }).pipe(), (got) => got.some((e) => e.id === batch[5]!.id));
        const mine = resumed.filter((e) => e.streamId === id);
        expect(mine.map((e) => e.revision)).toEqual([3, 4, 5]);
      });

      it("from 'end' delivers only what is appended after it", async () => {
        const id = stream();
        await store.appendToStream(id, [event()]);
        // One subscription: 'end' is where that subscription starts, so the append must wait for
        // its own catching up (a second subscription could start after the append and miss it).
        let caughtUpNow!: () => void;
        const caughtUp = new Promise<void>((resolve) => (caughtUpNow = resolve));
        const source = store.subscribeToAll({ fromPosition: 'end' }).pipe(tap((m) => m.kind === 'caughtUp' && caughtUpNow()));
        const got = collect(source, (received) => received.some((e) => e.streamId === id && e.revision === 1));
        await caughtUp;
        await store.appendToStream(id, [event()]);
        expect((await got).filter((e) => e.streamId === id).map((e) => e.revision)).toEqual([1]);
      });

      it('reads no further while the subscriber withholds demand, then delivers the rest', async () => {
        const category = `bp${randomUUID().slice(0, 8)}`;
        const start = (await store.headPosition()) ?? 'start';
        const id = stream(category);
        for (let n = 0; n < 5; n++) await store.appendToStream(id, events(100));
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let calls = 0;
        const received: RecordedEvent[] = [];
        const subscription = store
          .subscribeToAll({ fromPosition: start, filter: { streamCategories: [category] }, batchSize: 100, demand: () => (++calls === 1 ? undefined : gate) })
          .subscribe((m) => m.kind === 'event' && received.push(m.event));
        try {
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect(received.length).toBeLessThanOrEqual(100);
          release();
          await waitFor(() => received.length === 500);
          expect(received.map((e) => e.revision)).toEqual(Array.from({ length: 500 }, (_, n) => n));
        } finally {
          subscription.unsubscribe();
        }
      });

      it('delivers only matching events to a filtered subscription', async () => {
        const prefix = `Only${randomUUID().slice(0, 8)}`;
        const start = await store.headPosition();
        await store.appendToStream(stream(), [event('Noise'), event(`${prefix}A`), event('Noise'), event(`${prefix}B`)]);
        const source = store.subscribeToAll({ fromPosition: start ?? 'start', filter: { eventTypePrefixes: [prefix] } });
        const got = await firstValueFrom(source.pipe(rxFilter((m) => m.kind === 'event'), take(2), toArray()));
        expect(got.map((m) => (m.kind === 'event' ? m.event.type : m.kind))).toEqual([`${prefix}A`, `${prefix}B`]);
      });
    });

    describe('deleting and truncating', () => {
      it('soft-deletes: the stream reads as empty and an append carries on after its last revision', async () => {
        const id = stream();
        await store.appendToStream(id, events(3));
        await store.deleteStream(id, { expectedRevision: 2 });
        expect(await store.readStream(id)).toEqual([]);
        const revived = event();
        await expect(store.appendToStream(id, [revived], { expectedRevision: 'any' })).resolves.toMatchObject({ nextExpectedRevision: 3 });
        expect(await store.readStream(id)).toEqual([expect.objectContaining({ id: revived.id, revision: 3 })]);
      });

      it('refuses a delete at the wrong revision and deletes nothing', async () => {
        const id = stream();
        await store.appendToStream(id, events(2));
        await expect(store.deleteStream(id, { expectedRevision: 0 })).rejects.toThrow(WrongExpectedVersionError);
        expect(await store.readStream(id)).toHaveLength(2);
      });

      it('tombstones: the stream can never be read or written again', async () => {
        const id = stream();
        await store.appendToStream(id, events(2));
        await store.tombstoneStream(id, { expectedRevision: 1 });
        await expect(store.readStream(id)).rejects.toThrow(StreamDeletedError);
        await expect(store.appendToStream(id, [event()])).rejects.toThrow(StreamDeletedError);
        await expect(store.appendToStream(id, [event()], { expectedRevision: 'no_stream' })).rejects.toThrow(StreamDeletedError);
      });

      it('truncates before a revision', async () => {
        const id = stream();
        await store.appendToStream(id, events(5));
        await store.setStreamMetadata(id, { truncateBefore: 3 });
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([3, 4]);
        expect((await store.readStream(id, { direction: 'backwards' })).map((e) => e.revision)).toEqual([4, 3]);
      });

      it('keeps only the newest maxCount events readable', async () => {
        const id = stream();
        await store.appendToStream(id, events(5));
        await store.setStreamMetadata(id, { maxCount: 2 });
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([3, 4]);
        await store.appendToStream(id, [event()]);
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([4, 5]);
      });

      it('hides events older than maxAge', async () => {
        const id = stream();
        await store.appendToStream(id, events(2));
        await store.setStreamMetadata(id, { maxAge: 1 });
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await store.appendToStream(id, [event()]);
        expect((await store.readStream(id)).map((e) => e.revision)).toEqual([2]);
      });

      it('keeps stream metadata with its own revision', async () => {
        const id = stream();
        expect(await store.getStreamMetadata(id)).toEqual({ streamId: id, metadata: {}, metadataRevision: 'no_stream' });
        await store.setStreamMetadata(id, { maxCount: 10, custom: { owner: 'shop-1' } }, { expectedMetadataRevision: 'no_stream' });
        expect(await store.getStreamMetadata(id)).toEqual({ streamId: id, metadata: { maxCount: 10, custom: { owner: 'shop-1' } }, metadataRevision: 0 });
        await expect(store.setStreamMetadata(id, { maxCount: 3 }, { expectedMetadataRevision: 'no_stream' })).rejects.toThrow(WrongExpectedVersionError);
        await store.setStreamMetadata(id, { maxCount: 3 }, { expectedMetadataRevision: 0 });
        expect((await store.getStreamMetadata(id)).metadata).toEqual({ maxCount: 3 });
      });
    });
  });
}

export async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
