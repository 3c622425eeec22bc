import { ConflictError, NotFoundError, UnprocessableError } from '@bdbazar/shared-kernel';
import type { Address, AccountEvent, AccountState } from '../account';
import { active } from '../guards';

export const MAX_ADDRESSES = 20;

export type AddressBookCommand =
  | { type: 'AddAddress'; data: { accountId: string; address: Address; makeDefault: boolean; now: string } }
  | { type: 'ChangeAddress'; data: { accountId: string; address: Address; now: string } }
  | { type: 'RemoveAddress'; data: { accountId: string; addressId: string; now: string } }
  | { type: 'ChooseDefaultAddress'; data: { accountId: string; addressId: string; now: string } };

export function decideAddressBook(command: AddressBookCommand, state: AccountState): AccountEvent[] {
  const account = active(state, command.data.accountId);
  const { accountId, now } = command.data;
  const known = (addressId: string) => {
    if (!account.addresses.some((a) => a.addressId === addressId)) {
      throw new NotFoundError(`Account ${accountId} has no address ${addressId}.`, { addressId });
    }
  };
  switch (command.type) {
    case 'AddAddress': {
      const { address, makeDefault } = command.data;
      if (account.addresses.some((a) => a.addressId === address.addressId)) throw new ConflictError(`Address ${address.addressId} already exists.`, { addressId: address.addressId });
      if (account.addresses.length >= MAX_ADDRESSES) {
        throw new UnprocessableError(`An address book holds at most ${MAX_ADDRESSES} addresses; remove one first.`, { max: MAX_ADDRESSES });
      }
      const events: AccountEvent[] = [{ type: 'AddressAdded', data: { accountId, address, addedAt: now } }];
      // The first address is the default, as a buyer would expect at checkout.
      if (makeDefault || account.addresses.length === 0) events.push({ type: 'DefaultAddressChosen', data: { accountId, addressId: address.addressId, chosenAt: now } });
      return events;
    }
    case 'ChangeAddress': {
      known(command.data.address.addressId);
      const current = account.addresses.find((a) => a.addressId === command.data.address.addressId);
      if (JSON.stringify(current) === JSON.stringify(command.data.address)) return [];
      return [{ type: 'AddressChanged', data: { accountId, address: command.data.address, changedAt: now } }];
    }
    case 'RemoveAddress':
      known(command.data.addressId);
      return [{ type: 'AddressRemoved', data: { accountId, addressId: command.data.addressId, removedAt: now } }];
    case 'ChooseDefaultAddress':
      known(command.data.addressId);
      if (account.defaultAddressId === command.data.addressId) return [];
      return [{ type: 'DefaultAddressChosen', data: { accountId, addressId: command.data.addressId, chosenAt: now } }];
  }
}
