/**
 * Ids derived from names (UUID v5, RFC 9562 §5.5): the same name always gives the same id, so a
 * stream that must be unique per name (one review per buyer and product, one claim per shop and
 * SKU) is found, and raced for, by its id alone; an integration event's message id is one of these.
 *
 * Hashed here with node:crypto rather than with the uuid package's v5, which spells the name out
 * byte by byte through `unescape(encodeURIComponent(...))` and parses the namespace on every call:
 * message ids are made for every integration event, and that cost twice this. The ids are the same
 * (nameBasedId.unit.spec.ts checks them against the uuid package).
 */
import { createHash } from 'node:crypto';
import { validate as isUuid } from 'uuid';

/** Namespaces are constants of the code: a handful. Past this many, a namespace is parsed per call. */
const MAX_CACHED_NAMESPACES = 64;
const namespaceBytes = new Map<string, Buffer>();

function bytesOf(namespace: string): Buffer {
  let bytes = namespaceBytes.get(namespace);
  if (bytes === undefined) {
    if (!isUuid(namespace)) throw new TypeError(`A name-based id's namespace must be a UUID, got '${namespace}'.`);
    bytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
    if (namespaceBytes.size < MAX_CACHED_NAMESPACES) namespaceBytes.set(namespace, bytes);
  }
  return bytes;
}

/** The UUID v5 of `name` (as UTF-8) in `namespace` (itself a UUID naming what kind of name it is). */
export function nameBasedId(namespace: string, name: string): string {
  const hash = createHash('sha1').update(bytesOf(namespace)).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
