import type { AccountEvent, AccountState } from '../account';
import { active } from '../guards';

export interface UpdateProfile {
  type: 'UpdateProfile';
  data: { accountId: string; name: string; phone: string | null; now: string };
}

export interface ChangePassword {
  type: 'ChangePassword';
  data: { accountId: string; passwordHash: string; now: string };
}

export function updateProfile(command: UpdateProfile, state: AccountState): AccountEvent[] {
  const account = active(state, command.data.accountId);
  const { accountId, name, phone, now } = command.data;
  if (account.name === name && account.phone === phone) return [];
  return [{ type: 'ProfileUpdated', data: { accountId, name, phone, updatedAt: now } }];
}

export function changePassword(command: ChangePassword, state: AccountState): AccountEvent[] {
  active(state, command.data.accountId);
  return [{ type: 'PasswordChanged', data: { accountId: command.data.accountId, passwordHash: command.data.passwordHash, changedAt: command.data.now } }];
}
