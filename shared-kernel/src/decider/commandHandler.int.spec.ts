import type { EventStore } from '../eventStore/eventStore';
import { WrongExpectedVersionError } from '../eventStore/errors';
import { createEmbeddedEventStore } from '../eventStore/postgresEventStore';
import { ConcurrencyError, NotFoundError } from '../errors';
import { handleCommand, type HandleCommandOptions } from './commandHandler';
import type { CommandContext } from './envelope';
import { todoList, type TodoCommand, type TodoEvent, type TodoState } from './testing/todoList';
import { UpcasterRegistry } from './upcasters';
import { createStreamStateCache } from './streamStateCache';

const context: CommandContext = { correlationId: 'req-1', causationId: 'cmd-1', actor: { id: 'user-7', role: 'buyer' } };
const clock = () => new Date('2025-03-01T10:00:00.000Z');
const add = (id: string, title: string): TodoCommand => ({ type: 'AddTodo', data: { id, title } });
const complete = (id: string): TodoCommand => ({ type: 'CompleteTodo', data: { id } });

let eventStore: EventStore;
let streams = 0;
const newStream = () => `todo-0193a000-0000-7000-8000-${String(++streams).padStart(12, '0')}`;

beforeAll(async () => {
  eventStore = await createEmbeddedEventStore({ dataDir: 'memory://', schema: 'decider_test' });
});

afterAll(async () => {
  await eventStore?.close();
});

function handle(streamId: string, command: TodoCommand, options: Partial<HandleCommandOptions<TodoCommand, TodoEvent, TodoState>> = {}) {
  return handleCommand({ eventStore, decider: todoList, streamId, command, context, envelope: { clock }, ...options });
}

/** The store as handleCommand sees it, where `rival` writes (once) between its read and its append. */
function withRivalWrite(rival: () => Promise<unknown>): EventStore {
  let rivalWrote = false;
  const appendToStream: EventStore['appendToStream'] = async (...args) => {
    if (!rivalWrote) {
      rivalWrote = true;
      await rival();
    }
    return eventStore.appendToStream(...args);
  };
  return new Proxy(eventStore, {
    get: (target, key) => (key === 'appendToStream' ? appendToStream : Reflect.get(target, key, target)),
  });
}

