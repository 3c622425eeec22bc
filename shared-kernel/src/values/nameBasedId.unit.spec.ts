import fc from 'fast-check';
import { v5 as uuidv5 } from 'uuid';
import { integrationMessageId } from '../messaging/integrationEvent';
import { nameBasedId } from './nameBasedId';

const NAMESPACE = '6d2f3a52-6f0a-4c55-9a53-0f4c8f7d1b21';

describe('nameBasedId', () => {
  it('is the UUID v5 of RFC 9562 (the uuid package’s) for any name, Bangla and emoji included', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.string({ unit: 'grapheme', maxLength: 200 }), (namespace, name) => {
        expect(nameBasedId(namespace, name)).toBe(uuidv5(name, namespace));
      }),
      { numRuns: 2000 },
    );
    expect(nameBasedId(NAMESPACE, 'বাংলা পণ্য 😀')).toBe(uuidv5('বাংলা পণ্য 😀', NAMESPACE));
  });

  it('matches the RFC’s own example: www.example.com in the DNS namespace', () => {
    expect(nameBasedId('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('reads a namespace in capitals as the same UUID', () => {
    expect(nameBasedId(NAMESPACE.toUpperCase(), 'x')).toBe(nameBasedId(NAMESPACE, 'x'));
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => nameBasedId('not-a-uuid', 'x')).toThrow(/namespace must be a UUID/);
  });

  it('keeps integration message ids as they were: the same source event and type, the same id', () => {
    const sourceEventId = '0190f0aa-1b2c-7d3e-8f40-123456789abc';
    expect(integrationMessageId(sourceEventId, 'order.OrderPlaced.v1')).toBe(uuidv5(`${sourceEventId}:order.OrderPlaced.v1`, NAMESPACE));
  });
});
