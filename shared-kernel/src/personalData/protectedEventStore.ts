/**
 * An event store that keeps personal data encrypted: listed fields of listed event types are
 * encrypted under their subject's key when appended, and decrypted (or read as null once the
 * subject was forgotten) on every read: stream reads, `readAll` and subscriptions. Deciders,
 * projectors and auditors see plain data and never handle keys.
 */
import { concatMap, from, type Observable } from 'rxjs';
import type { EventStore, EventToAppend, JsonValue, RecordedEvent, SubscriptionMessage } from '../eventStore/eventStore';
import { isEncryptedValue, type PersonalDataVault } from './vault';

export interface PersonalDataPolicy {
  /** Per event type, the top-level fields of `data` that are personal data. */
  fields: Readonly<Record<string, readonly string[]>>;
  /** Whose personal data an event carries (the subject whose key encrypts it). */
  subjectOf(event: { type: string; data: Record<string, unknown> }): string;
}

export function protectPersonalData(store: EventStore, vault: PersonalDataVault, policy: PersonalDataPolicy): EventStore {
  const encryptEvent = async (event: EventToAppend<string, unknown, unknown>): Promise<EventToAppend<string, unknown, unknown>> => {
    const fields = policy.fields[event.type];
    if (!fields || typeof event.data !== 'object' || event.data === null) return event;
    const data = { ...(event.data as Record<string, unknown>) };
    const subject = policy.subjectOf({ type: event.type, data });
    for (const field of fields) {
      if (data[field] === undefined || data[field] === null) continue;
      data[field] = await vault.encrypt(subject, data[field] as JsonValue, `${event.id}:${field}`);
    }
    return { ...event, data };
  };

  const decryptEvent = async (event: RecordedEvent): Promise<RecordedEvent> => {
    const data = event.data as Record<string, unknown>;
    if (typeof data !== 'object' || data === null || !Object.values(data).some(isEncryptedValue)) return event;
    const plain: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(data)) plain[field] = isEncryptedValue(value) ? await vault.decrypt(value) : value;
    return { ...event, data: plain as RecordedEvent['data'] };
  };
  const decryptAll = (events: RecordedEvent[]) => Promise.all(events.map(decryptEvent));

  return {
    appendToStream: async (streamId, events, options) => store.appendToStream(streamId, await Promise.all(events.map(encryptEvent)), options),
    readStream: async (streamId, options) => decryptAll(await store.readStream(streamId, options)),
    readAll: async (options) => decryptAll(await store.readAll(options)),
    subscribeToAll: (options): Observable<SubscriptionMessage> =>
      store.subscribeToAll(options).pipe(
        // in order: a decryption never lets a later event overtake an earlier one
        concatMap((message) => (message.kind === 'event' ? from(decryptEvent(message.event).then((event) => ({ kind: 'event' as const, event }))) : from([message]))),
      ),
    deleteStream: (streamId, options) => store.deleteStream(streamId, options),
    tombstoneStream: (streamId, options) => store.tombstoneStream(streamId, options),
    setStreamMetadata: (streamId, metadata, options) => store.setStreamMetadata(streamId, metadata, options),
    getStreamMetadata: (streamId) => store.getStreamMetadata(streamId),
    headPosition: () => store.headPosition(),
    ...(store.countEvents ? { countEvents: (options) => store.countEvents!(options) } : {}),
    close: () => store.close(),
  };
}

/** For readers (projectors, auditors): decrypts whatever personal data it meets, encrypts nothing. */
export function decryptingEventStore(store: EventStore, vault: PersonalDataVault): EventStore {
  return protectPersonalData(store, vault, { fields: {}, subjectOf: () => '' });
}
