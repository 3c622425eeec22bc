import { ANY, END, EVENT_TYPE, NO_STREAM, START, STREAM_EXISTS, STREAM_NAME, type RecordedEvent as ClientRecordedEvent } from '@eventstore/db-client';
import { EventStoreArgumentError } from '../errors';
import type { RecordedEvent, SubscriptionMessage } from '../eventStore';
import { comparePositions } from '../position';
import { matchesFilter, validateStreamMetadata } from '../validation';
import { createEventStoreDbEventStore } from './eventStoreDbEventStore';
import {
  categoryRegex,
  fromClientRevision,
  fromWireMetadata,
  isSystemEvent,
  toClientFilter,
  toClientPosition,
  toClientRevision,
  toPosition,
  toRecordedEvent,
  toWireMetadata,
} from './mapping';
import { orderedRelay } from './orderedRelay';

describe('EventStoreDB adapter mapping', () => {
  describe('expected revisions', () => {
    it.each([
      ['any', ANY],
      ['no_stream', NO_STREAM],
      ['stream_exists', STREAM_EXISTS],
      [0, 0n],
      [41, 41n],
    ] as const)('maps %p to the client’s %p', (ours, theirs) => {
      expect(toClientRevision(ours)).toBe(theirs);
    });

    it('maps the actual revision of a conflict back', () => {
      expect(fromClientRevision(NO_STREAM)).toBe('no_stream');
      expect(fromClientRevision(7n)).toBe(7);
    });
  });

  describe('positions', () => {
    it('encodes commit/prepare as a fixed-width position and decodes it back', () => {
      const position = { commit: 123_456n, prepare: 123_400n };
      expect(toPosition(position)).toBe('00000000000000123456/00000000000000123400');
      expect(toClientPosition(toPosition(position))).toEqual(position);
    });

    it('keeps the order of the log under plain string comparison, up to 64-bit positions', () => {
      const log = [
        { commit: 0n, prepare: 0n },
        { commit: 9n, prepare: 9n },
        { commit: 10n, prepare: 0n },
        { commit: 10n, prepare: 10n },
        { commit: 2n ** 40n, prepare: 2n ** 40n },
        { commit: 2n ** 63n - 1n, prepare: 2n ** 63n - 1n },
      ];
      const encoded = log.map(toPosition);
      for (let i = 1; i < encoded.length; i++) expect(comparePositions(encoded[i - 1]!, encoded[i]!)).toBeLessThan(0);
      expect(toClientPosition(encoded[5]!)).toEqual(log[5]);
    });

    it("maps 'start' and 'end', and refuses what is not a position", () => {
      expect(toClientPosition('start')).toBe(START);
      expect(toClientPosition('end')).toBe(END);
      expect(() => toClientPosition('12/34')).toThrow(EventStoreArgumentError);
    });
  });

  describe('filters', () => {
    const ids = ['order', 'order-1', 'order-1-2', 'orders-1', 'xorder-1', 'ord', 'shop-9', 'a.b-1', 'axb-1', 'a.b'];

    it('matches stream ids by category exactly as categoryOf does', () => {
      for (const categories of [['order'], ['order', 'shop'], ['a.b']]) {
        const regex = new RegExp(categoryRegex(categories));
        for (const id of ids) expect([id, regex.test(id)]).toEqual([id, matchesFilter({ streamCategories: categories }, id, 'X')]);
      }
    });

    it('leaves system events out of an unfiltered subscription, on the server', () => {
      expect(toClientFilter(undefined)).toMatchObject({ filterOn: EVENT_TYPE, regex: '^[^$].*' });
    });

    it('filters categories on stream names and prefixes on event types', () => {
      const checkpointReached = (): void => undefined;
      expect(toClientFilter({ streamCategories: ['order', 'shop'] }, { checkpointReached, maxSearchWindow: 50 })).toEqual({
        filterOn: STREAM_NAME,
        regex: '^(?:order|shop)(?:-|$)',
        checkpointInterval: 1,
        checkpointReached,
        maxSearchWindow: 50,
      });
      expect(toClientFilter({ eventTypePrefixes: ['Order', 'Stock'] })).toMatchObject({ filterOn: EVENT_TYPE, prefixes: ['Order', 'Stock'] });
    });

    it('knows system events by their stream or their type', () => {
      expect(isSystemEvent('$stats-127.0.0.1:2113', 'Result')).toBe(true);
      expect(isSystemEvent('order-1', '$streamDeleted')).toBe(true);
      expect(isSystemEvent('order-1', 'OrderPlaced')).toBe(false);
    });
  });

  describe('recorded events', () => {
    const created = new Date('2025-01-02T03:04:05.678Z');
    const base = {
      streamId: 'order-1',
      id: '0b9f7e2c-6d5a-4c1e-9a4b-2f0d8e7c6b5a',
      isJson: true as const,
      revision: 3n,
      type: 'OrderPlaced',
      created,
      data: { total: { amount: 12_500, currency: 'BDT' } },
      position: { commit: 2000n, prepare: 2000n },
    };

    it('maps every field', () => {
      const event = toRecordedEvent({ ...base, metadata: { correlationId: 'c-1' } } as ClientRecordedEvent);
      expect(event).toEqual<RecordedEvent>({
        id: base.id,
        type: 'OrderPlaced',
        data: base.data,
        metadata: { correlationId: 'c-1' },
        streamId: 'order-1',
        revision: 3,
        position: '00000000000000002000/00000000000000002000',
        createdAt: created,
      });
    });

    it('gives {} as metadata when there is none or it is not a JSON object', () => {
      for (const metadata of [undefined, new Uint8Array([1, 2]), ['a'], 'text']) {
        expect(toRecordedEvent({ ...base, metadata } as ClientRecordedEvent).metadata).toEqual({});
      }
    });

    it('refuses an event without a position (a server older than 22.6)', () => {
      expect(() => toRecordedEvent({ ...base, position: undefined, metadata: undefined } as ClientRecordedEvent)).toThrow(/22\.6/);
    });
  });

  describe('stream metadata', () => {
    it("writes EventStoreDB's keys beside the custom ones and reads them back", () => {
      const metadata = { maxAge: 60, maxCount: 10, truncateBefore: 3, custom: { owner: 'shop-1', maxAge: 'not ours' } };
      const wire = toWireMetadata(metadata);
      expect(wire).toEqual({ $maxAge: 60, $maxCount: 10, $tb: 3, owner: 'shop-1', maxAge: 'not ours' });
      expect(fromWireMetadata(JSON.parse(JSON.stringify(wire)))).toEqual(metadata);
    });

    it('leaves out the marker of a soft delete, ACLs and other keys of the store', () => {
      const wire = JSON.parse('{"$tb": 9223372036854775807, "$acl": {"$r": "$all"}, "$cacheControl": 5}') as unknown;
      expect(fromWireMetadata(wire)).toEqual({});
      expect(fromWireMetadata(undefined)).toEqual({});
    });

    it('refuses bad values and custom keys the store would read as its own', () => {
      expect(() => validateStreamMetadata({ maxCount: 0 })).toThrow(EventStoreArgumentError);
      expect(() => validateStreamMetadata({ truncateBefore: -1 })).toThrow(EventStoreArgumentError);
      expect(() => validateStreamMetadata({ custom: { $acl: { $r: '$all' } } })).toThrow(EventStoreArgumentError);
      expect(() => validateStreamMetadata({ custom: { at: new Date() } as never })).toThrow(EventStoreArgumentError);
      expect(validateStreamMetadata({ truncateBefore: 0, custom: { maxAge: 1 } })).toEqual({ truncateBefore: 0, custom: { maxAge: 1 } });
    });
  });
});

