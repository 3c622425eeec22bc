/** GET /v1/admin/kyc: KYC submissions to review, oldest first. */
import type { Knex } from 'knex';
import { decodeCursor, encodeCursor } from '../cursor';
import { READ_MODELS, type UserRow } from '../readModels';

export interface KycSubmissionView {
  accountId: string;
  name: string | null;
  email: string | null;
  status: 'pending' | 'approved' | 'rejected';
  reason: string | null;
  submittedAt: string;
  nationalIdNumber: string | null;
  tradeLicenceNumber: string | null;
  documents: Array<{ kind: string; reference: string }>;
}

export async function listKyc(knex: Knex, query: { status: 'pending' | 'approved' | 'rejected'; limit: number; cursor?: string }): Promise<{ items: KycSubmissionView[]; nextCursor: string | null }> {
  const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
  const rows: UserRow[] = await knex<UserRow>(READ_MODELS.users)
    .where('kyc_status', query.status)
    .whereNot('status', 'deleted')
    .whereNotNull('kyc_submitted_at')
    .modify((q) => {
      if (after) q.whereRaw('(kyc_submitted_at, account_id) > (?::timestamptz, ?::uuid)', after);
    })
    .orderBy([
      { column: 'kyc_submitted_at', order: 'asc' },
      { column: 'account_id', order: 'asc' },
    ])
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({
      accountId: row.account_id,
      name: row.name,
      email: row.email,
      status: row.kyc_status as KycSubmissionView['status'],
      reason: row.kyc_reason,
      submittedAt: new Date(row.kyc_submitted_at!).toISOString(),
      nationalIdNumber: row.kyc?.nationalIdNumber ?? null,
      tradeLicenceNumber: row.kyc?.tradeLicenceNumber ?? null,
      documents: row.kyc?.documents ?? [],
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor([new Date(last.kyc_submitted_at!).toISOString(), last.account_id]) : null,
  };
}
