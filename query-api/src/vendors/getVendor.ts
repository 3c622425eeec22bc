/** GET /v1/vendors/{id}: a seller's public page (no personal contact data). */
import { NotFoundError } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { READ_MODELS, type UserRow } from '../readModels';

export interface VendorView {
  id: string;
  name: string;
  approved: boolean;
  since: string;
}

export async function getVendor(knex: Knex, id: string): Promise<VendorView> {
  const row = await knex<UserRow>(READ_MODELS.users).where({ account_id: id, role: 'seller', status: 'active' }).first();
  if (!row || row.name === null) throw new NotFoundError(`There is no vendor ${id}.`, { id });
  return { id: row.account_id, name: row.name, approved: row.seller_approved, since: new Date(row.registered_at).toISOString() };
}
