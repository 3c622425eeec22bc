/**
 * The accounts read models: one row per account for profiles, the vendor page, the admin's user
 * list (filter by role, status, KYC status; search by name or email) and the KYC review queue.
 * A deleted account keeps its row (id, role, status) without any personal data.
 * Integration events tell other services what they need of accounts: ids, roles and facts, and
 * of personal data only the address book, which the order service needs to deliver.
 */
import { applyDocuments, defineProjector, type DocumentProjection, type IntegrationEventDraft, type RecordedEvent } from '@bdbazar/shared-kernel';

/** The account events this projector reads, as the account service publishes them (its contract). */
type Data = Record<string, unknown> & { accountId: string };

export interface UserRow {
  account_id: string;
  role: string;
  status: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  search: string;
  seller_approved: boolean;
  kyc_status: string;
  kyc_reason: string | null;
  kyc: unknown;
  kyc_submitted_at: string | null;
  addresses: unknown;
  default_address_id: string | null;
  registered_at: string;
  updated_at: string;
  revision: number;
  [column: string]: unknown;
}

const searchText = (name: unknown, email: unknown): string => `${typeof name === 'string' ? name : ''} ${typeof email === 'string' ? email : ''}`.toLowerCase().trim();

const users: DocumentProjection<UserRow> = {
  table: 'users',
  key: 'account_id',
  keyOf: (event) => (event.streamId.startsWith('account-') ? (event.data as Data).accountId : null),
  evolve: (row, event) => {
    const data = event.data as Data;
    const at = event.createdAt.toISOString();
    const touched = (changes: Partial<UserRow>): UserRow | null => (row ? { ...row, ...changes, updated_at: at, revision: event.revision } : null);
    switch (event.type) {
      case 'AccountRegistered':
        return {
          account_id: data.accountId,
          role: data['role'] as string,
          status: 'active',
          email: data['email'] as string | null,
          name: data['name'] as string | null,
          phone: data['phone'] as string | null,
          search: searchText(data['name'], data['email']),
          seller_approved: false,
          kyc_status: 'not_submitted',
          kyc_reason: null,
          kyc: null,
          kyc_submitted_at: null,
          addresses: [],
          default_address_id: null,
          registered_at: data['registeredAt'] as string,
          updated_at: at,
          revision: event.revision,
        };
      case 'ProfileUpdated':
        return touched({ name: data['name'] as string, phone: data['phone'] as string | null, search: searchText(data['name'], row?.email) });
      case 'AddressAdded':
        return touched({ addresses: [...addressesOf(row), data['address']] });
      case 'AddressChanged': {
        const address = data['address'] as { addressId: string } | null;
        return touched({ addresses: addressesOf(row).map((a) => (address && a.addressId === address.addressId ? address : a)) });
      }
      case 'AddressRemoved':
        return touched({
          addresses: addressesOf(row).filter((a) => a.addressId !== data['addressId']),
          default_address_id: row?.default_address_id === data['addressId'] ? null : (row?.default_address_id ?? null),
        });
      case 'DefaultAddressChosen':
        return touched({ default_address_id: data['addressId'] as string });
      case 'KycSubmitted':
        return touched({
          kyc_status: 'pending',
          kyc_reason: null,
          kyc_submitted_at: data['submittedAt'] as string,
          kyc: { nationalIdNumber: data['nationalIdNumber'], tradeLicenceNumber: data['tradeLicenceNumber'], documents: data['documents'] },
        });
      case 'KycApproved':
        return touched({ kyc_status: 'approved', kyc_reason: null });
      case 'KycRejected':
        return touched({ kyc_status: 'rejected', kyc_reason: data['reason'] as string });
      case 'SellerApproved':
        return touched({ seller_approved: true });
      case 'AccountBlocked':
        return touched({ status: 'blocked' });
      case 'AccountUnblocked':
        return touched({ status: 'active' });
      case 'AccountDeleted':
        return touched({ status: 'deleted', email: null, name: null, phone: null, search: '', kyc: null, addresses: [], default_address_id: null });
      default:
        return row;
    }
  },
};