describe('handleCommand', () => {
  describe('when the stream is new', () => {
    it('appends the decided events expecting no stream', async () => {
      const streamId = newStream();
      const result = await handle(streamId, add('a', 'Buy rice'));

      expect(result).toEqual({
        events: [{ type: 'TodoAdded', data: { id: 'a', title: 'Buy rice' } }],
        newState: { todos: { a: { title: 'Buy rice', done: false } } },
        nextExpectedRevision: 0,
        position: expect.any(String),
      });
      const stored = await eventStore.readStream(streamId);
      expect(stored.map(({ type, data, revision }) => ({ type, data, revision }))).toEqual([{ type: 'TodoAdded', data: { id: 'a', title: 'Buy rice' }, revision: 0 }]);
      expect(stored[0]?.position).toBe(result.position);
    });

    it('stores the metadata on every event', async () => {
      const streamId = newStream();
      await handle(streamId, add('a', 'Buy rice'));
      const [stored] = await eventStore.readStream(streamId);
      expect(stored?.metadata).toEqual({
        correlationId: 'req-1',
        causationId: 'cmd-1',
        actor: { id: 'user-7', role: 'buyer' },
        occurredAt: '2025-03-01T10:00:00.000Z',
        schemaVersion: 1,
      });
      expect(stored?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    });

    it('passes on the refusal of the decider and writes nothing', async () => {
      const streamId = newStream();
      await expect(handle(streamId, complete('a'))).rejects.toThrow(NotFoundError);
      expect(await eventStore.readStream(streamId)).toEqual([]);
    });
  });

  describe('when the stream already has events', () => {
    it('decides on the folded state and appends after the last revision', async () => {
      const streamId = newStream();
      await handle(streamId, add('a', 'Buy rice'));
      await handle(streamId, add('b', 'Buy dal'));

      const result = await handle(streamId, complete('a'));

      expect(result.events).toEqual([{ type: 'TodoCompleted', data: { id: 'a' } }]);
      expect(result.newState).toEqual({ todos: { a: { title: 'Buy rice', done: true }, b: { title: 'Buy dal', done: false } } });
      expect(result.nextExpectedRevision).toBe(2);
    });
  });

  describe('when decide returns no events', () => {
    it('appends nothing and returns the current revision and position', async () => {
      const streamId = newStream();
      await handle(streamId, add('a', 'Buy rice'));
      const done = await handle(streamId, complete('a'));

      const again = await handle(streamId, complete('a'));

      expect(again).toEqual({ events: [], newState: done.newState, nextExpectedRevision: 1, position: done.position });
      expect(await eventStore.readStream(streamId)).toHaveLength(2);
    });
  });

  describe('when the caller expects a revision (If-Match)', () => {
    it('appends when the revision holds', async () => {
      const streamId = newStream();
      await handle(streamId, add('a', 'Buy rice'), { expectedRevision: 'no_stream' });
      const result = await handle(streamId, complete('a'), { expectedRevision: 0 });
      expect(result.nextExpectedRevision).toBe(1);
    });

    it('refuses a stale revision before deciding, even a command that would change nothing', async () => {
      const streamId = newStream();
      await handle(streamId, add('a', 'Buy rice'));
      await handle(streamId, complete('a'));
      const decide = jest.fn(todoList.decide);

      const attempt = handle(streamId, complete('a'), { expectedRevision: 0, retries: 3, decider: { ...todoList, decide } });

      await expect(attempt).rejects.toThrow(WrongExpectedVersionError);
      await expect(attempt).rejects.toMatchObject({ expectedRevision: 0, actualRevision: 1 });
      expect(decide).not.toHaveBeenCalled();
    });

    it('does not retry when a rival write lands between the read and the append', async () => {
      const streamId = newStream();
      await handle(streamId, add('a', 'Buy rice'));
      const decide = jest.fn(todoList.decide);
      const store = withRivalWrite(() => handle(streamId, add('b', 'Buy dal')));

      const attempt = handle(streamId, complete('a'), { expectedRevision: 0, retries: 3, eventStore: store, decider: { ...todoList, decide } });

      await expect(attempt).rejects.toThrow(WrongExpectedVersionError);
      await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
      expect(decide).toHaveBeenCalledTimes(1);
      expect((await eventStore.readStream(streamId)).map((e) => e.data)).toEqual([
        { id: 'a', title: 'Buy rice' },
        { id: 'b', title: 'Buy dal' },
      ]);
    });
  });

  describe('when concurrent commands conflict', () => {
    it('fails the loser when no retries are allowed', async () => {
      const streamId = newStream();
      await handle(streamId, add('a', 'Buy rice'));
      const results = await Promise.allSettled([handle(streamId, add('b', 'Buy dal')), handle(streamId, add('c', 'Buy oil'))]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(WrongExpectedVersionError) });
    });

    it('re-reads and re-decides until each one lands', async () => {
      const streamId = newStream();
      await handle(streamId, add('a', 'Buy rice'));
      const decide = jest.fn(todoList.decide);
      const decider = { ...todoList, decide };

      const results = await Promise.all(
        ['b', 'c', 'd', 'e'].map((id) => handle(streamId, add(id, `Item ${id}`), { retries: 5, decider })),
      );

      expect(results.map((r) => r.nextExpectedRevision).sort()).toEqual([1, 2, 3, 4]);
      expect(decide.mock.calls.length).toBeGreaterThan(4); // at least one was decided again
      expect(Object.keys((await handle(streamId, complete('a'))).newState.todos).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('decides again on the state the rival left', async () => {
      const streamId = newStream();
      await handle(streamId, add('a', 'Buy rice'));
      const store = withRivalWrite(() => handle(streamId, complete('a')));

      // The rival completes 'a' between our first read and append; our retry sees it done and changes nothing.
      const result = await handle(streamId, complete('a'), { eventStore: store, retries: 1 });

      expect(result).toEqual({ events: [], newState: { todos: { a: { title: 'Buy rice', done: true } } }, nextExpectedRevision: 1, position: expect.any(String) });
      expect((await eventStore.readStream(streamId)).map((e) => e.type)).toEqual(['TodoAdded', 'TodoCompleted']);
    });

    it('gives up when the retries are used up', async () => {
      const streamId = newStream();
      await handle(streamId, add('a', 'Buy rice'));
      const store = withRivalWrite(() => handle(streamId, add('b', 'Buy dal')));

      await expect(handle(streamId, add('c', 'Buy oil'), { eventStore: store })).rejects.toThrow(WrongExpectedVersionError);
    });
  });

  describe('when the stream holds an event in an old shape', () => {
    it('upcasts it on read, writes new events in the current version, and leaves the stored event as it was', async () => {
      const streamId = newStream();
      const v1 = { correlationId: 'old', causationId: 'old', actor: { id: 'user-7', role: 'buyer' }, occurredAt: '2024-01-01T00:00:00.000Z' };
      await eventStore.appendToStream(streamId, [{ id: '0193a000-0000-7000-8000-0000000000aa', type: 'TodoAdded', data: { id: 'a', text: 'Buy rice' }, metadata: v1 }]);
      const upcasters = new UpcasterRegistry().register('TodoAdded', 1, (data) => {
        const { text, ...rest } = data as { id: string; text: string };
        return { data: { ...rest, title: text } };
      });

      const result = await handle(streamId, add('b', 'Buy dal'), { upcasters });

      expect(result.newState).toEqual({ todos: { a: { title: 'Buy rice', done: false }, b: { title: 'Buy dal', done: false } } });
      const [old, added] = await eventStore.readStream(streamId);
      expect([old?.data, old?.metadata]).toEqual([{ id: 'a', text: 'Buy rice' }, v1]);
      expect(added?.metadata).toMatchObject({ schemaVersion: 2 });
    });
  });
});

describe('handleCommand with a stream state cache', () => {
  it('decides on the cached state brought up to date, even when another process (another cache) wrote meanwhile', async () => {
    const streamId = newStream();
    const mine = createStreamStateCache<TodoEvent, TodoState>(eventStore, todoList);
    const theirs = createStreamStateCache<TodoEvent, TodoState>(eventStore, todoList);
    await handle(streamId, add('a', 'Buy rice'), { stateCache: mine });
    await handle(streamId, add('b', 'Buy dal'), { stateCache: theirs });
    // `mine` has only seen 'a'; it must read 'b' before deciding, or completing 'b' would be refused.
    const result = await handle(streamId, complete('b'), { stateCache: mine });
    expect(result.newState).toEqual({ todos: { a: { title: 'Buy rice', done: false }, b: { title: 'Buy dal', done: true } } });
    expect(result.nextExpectedRevision).toBe(2);
    expect(await mine.load(streamId)).toEqual({ state: result.newState, revision: 2, position: result.position });
  });

  it('retries on the fresh state when a rival appends between its read and its append', async () => {
    const streamId = newStream();
    const cache = createStreamStateCache<TodoEvent, TodoState>(eventStore, todoList);
    await handle(streamId, add('a', 'Buy rice'), { stateCache: cache });
    const store = withRivalWrite(() => handle(streamId, add('b', 'Buy dal')));
    const result = await handleCommand({ eventStore: store, decider: todoList, streamId, command: add('c', 'Buy oil'), context, envelope: { clock }, retries: 1, stateCache: cache });
    expect(result.nextExpectedRevision).toBe(2);
    // The retry read the rival's 'b' before deciding again: the state holds all three.
    expect(result.newState).toEqual({ todos: { a: { title: 'Buy rice', done: false }, b: { title: 'Buy dal', done: false }, c: { title: 'Buy oil', done: false } } });
    expect((await cache.load(streamId)).state).toEqual(result.newState);
  });

  /** The store with its stream reads counted. */
  function countingReads(): { store: EventStore; reads: () => number } {
    let reads = 0;
    const store = new Proxy(eventStore, {
      get: (target, key) =>
        key === 'readStream'
          ? (id: string, options?: Parameters<EventStore['readStream']>[1]) => {
              reads++;
              return target.readStream(id, options);
            }
          : Reflect.get(target, key, target),
    });
    return { store, reads: () => reads };
  }

  it('decides on the state it kept without reading the stream, when the append proves it current', async () => {
    const streamId = newStream();
    const { store, reads } = countingReads();
    const cache = createStreamStateCache<TodoEvent, TodoState>(store, todoList);
    await handle(streamId, add('a', 'Buy rice'), { stateCache: cache });
    const readsBefore = reads();
    const result = await handleCommand({ eventStore: store, decider: todoList, streamId, command: add('b', 'Buy dal'), context, envelope: { clock }, stateCache: cache });
    expect(reads() - readsBefore).toBe(0);
    expect(result.nextExpectedRevision).toBe(1);
    expect((await eventStore.readStream(streamId)).map((e) => e.data)).toEqual([
      { id: 'a', title: 'Buy rice' },
      { id: 'b', title: 'Buy dal' },
    ]);
  });

  it('decides again on a fresh read when the kept state is behind, without using up a retry', async () => {
    const streamId = newStream();
    const mine = createStreamStateCache<TodoEvent, TodoState>(eventStore, todoList);
    await handle(streamId, add('a', 'Buy rice'), { stateCache: mine });
    await handle(streamId, add('b', 'Buy dal'));
    // `mine` kept revision 0; its append there fails, and the command lands after 'b' (retries: 0).
    const result = await handle(streamId, add('c', 'Buy oil'), { stateCache: mine, retries: 0 });
    expect(result.nextExpectedRevision).toBe(2);
    expect(result.newState).toEqual({ todos: { a: { title: 'Buy rice', done: false }, b: { title: 'Buy dal', done: false }, c: { title: 'Buy oil', done: false } } });
    expect((await eventStore.readStream(streamId)).map((e) => e.revision)).toEqual([0, 1, 2]);
  });

  it('answers a no-op from a fresh read, with the revision the stream is at', async () => {
    const streamId = newStream();
    const mine = createStreamStateCache<TodoEvent, TodoState>(eventStore, todoList);
    await handle(streamId, add('a', 'Buy rice'), { stateCache: mine });
    await handle(streamId, complete('a'), { stateCache: mine });
    await handle(streamId, add('b', 'Buy dal'));
    // Kept: 'a' done at revision 1, a no-op; the stream is at revision 2.
    const result = await handle(streamId, complete('a'), { stateCache: mine });
    expect(result.events).toEqual([]);
    expect(result.nextExpectedRevision).toBe(2);
    expect(result.newState.todos['b']).toEqual({ title: 'Buy dal', done: false });
  });

  it('checks an If-Match revision against a fresh read, not the kept state', async () => {
    const streamId = newStream();
    const mine = createStreamStateCache<TodoEvent, TodoState>(eventStore, todoList);
    await handle(streamId, add('a', 'Buy rice'), { stateCache: mine });
    await handle(streamId, add('b', 'Buy dal'));
    // The client read revision 1 elsewhere: the kept revision 0 must not refuse it.
    const result = await handle(streamId, complete('b'), { stateCache: mine, expectedRevision: 1 });
    expect(result.nextExpectedRevision).toBe(2);
  });

  it('keeps at most maxStreams streams, dropping the least recently used', async () => {
    const reads: string[] = [];
    const counting = new Proxy(eventStore, {
      get: (target, key) =>
        key === 'readStream'
          ? (streamId: string, options?: Parameters<EventStore['readStream']>[1]) => {
              reads.push(`${streamId}@${options?.fromRevision ?? 0}`);
              return target.readStream(streamId, options);
            }
          : Reflect.get(target, key, target),
    });
    const cache = createStreamStateCache<TodoEvent, TodoState>(counting, todoList, { maxStreams: 2 });
    const [s1, s2, s3] = [newStream(), newStream(), newStream()];
    for (const s of [s1, s2, s3]) await handle(s, add('a', 'x'));
    for (const s of [s1, s2, s3, s1]) await cache.load(s);
    // s1 was dropped when s3 came in, so it was read again from the start.
    expect(reads).toEqual([`${s1}@0`, `${s2}@0`, `${s3}@0`, `${s1}@0`]);
    await cache.load(s1);
    expect(reads.at(-1)).toBe(`${s1}@1`);
  });

  it('shares reads between overlapping loads, each answer at least as new as the moment it was asked for', async () => {
    const streamId = newStream();
    await handle(streamId, add('a', 'x'));
    const { store: counting, reads } = countingReads();
    const cache = createStreamStateCache<TodoEvent, TodoState>(counting, todoList);
    const first = cache.load(streamId);
    // Written after the first load was asked for, before the next ones are.
    await handle(streamId, add('b', 'y'));
    const readsBefore = reads();
    const burst = await Promise.all(Array.from({ length: 20 }, () => cache.load(streamId)));
    expect((await first).revision).toBeLessThanOrEqual(1);
    for (const loaded of burst) expect(loaded.revision).toBe(1);
    // The burst shares at most two reads: one running, one queued behind it for the rest.
    expect(reads() - readsBefore).toBeLessThanOrEqual(2);
  });

  it('decides nothing from the store when it expects no stream, and still refuses a stream that exists', async () => {
    const streamId = newStream();
    await handle(streamId, add('a', 'x'));
    await expect(handle(streamId, add('b', 'y'), { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect((await eventStore.readStream(streamId)).map((e) => e.type)).toEqual(['TodoAdded']);
  });
});
