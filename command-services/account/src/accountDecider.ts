/** The account's decider: the commands of every use case, decided on the folded state. */
import type { Decider } from '@bdbazar/shared-kernel';
import { evolveAccount, initialAccountState, type AccountEvent, type AccountState } from './account';
import { decideAddressBook, type AddressBookCommand } from './addressBook/addressBook';
import { administer, type AdminCommand } from './administering/administer';
import { decideKyc, type KycCommand } from './kyc/kyc';
import { changePassword, updateProfile, type ChangePassword, type UpdateProfile } from './profile/profile';
import { register, type RegisterAccount } from './registering/register';

export type AccountCommand = RegisterAccount | UpdateProfile | ChangePassword | AddressBookCommand | KycCommand | AdminCommand;

export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] {
  switch (command.type) {
    case 'RegisterAccount':
      return register(command, state);
    case 'UpdateProfile':
      return updateProfile(command, state);
    case 'ChangePassword':
      return changePassword(command, state);
    case 'AddAddress':
    case 'ChangeAddress':
    case 'RemoveAddress':
    case 'ChooseDefaultAddress':
      return decideAddressBook(command, state);
    case 'SubmitKyc':
    case 'ApproveKyc':
    case 'RejectKyc':
      return decideKyc(command, state);
    case 'ApproveSeller':
    case 'BlockAccount':
    case 'UnblockAccount':
    case 'DeleteAccount':
      return administer(command, state);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState: initialAccountState,
  evolve: evolveAccount,
  decide: decideAccount,
};
