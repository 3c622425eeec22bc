/**
 * The account aggregate: who someone is on the marketplace (buyer, seller or admin), how they
 * sign in, where they want things delivered, and, for sellers, their KYC and approval.
 * Stream `account-<uuid>`. Personal data in these events is encrypted per account by the personal
 * data vault when stored, so that deleting an account makes it unreadable while the history stays.
 */

export type Role = 'buyer' | 'seller' | 'admin';
export type KycStatus = 'not_submitted' | 'pending' | 'approved' | 'rejected';

export interface Address {
  addressId: string;
  label: string;
  recipient: string;
  phone: string;
  division: string;
  district: string;
  area: string | null;
  line1: string;
  line2: string | null;
  postcode: string | null;
}

export interface KycDocument {
  kind: 'national_id_front' | 'national_id_back' | 'trade_licence' | 'tin_certificate' | 'bank_statement' | 'other';
  /** Where the document is kept (an object-store key or https URL); the document itself is not in the event. */
  reference: string;
}

export type AccountEvent =
  | {
      type: 'AccountRegistered';
      data: { accountId: string; email: string; name: string; phone: string | null; role: Role; passwordHash: string; registeredAt: string };
    }
  | { type: 'ProfileUpdated'; data: { accountId: string; name: string; phone: string | null; updatedAt: string } }
  | { type: 'PasswordChanged'; data: { accountId: string; passwordHash: string; changedAt: string } }
  | { type: 'AddressAdded'; data: { accountId: string; address: Address; addedAt: string } }
  | { type: 'AddressChanged'; data: { accountId: string; address: Address; changedAt: string } }
  | { type: 'AddressRemoved'; data: { accountId: string; addressId: string; removedAt: string } }
  | { type: 'DefaultAddressChosen'; data: { accountId: string; addressId: string; chosenAt: string } }
  | {
      type: 'KycSubmitted';
      data: { accountId: string; nationalIdNumber: string; tradeLicenceNumber: string; documents: KycDocument[]; submittedAt: string };
    }
  | { type: 'KycApproved'; data: { accountId: string; approvedBy: string; approvedAt: string } }
  | { type: 'KycRejected'; data: { accountId: string; rejectedBy: string; reason: string; rejectedAt: string } }
  | { type: 'SellerApproved'; data: { accountId: string; approvedBy: string; approvedAt: string } }
  | { type: 'AccountBlocked'; data: { accountId: string; blockedBy: string; reason: string; blockedAt: string } }
  | { type: 'AccountUnblocked'; data: { accountId: string; unblockedBy: string; unblockedAt: string } }
  | { type: 'AccountDeleted'; data: { accountId: string; deletedBy: string; deletedAt: string } };

export type AccountStatus = 'active' | 'blocked' | 'deleted';

export interface Account {
  accountId: string;
  status: AccountStatus;
  role: Role;
  email: string;
  name: string;
  phone: string | null;
  passwordHash: string;
  sellerApproved: boolean;
  kyc: { status: KycStatus; reason: string | null };
  addresses: Address[];
  defaultAddressId: string | null;
}

export type AccountState = { status: 'none' } | Account;

export const initialAccountState = (): AccountState => ({ status: 'none' });

export const accountStreamId = (accountId: string): string => `account-${accountId}`;

/** Fields of each event that are personal data: the vault encrypts them under the account's key. */
export const accountPersonalData: Record<string, readonly string[]> = {
  AccountRegistered: ['email', 'name', 'phone', 'passwordHash'],
  ProfileUpdated: ['name', 'phone'],
  PasswordChanged: ['passwordHash'],
  AddressAdded: ['address'],
  AddressChanged: ['address'],
  KycSubmitted: ['nationalIdNumber', 'tradeLicenceNumber', 'documents'],
};

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountRegistered') {
    const { accountId, email, name, phone, role, passwordHash } = event.data;
    return {
      accountId,
      status: 'active',
      role,
      email,
      name,
      phone,
      passwordHash,
      sellerApproved: false,
      kyc: { status: 'not_submitted', reason: null },
      addresses: [],
      defaultAddressId: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ProfileUpdated':
      return { ...state, name: event.data.name, phone: event.data.phone };
    case 'PasswordChanged':
      return { ...state, passwordHash: event.data.passwordHash };
    case 'AddressAdded':
      return { ...state, addresses: [...state.addresses, event.data.address] };
    case 'AddressChanged':
      return { ...state, addresses: state.addresses.map((a) => (a.addressId === event.data.address.addressId ? event.data.address : a)) };
    case 'AddressRemoved':
      return {
        ...state,
        addresses: state.addresses.filter((a) => a.addressId !== event.data.addressId),
        defaultAddressId: state.defaultAddressId === event.data.addressId ? null : state.defaultAddressId,
      };
    case 'DefaultAddressChosen':
      return { ...state, defaultAddressId: event.data.addressId };
    case 'KycSubmitted':
      return { ...state, kyc: { status: 'pending', reason: null } };
    case 'KycApproved':
      return { ...state, kyc: { status: 'approved', reason: null } };
    case 'KycRejected':
      return { ...state, kyc: { status: 'rejected', reason: event.data.reason } };
    case 'SellerApproved':
      return { ...state, sellerApproved: true };
    case 'AccountBlocked':
      return { ...state, status: 'blocked' };
    case 'AccountUnblocked':
      return { ...state, status: 'active' };
    case 'AccountDeleted':
      return { ...state, status: 'deleted', email: '', name: '', phone: null, passwordHash: '', addresses: [], defaultAddressId: null };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
