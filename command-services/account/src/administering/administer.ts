import { IllegalStateError } from '@bdbazar/shared-kernel';
import type { AccountEvent, AccountState } from '../account';
import { existing } from '../guards';

export type AdminCommand =
  | { type: 'ApproveSeller'; data: { accountId: string; adminId: string; now: string } }
  | { type: 'BlockAccount'; data: { accountId: string; adminId: string; reason: string; now: string } }
  | { type: 'UnblockAccount'; data: { accountId: string; adminId: string; now: string } }
  | { type: 'DeleteAccount'; data: { accountId: string; adminId: string; now: string } };

export function administer(command: AdminCommand, state: AccountState): AccountEvent[] {
  const account = existing(state, command.data.accountId);
  const { accountId, adminId, now } = command.data;
  const notSelf = (what: string) => {
    if (accountId === adminId) throw new IllegalStateError(`An admin cannot ${what} their own account.`);
  };
  switch (command.type) {
    case 'ApproveSeller':
      if (account.role !== 'seller') throw new IllegalStateError(`Only sellers are approved; this account is a ${account.role}.`, { role: account.role });
      if (account.kyc.status !== 'approved') {
        throw new IllegalStateError(`Approve the seller's KYC first; it is ${account.kyc.status.replace('_', ' ')}.`, { kycStatus: account.kyc.status });
      }
      return account.sellerApproved ? [] : [{ type: 'SellerApproved', data: { accountId, approvedBy: adminId, approvedAt: now } }];
    case 'BlockAccount':
      notSelf('block');
      return account.status === 'blocked' ? [] : [{ type: 'AccountBlocked', data: { accountId, blockedBy: adminId, reason: command.data.reason, blockedAt: now } }];
    case 'UnblockAccount':
      return account.status === 'blocked' ? [{ type: 'AccountUnblocked', data: { accountId, unblockedBy: adminId, unblockedAt: now } }] : [];
    case 'DeleteAccount':
      notSelf('delete');
      return [{ type: 'AccountDeleted', data: { accountId, deletedBy: adminId, deletedAt: now } }];
  }
}
