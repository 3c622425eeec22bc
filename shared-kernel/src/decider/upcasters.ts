/**
 * A published event never changes: when the shape of an event's data changes, new events are
 * written with a higher `metadata.schemaVersion`, and old ones are upgraded here, on every read,
 * one version at a time. The stored events are never rewritten.
 */
import type { RecordedEvent } from '../eventStore/eventStore';

/**
 * The event one version later. By default the type stays and the version is `fromSchemaVersion + 1`.
 * An upcaster that renames the event must say which version of the new type its data has.
 */
export type UpcastResult =
  | { data: unknown; type?: undefined; schemaVersion?: number }
  | { data: unknown; type: string; schemaVersion: number };

export type Upcaster = (data: unknown) => UpcastResult;

/** `metadata.schemaVersion`, or 1 when the event has none. */
export function readSchemaVersion(metadata: unknown): number {
  const version = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>).schemaVersion : undefined;
  if (version === undefined) return 1;
  if (typeof version === 'number' && Number.isSafeInteger(version) && version >= 1) return version;
  throw new Error(`metadata.schemaVersion must be an integer from 1, got ${JSON.stringify(version)}.`);
}

/** One per service (not a module-level singleton): registered at start-up, read by command handlers and projectors. */
export class UpcasterRegistry {
  private readonly upcasters = new Map<string, Upcaster>();
  private readonly latest = new Map<string, number>();

  /** Registers how to turn `type` at `fromSchemaVersion` into the next version. */
  register(type: string, fromSchemaVersion: number, upcaster: Upcaster): this {
    if (typeof type !== 'string' || type.length === 0) throw new Error('An upcaster needs an event type.');
    if (!Number.isSafeInteger(fromSchemaVersion) || fromSchemaVersion < 1) {
      throw new Error(`An upcaster of ${type} must start from a schema version that is an integer from 1, got ${fromSchemaVersion}.`);
    }
    const key = keyOf(type, fromSchemaVersion);
    if (this.upcasters.has(key)) throw new Error(`An upcaster of ${type} from schema version ${fromSchemaVersion} is already registered.`);
    this.upcasters.set(key, upcaster);
    this.latest.set(type, Math.max(this.latest.get(type) ?? 1, fromSchemaVersion + 1));
    return this;
  }

  /** The version new events of `type` are written in: one above the highest version an upcaster starts from. */
  currentVersion = (type: string): number => this.latest.get(type) ?? 1;

  /**
   * The event in its current shape, with `metadata.schemaVersion` saying so; the same object when it
   * is current already. An event newer than this code knows is passed through as it is.
   */
  upcast<Metadata>(event: RecordedEvent<string, unknown, Metadata>): RecordedEvent<string, unknown, Metadata> {
    const stored = readSchemaVersion(event.metadata);
    let { type, data } = event;
    let version = stored;
    const seen = new Set<string>();
    for (let upcaster = this.upcasters.get(keyOf(type, version)); upcaster; upcaster = this.upcasters.get(keyOf(type, version))) {
      seen.add(keyOf(type, version));
      const result = upcaster(data);
      const renamed = result.type !== undefined && result.type !== type;
      const nextVersion = result.schemaVersion ?? version + 1;
      if (!renamed && nextVersion <= version) {
        throw new Error(`The upcaster of ${type} from schema version ${version} must return a later version, not ${nextVersion}.`);
      }
      data = result.data;
      type = result.type ?? type;
      version = nextVersion;
      if (seen.has(keyOf(type, version))) throw new Error(`The upcasters of ${event.type} go round in a circle at ${type} v${version}.`);
    }
    if (version < this.currentVersion(type)) {
      throw new Error(`No upcaster registered for ${type} from schema version ${version} (current is ${this.currentVersion(type)}); event ${event.id}.`);
    }
    if (version === stored && type === event.type) return event;
    return { ...event, type, data, metadata: { ...event.metadata, schemaVersion: version } };
  }
}

function keyOf(type: string, version: number): string {
  return `${type}@${version}`;
}
