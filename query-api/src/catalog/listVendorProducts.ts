/**
 * GET /v1/vendors/{vendorId}/products: a seller's products, newest listing first. Anyone sees the
 * public ones; the seller themself and admins see every status, and may filter by it.
 */
import { ForbiddenError } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { cursorTag, makeCursor, readCursor } from './catalogCursor';
import { CATALOG, isoOf, mayManage, productPageSize, summaryOf, SUMMARY_COLUMNS, type ProductStatus, type ProductSummary, type SummaryRow, type Viewer } from './catalogRows';

export async function listVendorProducts(
  knex: Knex,
  vendorId: string,
  viewer: Viewer | undefined,
  query: { status?: ProductStatus; limit?: number; cursor?: string },
): Promise<{ items: ProductSummary[]; nextCursor: string | null }> {
  const everyStatus = mayManage(viewer, vendorId);
  if (!everyStatus && query.status !== undefined && query.status !== 'published') {
    throw new ForbiddenError(`Only the seller and admins see products that are ${query.status}; others see the published ones only.`, { field: 'status' });
  }
  const limit = productPageSize(query.limit);
  const tag = cursorTag('vendor-products', { vendorId, status: query.status, everyStatus });
  const after = readCursor(query.cursor, tag, ['timestamp', 'uuid']);
  const rows: Array<SummaryRow & { listed_at: Date }> = await knex(`${CATALOG.products} as p`)
    .leftJoin(`${CATALOG.categories} as c`, 'c.id', 'p.category_id')
    .where('p.seller_id', vendorId)
    .modify((q) => {
      if (!everyStatus) q.whereRaw('p.is_public');
      if (query.status !== undefined) q.where('p.status', query.status);
      if (after) q.whereRaw('(p.listed_at, p.id) < (?::timestamptz, ?::uuid)', after);
    })
    .orderBy([
      { column: 'p.listed_at', order: 'desc' },
      { column: 'p.id', order: 'desc' },
    ])
    .limit(limit + 1)
    .select(knex.raw(SUMMARY_COLUMNS), 'p.listed_at', 'c.name as category_name', 'c.slug as category_slug');
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map((row) => summaryOf(row, everyStatus)),
    nextCursor: rows.length > limit && last ? makeCursor(tag, [isoOf(last.listed_at), last.id]) : null,
  };
}