describe('orderedRelay', () => {
  const event = (n: number): RecordedEvent => ({
    id: `id-${n}`,
    type: 'ThingHappened',
    data: {},
    metadata: {},
    streamId: 'test-1',
    revision: n,
    position: toPosition({ commit: BigInt(n * 100), prepare: BigInt(n * 100) }),
    createdAt: new Date(0),
  });
  const describeMessage = (m: SubscriptionMessage): string => (m.kind === 'event' ? `event ${m.event.revision}` : `${m.kind} ${m.position}`);

  function setUp(start: string | null = null) {
    const messages: SubscriptionMessage[] = [];
    let buffered = 0;
    const relay = orderedRelay((m) => messages.push(m), start, () => buffered);
    return { relay, log: () => messages.map(describeMessage), setBuffered: (n: number) => (buffered = n) };
  }

  it('holds caught-up until the events received before it are delivered, and names the last one', () => {
    const { relay, log, setBuffered } = setUp();
    relay.received(event(0));
    setBuffered(2); // events 1 and 2 still wait in the client's buffer
    relay.caughtUp();
    expect(log()).toEqual(['event 0']);
    setBuffered(0);
    relay.received(event(1));
    relay.received(event(2));
    relay.received(event(3));
    expect(log()).toEqual(['event 0', 'event 1', 'event 2', `caughtUp ${event(2).position}`, 'event 3']);
  });

  it('holds a checkpoint behind buffered events, and drops one that is not past the last event', () => {
    const { relay, log, setBuffered } = setUp();
    setBuffered(1);
    relay.checkpoint(event(5).position);
    relay.received(null); // a system event, counted but not shown
    relay.received(event(6));
    relay.checkpoint(event(4).position);
    expect(log()).toEqual([`checkpoint ${event(5).position}`, 'event 6']);
  });

  it('says caught up once, with the start position when nothing came, or null from the beginning', () => {
    const fromStart = setUp();
    fromStart.relay.caughtUp();
    fromStart.relay.caughtUp();
    expect(fromStart.log()).toEqual(['caughtUp null']);

    const fromPosition = setUp(event(7).position);
    fromPosition.relay.caughtUp();
    expect(fromPosition.log()).toEqual([`caughtUp ${event(7).position}`]);
  });
});

describe('the EventStoreDB adapter without a server', () => {
  it('refuses bad input before it sends anything, with the shared validation', async () => {
    // nothing listens there: any request that reached the client would fail with UNAVAILABLE instead
    const store = await createEventStoreDbEventStore('esdb://127.0.0.1:1?tls=false', { checkConnection: false });
    await expect(store.appendToStream('', [])).rejects.toThrow(EventStoreArgumentError);
    await expect(store.appendToStream('order-1', [{ id: 'event-1', type: 'X', data: {} }])).rejects.toThrow(EventStoreArgumentError);
    await expect(store.readStream('order-1', { maxCount: 0 })).rejects.toThrow(EventStoreArgumentError);
    await expect(store.readAll({ fromPosition: '42' })).rejects.toThrow(EventStoreArgumentError);
    await expect(store.deleteStream('$settings')).rejects.toThrow(EventStoreArgumentError);
    await expect(store.setStreamMetadata('order-1', { custom: { $tb: 1 } })).rejects.toThrow(EventStoreArgumentError);
    expect(() => store.subscribeToAll({ fromPosition: 'nope' })).toThrow(EventStoreArgumentError);
    expect(() => store.subscribeToAll({ batchSize: 0 })).toThrow(EventStoreArgumentError);
    await store.close();
    await expect(store.readStream('order-1')).rejects.toThrow(/closed/);
  });
});
