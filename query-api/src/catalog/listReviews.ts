/**
 * GET /v1/products/{productId}/reviews: a product's reviews, newest first, with the buyer's
 * display name (from the accounts read model; null once the account is deleted), the seller's
 * reply, whether the reviewer bought the product (an order of theirs with it was shipped; from
 * the orders read model), and the rating summary of the visible reviews. Hidden reviews are shown
 * to admins who ask for them. A product that is not public has no reviews to show but to its seller and admins.
 */
import { NotFoundError } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { cursorTag, makeCursor, readCursor } from './catalogCursor';
import { CATALOG, isoOf, isoOrNull, mayManage, productPageSize, type Viewer } from './catalogRows';

export interface ReviewView {
  id: string;
  buyer: { id: string; name: string | null };
  rating: number;
  text: string;
  reply: { text: string; repliedAt: string } | null;
  writtenAt: string;
  editedAt: string | null;
  /** The reviewer has an order of this product that was shipped (or delivered). */
  verifiedPurchase: boolean;
  /** In an admin's list with hidden reviews only. */
  hidden?: boolean;
  hiddenReason?: string | null;
}

export interface RatingSummary {
  average: number | null;
  count: number;
  histogram: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export interface ReviewPage {
  items: ReviewView[];
  summary: RatingSummary;
  nextCursor: string | null;
}

interface ReviewRow {
  id: string;
  buyer_id: string;
  buyer_name: string | null;
  rating: number;
  text: string;
  reply: string | null;
  replied_at: string | null;
  hidden: boolean;
  hidden_reason: string | null;
  written_at: string;
  edited_at: string | null;
  verified_purchase: boolean;
}

export async function listReviews(
  knex: Knex,
  productId: string,
  viewer: Viewer | undefined,
  query: { includeHidden: boolean; limit?: number; cursor?: string },
): Promise<ReviewPage> {
  const limit = productPageSize(query.limit);
  const tag = cursorTag('reviews', { productId, includeHidden: query.includeHidden });
  const after = readCursor(query.cursor, tag, ['timestamp', 'uuid']);
  const result = await knex.raw<{
    rows: Array<{ seller_id: string; is_public: boolean; rating_avg: number | null; rating_count: number; items: ReviewRow[]; histogram: Record<string, number> | null }>;
  }>(
    `select p.seller_id, p.is_public, p.rating_avg::float8 as rating_avg, p.rating_count,
            (select coalesce(json_agg(x order by x.written_at desc, x.id desc), '[]'::json) from (
               select r.id, r.buyer_id, u.name as buyer_name, r.rating, r.text, r.reply, r.replied_at, r.hidden, r.hidden_reason, r.written_at, r.edited_at,
                      exists (select 1 from ${CATALOG.orders} o
                               where o.buyer_id = r.buyer_id and o.status in ('shipped', 'delivered')
                                 and o.lines @> jsonb_build_array(jsonb_build_object('productId', p.id::text))) as verified_purchase
                 from ${CATALOG.reviews} r
                 left join ${CATALOG.users} u on u.account_id = r.buyer_id
                where r.product_id = p.id ${query.includeHidden ? '' : 'and not r.hidden'}
                  ${after ? 'and (r.written_at, r.id) < (?::timestamptz, ?::uuid)' : ''}
                order by r.written_at desc, r.id desc
                limit ?) x) as items,
            (select json_object_agg(h.rating, h.n) from (
               select rating, count(*)::int as n from ${CATALOG.reviews} where product_id = p.id and not hidden group by rating) h) as histogram
       from ${CATALOG.products} p
      where p.id = ?`,
    [...(after ?? []), limit + 1, productId],
  );
  const row = result.rows[0];
  if (!row || (!row.is_public && !mayManage(viewer, row.seller_id))) throw new NotFoundError(`There is no product ${productId}.`, { id: productId });
  const items = row.items.slice(0, limit);
  const last = items[items.length - 1];
  const histogram = row.histogram ?? {};
  return {
    items: items.map((r) => {
      const review: ReviewView = {
        id: r.id,
        buyer: { id: r.buyer_id, name: r.buyer_name },
        rating: r.rating,
        text: r.text,
        reply: r.reply === null ? null : { text: r.reply, repliedAt: isoOf(r.replied_at!) },
        writtenAt: isoOf(r.written_at),
        editedAt: isoOrNull(r.edited_at),
        verifiedPurchase: r.verified_purchase,
      };
      if (query.includeHidden) {
        review.hidden = r.hidden;
        review.hiddenReason = r.hidden_reason;
      }
      return review;
    }),
    summary: {
      average: row.rating_avg,
      count: row.rating_count,
      histogram: { '1': histogram['1'] ?? 0, '2': histogram['2'] ?? 0, '3': histogram['3'] ?? 0, '4': histogram['4'] ?? 0, '5': histogram['5'] ?? 0 },
    },
    nextCursor: row.items.length > limit && last ? makeCursor(tag, [isoOf(last.written_at), last.id]) : null,
  };
}
