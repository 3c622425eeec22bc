import { randomUUID } from 'node:crypto';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import {
  createEmbeddedEventStore,
  openPersonalDataVault,
  protectPersonalData,
  type EventStore,
  type PersonalDataVault,
} from '../../src';
import { onEachDatabase, type TestDatabase } from '../databases';

const policy = {
  fields: { CustomerRegistered: ['email', 'name', 'addresses'] },
  subjectOf: (event: { data: Record<string, unknown> }) => event.data['customerId'] as string,
};

function suite(kind: string, openDb: () => Promise<TestDatabase>): void {
  describe(`personal data on ${kind}`, () => {
    let raw: EventStore;
    let protectedStore: EventStore;
    let vault: PersonalDataVault;
    let env: TestDatabase;

    beforeAll(async () => {
      env = await openDb();
      raw = await createEmbeddedEventStore({ dataDir: 'memory://' });
      vault = await openPersonalDataVault(env.db, { schema: env.schema });
      protectedStore = protectPersonalData(raw, vault, policy);
    });
    afterAll(async () => {
      await raw.close();
      await env.cleanup();
    });

    const registered = (customerId: string) => ({
      id: randomUUID(),
      type: 'CustomerRegistered',
      data: { customerId, email: 'nasrin@example.com.bd', name: 'নাসরিন আক্তার', addresses: [{ city: 'Chattogram' }], plan: 'gold' },
    });

    it('stores personal fields encrypted and reads them back plain', async () => {
      const customerId = randomUUID();
      const event = registered(customerId);
      await protectedStore.appendToStream(`customer-${customerId}`, [event]);

      const stored = (await raw.readStream(`customer-${customerId}`))[0]!;
      const storedJson = JSON.stringify(stored.data);
      expect(storedJson).not.toContain('nasrin');
      expect(storedJson).not.toContain('নাসরিন');
      expect(storedJson).not.toContain('Chattogram');
      expect(stored.data).toEqual({ customerId, plan: 'gold', email: { $encrypted: expect.any(String), subject: customerId }, name: expect.any(Object), addresses: expect.any(Object) });

      expect((await protectedStore.readStream(`customer-${customerId}`))[0]!.data).toEqual(event.data);
      expect((await protectedStore.readAll({ fromPosition: stored.position, maxCount: 1 }))[0]!.data).toEqual(event.data);
      // another process remembers nothing: it decrypts with the key from the database
      const elsewhere = protectPersonalData(raw, await openPersonalDataVault(env.db, { schema: env.schema }), policy);
      expect((await elsewhere.readStream(`customer-${customerId}`))[0]!.data).toEqual(event.data);
    });

    it('hands every reader its own copy of a remembered value', async () => {
      const customerId = randomUUID();
      await protectedStore.appendToStream(`customer-${customerId}`, [registered(customerId)]);
      const first = (await protectedStore.readStream(`customer-${customerId}`))[0]!.data as { addresses: Array<{ city: string }> };
      first.addresses[0]!.city = 'changed by a careless reader';
      const second = (await protectedStore.readStream(`customer-${customerId}`))[0]!.data as { addresses: Array<{ city: string }> };
      expect(second.addresses).toEqual([{ city: 'Chattogram' }]);
    });

    it('refuses a value whose ciphertext was tampered with', async () => {
      const customerId = randomUUID();
      await protectedStore.appendToStream(`customer-${customerId}`, [registered(customerId)]);
      const stored = (await raw.readStream(`customer-${customerId}`))[0]!.data as { email: { $encrypted: string; subject: string } };
      const [format, iv, tag, body] = stored.email.$encrypted.split('.') as [string, string, string, string];
      const flipped = Buffer.from(body, 'base64url');
      flipped[0] = flipped[0]! ^ 1;
      await expect(vault.decrypt({ subject: customerId, $encrypted: [format, iv, tag, flipped.toString('base64url')].join('.') })).rejects.toThrow();
    });

    it('keeps a retried append idempotent (the same bytes again)', async () => {
      const customerId = randomUUID();
      const event = registered(customerId);
      const first = await protectedStore.appendToStream(`customer-${customerId}`, [event]);
      expect(await protectedStore.appendToStream(`customer-${customerId}`, [event])).toEqual(first);
      expect(await raw.readStream(`customer-${customerId}`)).toHaveLength(1);
    });

    it('reads a forgotten subject\'s personal fields as null, keeps the rest, and writes no more for it', async () => {
      const customerId = randomUUID();
      const other = randomUUID();
      await protectedStore.appendToStream(`customer-${customerId}`, [registered(customerId)]);
      await protectedStore.appendToStream(`customer-${other}`, [registered(other)]);
      // both read once, so the vault remembers their plain values
      expect((await protectedStore.readStream(`customer-${customerId}`))[0]!.data).toEqual(registered(customerId).data);
      await vault.forget(customerId);

      expect((await protectedStore.readStream(`customer-${customerId}`))[0]!.data).toEqual({ customerId, plan: 'gold', email: null, name: null, addresses: null });
      expect((await protectedStore.readStream(`customer-${other}`))[0]!.data).toEqual(registered(other).data);
      expect(await vault.isForgotten(customerId)).toBe(true);
      // a second vault (another process) sees it forgotten too
      const elsewhere = await openPersonalDataVault(env.db, { schema: env.schema });
      expect(await elsewhere.isForgotten(customerId)).toBe(true);
      await expect(protectedStore.appendToStream(`customer-${customerId}`, [registered(customerId)])).rejects.toThrow(/forgotten/);
    });

    it('decrypts subscriptions in order', async () => {
      const start = await raw.headPosition();
      const ids = Array.from({ length: 5 }, () => randomUUID());
      for (const id of ids) await protectedStore.appendToStream(`customer-${id}`, [registered(id)]);
      const got = await firstValueFrom(
        protectedStore.subscribeToAll({ fromPosition: start ?? 'start' }).pipe(filter((m) => m.kind === 'event'), take(5), toArray()),
      );
      expect(got.map((m) => (m.kind === 'event' ? (m.event.data as { customerId: string; email: string }) : null))).toEqual(ids.map((customerId) => expect.objectContaining({ customerId, email: 'nasrin@example.com.bd' })));
    });

    it('asks the database once for a key that many writers and readers want at the same moment', async () => {
      const fresh = await openPersonalDataVault(env.db, { schema: env.schema });
      const customerId = randomUUID();
      const keyQueries: string[] = [];
      const count = (query: { sql: string }) => {
        if (query.sql.includes('personal_data_keys')) keyQueries.push(query.sql);
      };
      env.db.knex.on('query', count);
      try {
        const values = await Promise.all(Array.from({ length: 20 }, (_, i) => fresh.encrypt(customerId, `value ${i}`, `seed ${i}`)));
        // read, create, read again
        expect(keyQueries).toHaveLength(3);
        const reader = await openPersonalDataVault(env.db, { schema: env.schema });
        keyQueries.length = 0;
        expect(await Promise.all(values.map((value) => reader.decrypt(value)))).toEqual(values.map((_, i) => `value ${i}`));
        expect(keyQueries).toHaveLength(1);
      } finally {
        env.db.knex.off('query', count);
      }
    });

    it('makes blind indexes that are stable, keyed by purpose, and not the value', async () => {
      const a = await vault.blindIndex('email', 'nasrin@example.com.bd');
      expect(await vault.blindIndex('email', 'nasrin@example.com.bd')).toBe(a);
      expect(await vault.blindIndex('phone', 'nasrin@example.com.bd')).not.toBe(a);
      expect(a).toMatch(/^[0-9a-f]{40}$/);
      await expect(vault.forget('$system.blind-index')).rejects.toThrow();
    });
  });
}

onEachDatabase('pd', suite);
