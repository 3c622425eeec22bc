import { IllegalStateError } from '@bdbazar/shared-kernel';
import type { AccountEvent, AccountState, Role } from '../account';

export interface RegisterAccount {
  type: 'RegisterAccount';
  data: { accountId: string; email: string; name: string; phone: string | null; role: Role; passwordHash: string; now: string };
}

/** Registration through the API makes buyers and sellers; admins come from the admin:create CLI only. */
export function register(command: RegisterAccount, state: AccountState): AccountEvent[] {
  if (state.status !== 'none') {
    // The same registration retried: nothing more to do.
    if (state.accountId === command.data.accountId && state.email === command.data.email) return [];
    throw new IllegalStateError(`Account ${command.data.accountId} is already registered.`);
  }
  const { accountId, email, name, phone, role, passwordHash, now } = command.data;
  return [{ type: 'AccountRegistered', data: { accountId, email, name, phone, role, passwordHash, registeredAt: now } }];
}
