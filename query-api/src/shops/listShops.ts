/** GET /v1/shops: the shop directory, newest first; approved, active shops only; by name and division. */
import type { Knex } from 'knex';
import { escapeLike } from '../admin/listUsers';
import { decodeCursor, encodeCursor } from '../cursor';
import { SHOPS_READ_MODEL, pageSize, summaryOf, type ShopRow, type ShopSummary } from './shopRow';

export interface ListShopsQuery {
  /** Part of the name or of the slug, in any case. */
  q?: string;
  division?: string;
  limit?: number;
  cursor?: string;
}

export interface ShopPage {
  items: ShopSummary[];
  nextCursor: string | null;
}

export async function listShops(knex: Knex, query: ListShopsQuery): Promise<ShopPage> {
  return page(knex, query, (q) => {
    q.where('status', 'active');
    if (query.division) q.where('division', query.division);
    if (query.q) {
      const term = `%${escapeLike(query.q.trim().toLowerCase())}%`;
      q.where((w) => w.whereRaw('lower(name) like ?', [term]).orWhereRaw('slug like ?', [term]));
    }
  });
}

/** One keyset page, newest first (opened_at, then id, both descending), of the rows `filter` keeps. */
export async function page(knex: Knex, query: { limit?: number; cursor?: string }, filter: (q: Knex.QueryBuilder<ShopRow>) => void): Promise<ShopPage> {
  const limit = pageSize(query.limit);
  const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
  const rows: ShopRow[] = await knex<ShopRow>(SHOPS_READ_MODEL)
    .modify((q) => {
      filter(q);
      if (after) q.whereRaw('(opened_at, id) < (?::timestamptz, ?::uuid)', after);
    })
    .orderBy([
      { column: 'opened_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(summaryOf),
    nextCursor: rows.length > limit && last ? encodeCursor([new Date(last.opened_at).toISOString(), last.id]) : null,
  };
}
