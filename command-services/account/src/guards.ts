/** Preconditions shared by the account's use cases. */
import { IllegalStateError, NotFoundError } from '@bdbazar/shared-kernel';
import type { Account, AccountState } from './account';

/** The account exists and is not deleted (a deleted account reads as gone). */
export function existing(state: AccountState, accountId: string): Account {
  if (state.status === 'none' || state.status === 'deleted') throw new NotFoundError(`There is no account ${accountId}.`, { accountId });
  return state;
}

/** The account exists and is not blocked: what its owner may still do themselves. */
export function active(state: AccountState, accountId: string): Account {
  const account = existing(state, accountId);
  if (account.status === 'blocked') throw new IllegalStateError(`Account ${accountId} is blocked; an admin must unblock it first.`, { accountId });
  return account;
}
