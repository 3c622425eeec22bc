/**
 * What an append accepts as data and metadata, and how it names what it refuses. Every append takes
 * a cheap walk first and the descriptive one only on a refusal: both must agree on what is JSON.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreArgumentError } from './errors';
import { validateEvents } from './validation';

const withData = (data: unknown, metadata?: unknown) => validateEvents([{ id: randomUUID(), type: 'Tested', data, metadata }]);

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { next: value } : [value];
  return value;
}

describe('the JSON an append accepts', () => {
  it.each([
    ['nested objects and arrays', { order: { lines: [{ sku: 'RICE-5KG', quantity: 2, price: { amount: 45_000, currency: 'BDT' } }], note: null, gift: false } }],
    ['Bangla text and escapes', { title: 'মিনিকেট চাল ৫ কেজি', quote: '"\\\n\t' }],
    ['an object without a prototype', Object.assign(Object.create(null) as object, { a: 1 })],
    ['nesting far deeper than the cheap walk goes', nested(200, 'deep')],
    // a hole is stored as null, as JSON.stringify writes it
    ['an array with a hole', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a bare string, number or array', 'text'],
  ])('accepts %s, serialised as JSON.stringify writes it', (_what, data) => {
    const [event] = withData(data);
    expect(event?.dataJson).toBe(JSON.stringify(data));
  });

  const cyclic: Record<string, unknown> = { items: [] };
  (cyclic['items'] as unknown[]).push({ parent: cyclic });

  it.each([
    ['NaN deep in an array', { a: [1, { b: Number.NaN }] }, /data at a\[1\]\.b is NaN/],
    ['undefined in an array', { lines: [1, undefined] }, /data at lines\[1\] is undefined/],
    ['a Map', { seen: new Map() }, /data at seen is a Map, not plain JSON/],
    ['a class instance', { at: new (class Moment {})() }, /data at at is a Moment/],
    ['a key with a NUL character', { 'a\u0000b': 1 }, /data has a key with a NUL character/],
    ['a NUL character in a string', { note: ['fine', 'a\u0000b'] }, /data at note\[1\] contains a NUL character/],
    ['a cycle through an array', cyclic, /data at items\[0\]\.parent refers to itself/],
    ['a symbol', { kind: Symbol('x') }, /data at kind is a symbol/],
    ['a bad value past the depth of the cheap walk', nested(100, Number.POSITIVE_INFINITY), /is Infinity, which JSON cannot represent/],
  ])('refuses %s, naming where', (_what, data, message) => {
    expect(() => withData(data)).toThrow(EventStoreArgumentError);
    expect(() => withData(data)).toThrow(message);
  });

  it('checks metadata the same way', () => {
    expect(() => withData({}, { correlationId: 'c-1', actor: { id: 7n } })).toThrow(/metadata at actor\.id is 7n \(a bigint\)/);
    expect(withData({}, { correlationId: 'c-1' })[0]?.metadataJson).toBe('{"correlationId":"c-1"}');
  });
});
