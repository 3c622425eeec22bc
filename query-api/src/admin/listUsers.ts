/** GET /v1/admin/users: newest first, filtered by role, status and KYC status, searched by name or email. */
import type { Knex } from 'knex';
import { decodeCursor, encodeCursor } from '../cursor';
import { READ_MODELS, type UserRow } from '../readModels';

export interface ListUsersQuery {
  role?: UserRow['role'];
  status?: UserRow['status'];
  kycStatus?: UserRow['kyc_status'];
  q?: string;
  limit: number;
  cursor?: string;
}

export interface UserSummary {
  id: string;
  role: UserRow['role'];
  status: UserRow['status'];
  email: string | null;
  name: string | null;
  sellerApproved: boolean;
  kycStatus: UserRow['kyc_status'];
  registeredAt: string;
}

export async function listUsers(knex: Knex, query: ListUsersQuery): Promise<{ items: UserSummary[]; nextCursor: string | null }> {
  const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
  const rows: UserRow[] = await knex<UserRow>(READ_MODELS.users)
    .modify((q) => {
      if (query.role) q.where('role', query.role);
      if (query.status) q.where('status', query.status);
      if (query.kycStatus) q.where('kyc_status', query.kycStatus);
      if (query.q) q.whereLike('search', `%${escapeLike(query.q.toLowerCase())}%`);
      if (after) q.whereRaw('(registered_at, account_id) < (?::timestamptz, ?::uuid)', after);
    })
    .orderBy([
      { column: 'registered_at', order: 'desc' },
      { column: 'account_id', order: 'desc' },
    ])
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({
      id: row.account_id,
      role: row.role,
      status: row.status,
      email: row.email,
      name: row.name,
      sellerApproved: row.seller_approved,
      kycStatus: row.kyc_status,
      registeredAt: new Date(row.registered_at).toISOString(),
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor([new Date(last.registered_at).toISOString(), last.account_id]) : null,
  };
}

/** `%` and `_` in a search term mean themselves. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}
