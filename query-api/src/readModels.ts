/**
 * The read models this API reads, by the readers' views of their projectors (see the projector
 * runtime: `<projector>.<table>` always shows the live generation). Nothing here writes.
 */
export const READ_MODELS = {
  users: 'accounts.users',
} as const;

/** Which projectors a route reads, for X-Consistent-After. */
export const ACCOUNTS_PROJECTOR = 'accounts';

/** A user row as the accounts projector writes it. */
export interface UserRow {
  account_id: string;
  role: 'buyer' | 'seller' | 'admin';
  status: 'active' | 'blocked' | 'deleted';
  email: string | null;
  name: string | null;
  phone: string | null;
  seller_approved: boolean;
  kyc_status: 'not_submitted' | 'pending' | 'approved' | 'rejected';
  kyc_reason: string | null;
  kyc: { nationalIdNumber: string | null; tradeLicenceNumber: string | null; documents: Array<{ kind: string; reference: string }> | null } | null;
  kyc_submitted_at: Date | null;
  addresses: Array<Record<string, unknown>>;
  default_address_id: string | null;
  registered_at: Date;
  updated_at: Date;
  revision: number;
}
