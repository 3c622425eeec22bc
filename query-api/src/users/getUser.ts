/** GET /v1/users/{id}: a profile with its address book, for the user themselves or an admin. */
import { NotFoundError, type RowLoader } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { READ_MODELS, type UserRow } from '../readModels';
import { rowsByKey } from '../rowsByKey';

export interface UserView {
  id: string;
  role: UserRow['role'];
  status: UserRow['status'];
  email: string | null;
  name: string | null;
  phone: string | null;
  sellerApproved: boolean;
  kyc: { status: UserRow['kyc_status']; reason: string | null };
  addresses: Array<Record<string, unknown>>;
  defaultAddressId: string | null;
  registeredAt: string;
  updatedAt: string;
  revision: number;
}

/** Users by id: the most read route of the API. */
export const userLoader = (knex: Knex): RowLoader<string, UserRow> => rowsByKey<UserRow, 'account_id'>(knex, READ_MODELS.users, 'account_id');

export async function getUser(loadUser: RowLoader<string, UserRow>, id: string, asAdmin: boolean): Promise<UserView> {
  const row = await loadUser(id);
  // Only an admin sees that a deleted account existed.
  if (!row || (row.status === 'deleted' && !asAdmin)) throw new NotFoundError(`There is no user ${id}.`, { id });
  return {
    id: row.account_id,
    role: row.role,
    status: row.status,
    email: row.email,
    name: row.name,
    phone: row.phone,
    sellerApproved: row.seller_approved,
    kyc: { status: row.kyc_status, reason: row.kyc_reason },
    addresses: row.addresses.filter((a) => a !== null),
    defaultAddressId: row.default_address_id,
    registeredAt: new Date(row.registered_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    revision: row.revision,
  };
}
