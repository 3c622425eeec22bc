import { IllegalStateError } from '@bdbazar/shared-kernel';
import type { AccountEvent, AccountState, KycDocument } from '../account';
import { active, existing } from '../guards';

export type KycCommand =
  | { type: 'SubmitKyc'; data: { accountId: string; nationalIdNumber: string; tradeLicenceNumber: string; documents: KycDocument[]; now: string } }
  | { type: 'ApproveKyc'; data: { accountId: string; adminId: string; now: string } }
  | { type: 'RejectKyc'; data: { accountId: string; adminId: string; reason: string; now: string } };

export function decideKyc(command: KycCommand, state: AccountState): AccountEvent[] {
  const { accountId, now } = command.data;
  switch (command.type) {
    case 'SubmitKyc': {
      const account = active(state, accountId);
      if (account.role !== 'seller') throw new IllegalStateError('Only sellers submit KYC.', { role: account.role });
      if (account.kyc.status === 'pending') throw new IllegalStateError('KYC was already submitted and waits for review.', { kycStatus: 'pending' });
      if (account.kyc.status === 'approved') throw new IllegalStateError('KYC is already approved.', { kycStatus: 'approved' });
      const { nationalIdNumber, tradeLicenceNumber, documents } = command.data;
      return [{ type: 'KycSubmitted', data: { accountId, nationalIdNumber, tradeLicenceNumber, documents, submittedAt: now } }];
    }
    case 'ApproveKyc': {
      const account = existing(state, accountId);
      if (account.kyc.status !== 'pending') throw new IllegalStateError(`Only a pending KYC can be approved; this one is ${account.kyc.status}.`, { kycStatus: account.kyc.status });
      return [{ type: 'KycApproved', data: { accountId, approvedBy: command.data.adminId, approvedAt: now } }];
    }
    case 'RejectKyc': {
      const account = existing(state, accountId);
      if (account.kyc.status !== 'pending') throw new IllegalStateError(`Only a pending KYC can be rejected; this one is ${account.kyc.status}.`, { kycStatus: account.kyc.status });
      return [{ type: 'KycRejected', data: { accountId, rejectedBy: command.data.adminId, reason: command.data.reason, rejectedAt: now } }];
    }
  }
}