/** The address book of a row (jsonb comes back parsed); an erased address (null) is dropped. */
function addressesOf(row: UserRow | null): Array<{ addressId: string }> {
  return Array.isArray(row?.addresses) ? (row.addresses as Array<{ addressId: string } | null>).filter((a): a is { addressId: string } => a !== null) : [];
}

const published: Record<string, string> = {
  AccountRegistered: 'account.AccountRegistered.v1',
  SellerApproved: 'account.SellerApproved.v1',
  AccountBlocked: 'account.AccountBlocked.v1',
  AccountUnblocked: 'account.AccountUnblocked.v1',
  AccountDeleted: 'account.AccountDeleted.v1',
  KycApproved: 'account.KycApproved.v1',
  KycRejected: 'account.KycRejected.v1',
};

/** The address book's events: the one kind of personal data that crosses to another service. */
const addressBook: Record<string, string> = {
  AddressAdded: 'account.AddressAdded.v1',
  AddressChanged: 'account.AddressChanged.v1',
  AddressRemoved: 'account.AddressRemoved.v1',
  DefaultAddressChosen: 'account.DefaultAddressChosen.v1',
};

interface AddressData {
  addressId: string;
  label: string;
  recipient: string;
  phone: string;
  division: string;
  district: string;
  area?: string | null;
  line1: string;
  line2?: string | null;
  postcode?: string | null;
}

/** The contract's address: these fields exactly, whatever the domain event adds later. */
const addressOf = (a: AddressData) => ({
  addressId: a.addressId,
  label: a.label,
  recipient: a.recipient,
  phone: a.phone,
  division: a.division,
  district: a.district,
  area: a.area ?? null,
  line1: a.line1,
  line2: a.line2 ?? null,
  postcode: a.postcode ?? null,
});

/**
 * Personal data does not cross to other services, with one exception made on purpose: the
 * address book (recipient, phone, address lines), which the order service needs to deliver an
 * order and keeps only until account.AccountDeleted.v1 tells it to erase them. Everything else
 * is ids, roles and facts. The projector reads addresses decrypted; a forgotten account's read
 * as null, and then nothing is published for that event.
 */
export function accountIntegrationEvents(event: RecordedEvent): IntegrationEventDraft[] {
  const data = event.data as Data;
  const at = event.createdAt.toISOString();
  const type = published[event.type];
  if (type) {
    const payload: Record<string, string> = { accountId: data.accountId, at };
    if (event.type === 'AccountRegistered') payload['role'] = data['role'] as string;
    return [{ type, data: payload }];
  }
  const addressType = addressBook[event.type];
  if (!addressType) return [];
  if (event.type === 'AddressAdded' || event.type === 'AddressChanged') {
    const address = data['address'] as AddressData | null | undefined;
    if (!address) return [];
    return [{ type: addressType, data: { accountId: data.accountId, address: addressOf(address), at } }];
  }
  return [{ type: addressType, data: { accountId: data.accountId, addressId: data['addressId'] as string, at } }];
}

export const accountsProjector = defineProjector({
  name: 'accounts',
  version: 1,
  filter: { streamCategories: ['account'] },
  migrations: {
    '0001_users': async (knex, schema) => {
      await knex.schema.withSchema(schema).createTable('users', (t) => {
        t.uuid('account_id').primary();
        t.text('role').notNullable();
        t.text('status').notNullable();
        t.text('email');
        t.text('name');
        t.text('phone');
        t.text('search').notNullable();
        t.boolean('seller_approved').notNullable();
        t.text('kyc_status').notNullable();
        t.text('kyc_reason');
        t.jsonb('kyc');
        t.timestamp('kyc_submitted_at', { useTz: true });
        t.jsonb('addresses').notNullable();
        t.text('default_address_id');
        t.timestamp('registered_at', { useTz: true }).notNullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.integer('revision').notNullable();
      });
    },
  },
  indexes: async (knex, schema) => {
    await knex.raw(`create index if not exists users_listing on "${schema}".users (registered_at desc, account_id desc)`);
    await knex.raw(`create index if not exists users_kyc_queue on "${schema}".users (kyc_status, kyc_submitted_at, account_id)`);
  },
  apply: applyDocuments(users),
  integrationEvents: accountIntegrationEvents,
});
