/** What the accounts projector publishes: whole payloads, and of personal data the address book only. */
import { checkedDrafts, type JsonObject, type RecordedEvent } from '@bdbazar/shared-kernel';
import { accountsProjector } from './accountsProjector';

const accountId = '0193a5c2-0000-4000-8000-0000000000b1';
const addressId = '0193a5c2-0000-4000-8000-00000000ad01';
const createdAt = new Date('2026-11-24T10:00:00.000Z');
const at = createdAt.toISOString();

const recorded = (type: string, data: JsonObject, streamId = `account-${accountId}`): RecordedEvent => ({
  id: '0193a5c2-0000-4000-8000-00000000ee01',
  type,
  data,
  metadata: {},
  streamId,
  revision: 4,
  position: '1',
  createdAt,
});
const published = (type: string, data: JsonObject) => checkedDrafts(accountsProjector, recorded(type, data));

const home = {
  addressId,
  label: 'Home',
  recipient: 'Nusrat Jahan',
  phone: '+8801711000000',
  division: 'Dhaka',
  district: 'Dhaka',
  area: 'Dhanmondi',
  line1: 'House 12, Road 5',
  line2: null,
  postcode: '1205',
};

describe("the accounts projector's integration events", () => {
  describe('for the address book, which the order service needs to deliver', () => {
    it('publishes an added address whole', () =>
      expect(published('AddressAdded', { accountId, address: home, addedAt: at })).toEqual([{ type: 'account.AddressAdded.v1', data: { accountId, address: home, at } }]));

    it('publishes a changed address whole', () => {
      const moved = { ...home, area: null, line1: 'Flat 3B, House 7, Road 2', line2: 'Near the mosque', postcode: null };
      expect(published('AddressChanged', { accountId, address: moved, changedAt: at })).toEqual([{ type: 'account.AddressChanged.v1', data: { accountId, address: moved, at } }]);
    });

    it('publishes the removal and the choice of default by the address id', () => {
      expect(published('AddressRemoved', { accountId, addressId, removedAt: at })).toEqual([{ type: 'account.AddressRemoved.v1', data: { accountId, addressId, at } }]);
      expect(published('DefaultAddressChosen', { accountId, addressId, chosenAt: at })).toEqual([{ type: 'account.DefaultAddressChosen.v1', data: { accountId, addressId, at } }]);
    });

    it('publishes the contract fields only, whatever the domain event carries besides', () =>
      expect(published('AddressAdded', { accountId, address: { ...home, landmark: 'Blue gate' }, addedAt: at, addedBy: accountId })).toEqual([
        { type: 'account.AddressAdded.v1', data: { accountId, address: home, at } },
      ]));

    it('publishes nothing of an address that can no longer be read (the account was forgotten)', () => {
      expect(published('AddressAdded', { accountId, address: null, addedAt: at })).toEqual([]);
      expect(published('AddressChanged', { accountId, address: null, changedAt: at })).toEqual([]);
    });
  });

  describe('for everything else', () => {
    it('publishes ids, roles and facts, and no other personal data', () => {
      expect(published('AccountRegistered', { accountId, email: 'nusrat@example.com.bd', name: 'Nusrat Jahan', phone: '+8801711000000', role: 'buyer', registeredAt: at })).toEqual([
        { type: 'account.AccountRegistered.v1', data: { accountId, role: 'buyer', at } },
      ]);
      expect(published('AccountDeleted', { accountId, deletedBy: 'admin', deletedAt: at })).toEqual([{ type: 'account.AccountDeleted.v1', data: { accountId, at } }]);
      expect(published('ProfileUpdated', { accountId, name: 'Nusrat J.', phone: null, updatedAt: at })).toEqual([]);
      expect(published('KycSubmitted', { accountId, nationalIdNumber: '1990123456789', tradeLicenceNumber: 'T/1', documents: [], submittedAt: at })).toEqual([]);
    });
  });
});
