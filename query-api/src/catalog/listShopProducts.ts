/** GET /v1/shops/{id}/products: a shop page's products, the public ones, newest first. */
import { NotFoundError } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { CATALOG, type ProductSummary } from './catalogRows';
import { pageOf, pageSql, selectionOf } from './searchProducts';

export async function listShopProducts(knex: Knex, shopId: string, query: { limit?: number; cursor?: string }): Promise<{ items: ProductSummary[]; nextCursor: string | null }> {
  const selection = selectionOf('shop-products', { shop: shopId, sort: 'newest', limit: query.limit, cursor: query.cursor });
  const page = pageSql(selection);
  const result = await knex.raw(`select (select status from ${CATALOG.shops} where id = ?::uuid) as shop_status, ${page.sql} as items`, [shopId, ...page.bindings] as Knex.RawBinding[]);
  const row = result.rows[0] as { shop_status: string | null; items: Parameters<typeof pageOf>[1] };
  // As GET /v1/shops/{id}: a shop that is not public reads as absent.
  if (row.shop_status !== 'active') throw new NotFoundError(`There is no shop ${shopId}.`, { id: shopId });
  return pageOf(selection, row.items);
}
