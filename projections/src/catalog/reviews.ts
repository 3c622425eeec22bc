/**
 * Reviews, one row per review, and the rating summary on their products: after a batch's reviews
 * are written, the summary of every product they touch is counted again from the visible
 * (not hidden) reviews, which keeps it right whatever the order of edits, hides and shows.
 */
import type { Knex } from 'knex';
import type { Recorded, ReviewEvent } from './catalogEvents';

export interface ReviewDoc {
  id: string;
  product_id: string;
  shop_id: string;
  seller_id: string;
  buyer_id: string;
  rating: number;
  text: string;
  reply: string | null;
  replied_at: string | null;
  hidden: boolean;
  hidden_reason: string | null;
  written_at: string;
  edited_at: string | null;
  revision: number;
}

/** The review after one event (null while it has not been written). Pure. */
export function evolveReview(row: ReviewDoc | null, event: ReviewEvent, revision: number): ReviewDoc | null {
  switch (event.type) {
    case 'ReviewWritten': {
      const d = event.data;
      return {
        id: d.reviewId,
        product_id: d.productId,
        shop_id: d.shopId,
        seller_id: d.sellerId,
        buyer_id: d.buyerId,
        rating: d.rating,
        text: d.text,
        reply: null,
        replied_at: null,
        hidden: false,
        hidden_reason: null,
        written_at: d.writtenAt,
        edited_at: null,
        revision,
      };
    }
    case 'ReviewEdited':
      return row && { ...row, rating: event.data.rating, text: event.data.text, edited_at: event.data.editedAt, revision };
    case 'ReviewReplied':
      return row && { ...row, reply: event.data.reply, replied_at: event.data.repliedAt, revision };
    case 'ReviewHidden':
      return row && { ...row, hidden: true, hidden_reason: event.data.reason, revision };
    case 'ReviewShown':
      return row && { ...row, hidden: false, hidden_reason: null, revision };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

const COLUMNS = [
  'id uuid',
  'product_id uuid',
  'shop_id uuid',
  'seller_id uuid',
  'buyer_id uuid',
  'rating integer',
  'text text',
  'reply text',
  'replied_at timestamptz',
  'hidden boolean',
  'hidden_reason text',
  'written_at timestamptz',
  'edited_at timestamptz',
  'revision integer',
];
const NAMES = COLUMNS.map((c) => c.split(' ')[0]!);
const TIMES = ['replied_at', 'written_at', 'edited_at'] as const;

export async function applyReviewEvents(trx: Knex.Transaction, schema: string, events: Array<Recorded<ReviewEvent>>): Promise<void> {
  if (events.length === 0) return;
  const ids = [...new Set(events.map(({ event }) => event.data.reviewId))];
  const loaded = await trx.raw<{ rows: Array<Record<string, unknown> & ReviewDoc> }>(`select ${NAMES.join(', ')} from "${schema}".reviews where id = any(?::uuid[])`, [ids]);
  const docs = new Map<string, ReviewDoc | null>();
  for (const row of loaded.rows) {
    const doc = { ...row };
    for (const column of TIMES) {
      const value = row[column] as Date | string | null;
      (doc as Record<string, unknown>)[column] = value instanceof Date ? value.toISOString() : value;
    }
    docs.set(row.id, doc);
  }
  const changed = new Set<string>();
  for (const { event, revision } of events) {
    const row = docs.get(event.data.reviewId) ?? null;
    if (row && revision <= row.revision) continue;
    const next = evolveReview(row, event, revision);
    if (next === row) continue;
    docs.set(event.data.reviewId, next);
    changed.add(event.data.reviewId);
  }
  const records = [...changed].map((id) => docs.get(id)).filter((doc): doc is ReviewDoc => !!doc);
  if (records.length === 0) return;
  await trx.raw(
    `insert into "${schema}".reviews (${NAMES.join(', ')})
     select ${NAMES.join(', ')} from json_to_recordset(?::json) as r(${COLUMNS.join(', ')})
     on conflict (id) do update set ${NAMES.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')}`,
    [JSON.stringify(records)],
  );
  const products = [...new Set(records.map((r) => r.product_id))];
  await trx.raw(
    `with counted as (
       select i.id, count(r.id)::int as n, coalesce(sum(r.rating), 0)::int as total
         from unnest(?::uuid[]) as i(id)
         left join "${schema}".reviews r on r.product_id = i.id and not r.hidden
        group by i.id)
     update "${schema}".products p
        set rating_count = c.n, rating_sum = c.total, rating_avg = case when c.n = 0 then null else round(c.total::numeric / c.n, 2) end
       from counted c
      where p.id = c.id and (p.rating_count, p.rating_sum) is distinct from (c.n, c.total)`,
    [products],
  );
}
