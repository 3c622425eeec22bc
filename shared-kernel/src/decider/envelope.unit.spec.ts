import type { RecordedEvent } from '../eventStore/eventStore';
import { contextCausedBy, fromRecordedEvent, toEventsToAppend, type CommandContext } from './envelope';
import type { TodoEvent } from './testing/todoList';

const context: CommandContext = {
  correlationId: 'req-1',
  causationId: 'cmd-1',
  actor: { id: 'user-7', role: 'buyer' },
};
const clock = () => new Date('2025-03-01T10:00:00.000Z');
const sequentialIds = () => {
  let n = 0;
  return () => `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
};
const events: TodoEvent[] = [
  { type: 'TodoAdded', data: { id: 'a', title: 'Buy rice' } },
  { type: 'TodoCompleted', data: { id: 'a' } },
];

function recorded(overrides: Partial<RecordedEvent<string, unknown, unknown>>): RecordedEvent<string, unknown, unknown> {
  return {
    id: '00000000-0000-7000-8000-000000000001',
    type: 'TodoAdded',
    data: { id: 'a', title: 'Buy rice' },
    metadata: {},
    streamId: 'todo-1',
    revision: 0,
    position: '0000000000000001',
    createdAt: new Date('2025-03-01T10:00:01.000Z'),
    ...overrides,
  };
}

describe('toEventsToAppend', () => {
  it('gives every event an id and the full metadata', () => {
    expect(toEventsToAppend(events, context, { newId: sequentialIds(), clock })).toEqual([
      {
        id: '00000000-0000-7000-8000-000000000001',
        type: 'TodoAdded',
        data: { id: 'a', title: 'Buy rice' },
        metadata: { correlationId: 'req-1', causationId: 'cmd-1', actor: { id: 'user-7', role: 'buyer' }, occurredAt: '2025-03-01T10:00:00.000Z', schemaVersion: 1 },
      },
      {
        id: '00000000-0000-7000-8000-000000000002',
        type: 'TodoCompleted',
        data: { id: 'a' },
        metadata: { correlationId: 'req-1', causationId: 'cmd-1', actor: { id: 'user-7', role: 'buyer' }, occurredAt: '2025-03-01T10:00:00.000Z', schemaVersion: 1 },
      },
    ]);
  });

  it('writes each type in its current schema version', () => {
    const appended = toEventsToAppend(events, context, { newId: sequentialIds(), clock, schemaVersionOf: (type) => (type === 'TodoAdded' ? 3 : 1) });
    expect(appended.map((e) => [e.type, e.metadata?.schemaVersion])).toEqual([
      ['TodoAdded', 3],
      ['TodoCompleted', 1],
    ]);
  });

  it('uses time-ordered UUIDv7 ids by default', () => {
    const [first, second] = toEventsToAppend(events, context);
    expect(first?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first!.id < second!.id).toBe(true);
  });

  describe('when the context is incomplete', () => {
    it('refuses an actor without a known role', () => {
      const bad = { ...context, actor: { id: 'user-7', role: 'courier' } } as unknown as CommandContext;
      expect(() => toEventsToAppend(events, bad)).toThrow(/Invalid command context[\s\S]*actor\.role/);
    });

    it('refuses an empty correlation id', () => {
      expect(() => toEventsToAppend(events, { ...context, correlationId: '' })).toThrow(/correlationId/);
    });
  });
});

describe('fromRecordedEvent', () => {
  const metadata = { correlationId: 'req-1', causationId: 'cmd-1', actor: { id: 'user-7', role: 'buyer' }, occurredAt: '2025-03-01T10:00:00.000Z', schemaVersion: 2 };

  it('separates the domain event from its metadata and place in the store', () => {
    expect(fromRecordedEvent<TodoEvent>(recorded({ metadata }))).toEqual({
      event: { type: 'TodoAdded', data: { id: 'a', title: 'Buy rice' } },
      metadata,
      id: '00000000-0000-7000-8000-000000000001',
      streamId: 'todo-1',
      revision: 0,
      position: '0000000000000001',
      createdAt: new Date('2025-03-01T10:00:01.000Z'),
    });
  });

  it('reads an event without a schema version as version 1, keeping unknown keys', () => {
    const { schemaVersion: _, ...withoutVersion } = metadata;
    expect(fromRecordedEvent(recorded({ metadata: { ...withoutVersion, tenant: 'bd' } })).metadata).toEqual({ ...withoutVersion, tenant: 'bd', schemaVersion: 1 });
  });

  it('refuses an event whose metadata has no actor', () => {
    const { actor: _, ...withoutActor } = metadata;
    expect(() => fromRecordedEvent(recorded({ metadata: withoutActor }))).toThrow(/Event 00000000-0000-7000-8000-000000000001 \(TodoAdded\) at revision 0 of 'todo-1' has invalid metadata[\s\S]*actor/);
  });

  it('round-trips what toEventsToAppend wrote', () => {
    const [appended] = toEventsToAppend(events.slice(0, 1), context, { newId: sequentialIds(), clock });
    const read = fromRecordedEvent(recorded({ ...appended!, metadata: appended!.metadata! }));
    expect(read.event).toEqual(events[0]);
    expect(read.metadata).toEqual(appended!.metadata);
  });
});

describe('contextCausedBy', () => {
  it('keeps the correlation and names the event as the cause', () => {
    const cause = { id: 'evt-9', metadata: { correlationId: 'req-1' } };
    expect(contextCausedBy(cause, { id: 'payment-manager', role: 'system' })).toEqual({
      correlationId: 'req-1',
      causationId: 'evt-9',
      actor: { id: 'payment-manager', role: 'system' },
    });
  });
});
