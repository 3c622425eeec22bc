import type { RecordedEvent } from '../eventStore/eventStore';
import { UpcasterRegistry } from './upcasters';

function recorded(type: string, data: unknown, metadata: Record<string, unknown> = {}): RecordedEvent<string, unknown, Record<string, unknown>> {
  return { id: 'e1', type, data, metadata, streamId: 'todo-1', revision: 0, position: '0000000000000001', createdAt: new Date(0) };
}

// TodoAdded v1 had `text`; v2 renamed it `title`; v3 added `priority`.
const todoUpcasters = () =>
  new UpcasterRegistry()
    .register('TodoAdded', 1, (data) => {
      const { text, ...rest } = data as { id: string; text: string };
      return { data: { ...rest, title: text } };
    })
    .register('TodoAdded', 2, (data) => ({ data: { ...(data as object), priority: 'normal' } }));

describe('UpcasterRegistry', () => {
  describe('when an event is older than the current version', () => {
    it('upgrades it step by step, and says so in its metadata', () => {
      const old = recorded('TodoAdded', { id: 'a', text: 'Buy rice' }, { schemaVersion: 1, correlationId: 'req-1' });
      expect(todoUpcasters().upcast(old)).toEqual({
        ...old,
        data: { id: 'a', title: 'Buy rice', priority: 'normal' },
        metadata: { schemaVersion: 3, correlationId: 'req-1' },
      });
    });

    it('reads an event with no schema version as version 1', () => {
      expect(todoUpcasters().upcast(recorded('TodoAdded', { id: 'a', text: 'Buy rice' })).data).toEqual({ id: 'a', title: 'Buy rice', priority: 'normal' });
    });

    it('starts from the version the event has', () => {
      const v2 = recorded('TodoAdded', { id: 'a', title: 'Buy rice' }, { schemaVersion: 2 });
      expect(todoUpcasters().upcast(v2).data).toEqual({ id: 'a', title: 'Buy rice', priority: 'normal' });
    });

    it('never changes the stored event', () => {
      const old = recorded('TodoAdded', { id: 'a', text: 'Buy rice' }, { schemaVersion: 1 });
      todoUpcasters().upcast(old);
      expect(old).toEqual(recorded('TodoAdded', { id: 'a', text: 'Buy rice' }, { schemaVersion: 1 }));
    });

    it('follows a rename to the version of the new type', () => {
      const registry = todoUpcasters().register('TaskCreated', 1, (data) => ({ type: 'TodoAdded', schemaVersion: 1, data: { id: (data as { taskId: string }).taskId, text: 'untitled' } }));
      const upcast = registry.upcast(recorded('TaskCreated', { taskId: 'a' }));
      expect([upcast.type, upcast.data, upcast.metadata]).toEqual(['TodoAdded', { id: 'a', title: 'untitled', priority: 'normal' }, { schemaVersion: 3 }]);
    });

    it('refuses when an upcaster in the chain is missing', () => {
      const registry = new UpcasterRegistry().register('TodoAdded', 2, (data) => ({ data }));
      expect(() => registry.upcast(recorded('TodoAdded', {}, { schemaVersion: 1 }))).toThrow('No upcaster registered for TodoAdded from schema version 1 (current is 3); event e1.');
    });

    it('refuses upcasters that go round in a circle', () => {
      const registry = new UpcasterRegistry()
        .register('A', 1, (data) => ({ type: 'B', schemaVersion: 1, data }))
        .register('B', 1, (data) => ({ type: 'A', schemaVersion: 1, data }));
      expect(() => registry.upcast(recorded('A', {}))).toThrow(/go round in a circle/);
    });
  });

  describe('when an event is current', () => {
    it('returns it as it is', () => {
      const current = recorded('TodoAdded', { id: 'a', title: 'Buy rice', priority: 'high' }, { schemaVersion: 3 });
      expect(todoUpcasters().upcast(current)).toBe(current);
    });

    it('leaves types without upcasters alone', () => {
      const event = recorded('TodoCompleted', { id: 'a' });
      expect(todoUpcasters().upcast(event)).toBe(event);
    });
  });

  it('refuses a metadata schema version that is not an integer from 1', () => {
    expect(() => todoUpcasters().upcast(recorded('TodoAdded', {}, { schemaVersion: '2' }))).toThrow('metadata.schemaVersion must be an integer from 1, got "2".');
  });

  it('knows the version new events are written in', () => {
    const registry = todoUpcasters();
    expect([registry.currentVersion('TodoAdded'), registry.currentVersion('TodoCompleted')]).toEqual([3, 1]);
  });

  describe('when registering', () => {
    it('refuses a second upcaster for the same type and version', () => {
      expect(() => todoUpcasters().register('TodoAdded', 2, (data) => ({ data }))).toThrow('An upcaster of TodoAdded from schema version 2 is already registered.');
    });

    it('refuses a version below 1', () => {
      expect(() => new UpcasterRegistry().register('TodoAdded', 0, (data) => ({ data }))).toThrow(/integer from 1, got 0/);
    });
  });
});
