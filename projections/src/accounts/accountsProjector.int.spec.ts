/** The accounts read model, built from events the account service really writes. */
import { projectorStatus, rebuildProjector, silentLogger, startProjectorWorker, type Database, type EventStore, type ProjectorWorker } from '@bdbazar/shared-kernel';
import type { AccountService } from '../../../command-services/account/src/accountService';
import { accountFixture, type AccountFixture } from '../../../command-services/account/src/testing/accountFixture';
import { accountsProjector } from './accountsProjector';

const context = { correlationId: 'c', causationId: 'c', actor: { id: 'test', role: 'system' as const } };

describe('the accounts projector', () => {
  let fixture: AccountFixture;
  let raw: EventStore;
  let db: Database;
  let service: AccountService;
  let worker: ProjectorWorker;
  let protectedStore: EventStore;

  beforeAll(async () => {
    fixture = await accountFixture();
    ({ raw, db, service, store: protectedStore } = fixture);
    worker = startProjectorWorker({ store: protectedStore, db, runtimeSchema: 'bdbazar', definition: accountsProjector, logger: silentLogger(), checkIntervalMs: 50 });
  });
  afterAll(async () => {
    await worker.stop();
    await fixture.close();
  });

  const caughtUp = async () => {
    for (;;) {
      const status = await projectorStatus({ db, store: raw, runtimeSchema: 'bdbazar', definition: accountsProjector });
      if (status.generations[0]?.eventsBehind === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const user = async (id: string) => db.knex('accounts.users').where({ account_id: id }).first();

  it('follows a seller from registration through KYC to approval', async () => {
    const { id } = await service.register({ email: 'Mim@Example.com.bd', password: 'a good password', name: 'মিম ফ্যাশন', phone: '+8801811000000', role: 'seller' }, context);
    await service.addAddress(id, { label: 'Shop', recipient: 'Mim', phone: '+8801811000000', division: 'Dhaka', district: 'Dhaka', line1: 'Bashundhara City, Level 4' }, context);
    await service.submitKyc(id, { nationalIdNumber: '1990123456789', tradeLicenceNumber: 'TRAD/DNCC/1/2026', documents: [{ kind: 'trade_licence', reference: 'kyc/1.pdf' }] }, context);
    await service.approveKyc(id, 'admin', context);
    await service.approveSeller(id, 'admin', context);
    await caughtUp();

    expect(await user(id)).toEqual(
      expect.objectContaining({
        account_id: id,
        role: 'seller',
        status: 'active',
        email: 'mim@example.com.bd',
        name: 'মিম ফ্যাশন',
        phone: '+8801811000000',
        search: 'মিম ফ্যাশন mim@example.com.bd',
        seller_approved: true,
        kyc_status: 'approved',
        kyc: { nationalIdNumber: '1990123456789', tradeLicenceNumber: 'TRAD/DNCC/1/2026', documents: [{ kind: 'trade_licence', reference: 'kyc/1.pdf' }] },
        addresses: [expect.objectContaining({ label: 'Shop', line1: 'Bashundhara City, Level 4' })],
        revision: 5,
      }),
    );
  });

  it("publishes a buyer's address book whole, for the order service to deliver to, and none of it once the account is forgotten", async () => {
    const { id } = await service.register({ email: 'nusrat@example.com.bd', password: 'a good password', name: 'Nusrat Jahan', role: 'buyer' }, context);
    const home = { label: 'Home', recipient: 'Nusrat Jahan', phone: '+8801711000000', division: 'Dhaka', district: 'Dhaka', area: 'Dhanmondi', line1: 'House 12, Road 5', postcode: '1205' };
    const office = { label: 'Office', recipient: 'Nusrat Jahan', phone: '+8801711000000', division: 'Dhaka', district: 'Dhaka', line1: 'Level 9, Gulshan Avenue' };
    const first = await service.addAddress(id, home, context);
    const second = await service.addAddress(id, office, context);
    await service.changeAddress(id, first.addressId, { ...home, line2: 'Flat 3B' }, context);
    await service.chooseDefaultAddress(id, second.addressId, context);
    await service.removeAddress(id, first.addressId, context);
    await caughtUp();

    const at = (await raw.readStream(`account-${id}`)).map((e) => e.createdAt.toISOString());
    const homeAddress = { ...home, addressId: first.addressId, line2: null };
    const officeAddress = { ...office, addressId: second.addressId, area: null, line2: null, postcode: null };
    const outbox = (await db.knex('bdbazar.outbox').orderBy('id').select('payload')).map((r: { payload: { type: string; data: { accountId: string } } }) => r.payload);
    expect(outbox.filter((p) => p.data.accountId === id).map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'account.AccountRegistered.v1', data: { accountId: id, role: 'buyer', at: at[0] } },
      { type: 'account.AddressAdded.v1', data: { accountId: id, address: homeAddress, at: at[1] } },
      { type: 'account.DefaultAddressChosen.v1', data: { accountId: id, addressId: first.addressId, at: at[2] } },
      { type: 'account.AddressAdded.v1', data: { accountId: id, address: officeAddress, at: at[3] } },
      { type: 'account.AddressChanged.v1', data: { accountId: id, address: { ...homeAddress, line2: 'Flat 3B' }, at: at[4] } },
      { type: 'account.DefaultAddressChosen.v1', data: { accountId: id, addressId: second.addressId, at: at[5] } },
      { type: 'account.AddressRemoved.v1', data: { accountId: id, addressId: first.addressId, at: at[6] } },
    ]);

    // Once forgotten, the addresses read as null: a projector that replays them publishes nothing of them.
    await service.deleteAccount(id, 'admin', context);
    const deletedAt = (await raw.readStream(`account-${id}`)).at(-1)!.createdAt.toISOString();
    const forgotten = (await protectedStore.readStream(`account-${id}`)).flatMap((e) => accountsProjector.integrationEvents!(e));
    expect(forgotten).toEqual([
      { type: 'account.AccountRegistered.v1', data: { accountId: id, role: 'buyer', at: at[0] } },
      { type: 'account.DefaultAddressChosen.v1', data: { accountId: id, addressId: first.addressId, at: at[2] } },
      { type: 'account.DefaultAddressChosen.v1', data: { accountId: id, addressId: second.addressId, at: at[5] } },
      { type: 'account.AddressRemoved.v1', data: { accountId: id, addressId: first.addressId, at: at[6] } },
      { type: 'account.AccountDeleted.v1', data: { accountId: id, at: deletedAt } },
    ]);
  });

  it('keeps a deleted account as a row without personal data, and publishes no name or email of it', async () => {
    const { id } = await service.register({ email: 'gone@example.com.bd', password: 'a good password', name: 'Gone Soon', role: 'buyer' }, context);
    await service.deleteAccount(id, 'admin', context);
    await caughtUp();
    expect(await user(id)).toEqual(expect.objectContaining({ account_id: id, status: 'deleted', email: null, name: null, phone: null, search: '', kyc: null, addresses: [] }));

    const outbox = (await db.knex('bdbazar.outbox').select('payload')).map((r: { payload: { type: string; data: unknown } }) => r.payload);
    expect(outbox.filter((p) => (p.data as { accountId: string }).accountId === id).map((p) => p.type)).toEqual(['account.AccountRegistered.v1', 'account.AccountDeleted.v1']);
    expect(JSON.stringify(outbox)).not.toMatch(/Gone Soon|gone@example|মিম|mim@example/);
  });

  it('rebuilds to the same rows, and a deleted account stays without personal data', async () => {
    const before = await db.knex('accounts.users').orderBy('account_id');
    await rebuildProjector({ store: protectedStore, db, runtimeSchema: 'bdbazar', definition: accountsProjector, logger: silentLogger() });
    const after = await db.knex('accounts.users').orderBy('account_id');
    const stable = (rows: Array<Record<string, unknown>>) => rows.map(({ updated_at: _u, ...rest }) => rest);
    expect(stable(after)).toEqual(stable(before));
  });
});
