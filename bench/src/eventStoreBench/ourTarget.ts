/** Our event store port (PostgreSQL or embedded adapter) as a bench target. */
import { WrongExpectedVersionError, type EventStore, type Position, type SubscriptionMessage } from '@bdbazar/shared-kernel';
import type { BenchTarget, LiveSubscriber, SubscriberPlacement } from './target';

export interface OurTargetOptions {
  name: string;
  store: EventStore;
  /** Opens another instance on the same data with its own connections (as another process would); absent when impossible. */
  openSecondInstance?: () => Promise<EventStore>;
  /** Why there can be no second instance, when `openSecondInstance` is absent. */
  noSecondInstanceReason?: string;
  notes?: Record<string, string>;
  /** How many connections the store's pool has opened so far, when the caller owns the pool and counts. */
  connectionsOpened?: () => number;
  /** Called after the store (and any second instance) is closed, e.g. to end a pool the caller owns. */
  afterClose?: () => Promise<void>;
}

export function ourTarget(options: OurTargetOptions): BenchTarget {
  const { store } = options;
  const secondInstances: EventStore[] = [];

  return {
    name: options.name,
    kind: 'ours',
    notes: options.notes ?? {},
    ...(options.connectionsOpened ? { connectionsOpened: options.connectionsOpened } : {}),

    async appendToNewStream(streamId, events) {
      await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
    },

    async appendAnyRevision(streamId, events) {
      await store.appendToStream(streamId, events, { expectedRevision: 'any' });
    },

    async appendExpecting(streamId, events, revision) {
      try {
        const result = await store.appendToStream(streamId, events, { expectedRevision: revision });
        return result.nextExpectedRevision;
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) return 'conflict';
        throw error;
      }
    },

    async lastRevision(streamId) {
      const [last] = await store.readStream(streamId, { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
      if (!last) throw new Error(`Stream ${streamId} has no events.`);
      return last.revision;
    },

    async readWholeStream(streamId) {
      return (await store.readStream(streamId)).length;
    },

    async readAllPaged(pageSize, onEvent) {
      // fromPosition is inclusive: each later page starts with the last event of the page before.
      let from: Position | 'start' = 'start';
      for (;;) {
        const page = await store.readAll({ fromPosition: from, maxCount: from === 'start' ? pageSize : pageSize + 1 });
        const fresh = from === 'start' ? page : page.filter((event) => event.position !== from);
        for (const event of fresh) onEvent(event.id);
        const last = page[page.length - 1];
        if (fresh.length === 0 || !last) return;
        from = last.position;
      }
    },

    catchUp(onEvent) {
      return new Promise<void>((resolve, reject) => {
        let done = false;
        const subscription = store.subscribeToAll({ fromPosition: 'start' }).subscribe({
          next(message: SubscriptionMessage) {
            if (done) return;
            if (message.kind === 'event') onEvent(message.event.id);
            if (message.kind === 'caughtUp') {
              done = true;
              queueMicrotask(() => subscription.unsubscribe());
              resolve();
            }
          },
          error: reject,
          complete: () => (done ? undefined : reject(new Error('The subscription completed before catching up.'))),
        });
      });
    },

    async subscribeLive(placement: SubscriberPlacement, onEventData) {
      let source = store;
      if (placement === 'second instance') {
        if (!options.openSecondInstance) return { unavailable: options.noSecondInstanceReason ?? 'no second instance' };
        source = await options.openSecondInstance();
        secondInstances.push(source);
      }
      return liveSubscriber(source, onEventData);
    },

    async close() {
      for (const instance of secondInstances.splice(0)) await instance.close();
      await store.close();
      await options.afterClose?.();
    },
  };
}

function liveSubscriber(store: EventStore, onEventData: (data: Record<string, unknown>) => void): LiveSubscriber {
  let markReady: () => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    fail = reject;
  });
  const subscription = store.subscribeToAll({ fromPosition: 'end' }).subscribe({
    next(message: SubscriptionMessage) {
      if (message.kind === 'caughtUp') markReady();
      if (message.kind === 'event') onEventData(message.event.data);
    },
    error: fail,
  });
  return {
    ready,
    async stop() {
      subscription.unsubscribe();
    },
  };
}
