/**
 * The shop facts the catalogue needs (standing, name, slug), one row per shop, and their copy on
 * every product of the shop: an approval, suspension, reinstatement or rename updates all of a
 * shop's products in one statement. Products listed before their shop is known get the facts from
 * this table when they are written (products.ts), so the two may arrive in any interleaving.
 */
import type { Knex } from 'knex';
import type { Recorded, ShopEvent, ShopStatus } from './catalogEvents';
import { FACET_COLUMNS, withFacetCounts } from './facetCounts';

export interface ShopDoc {
  id: string;
  status: ShopStatus;
  name: string;
  slug: string;
  updated_at: string;
  revision: number;
}

/** The shop after one event (null while it has not been opened). Pure. */
export function evolveShop(row: ShopDoc | null, event: ShopEvent, revision: number): ShopDoc | null {
  const { shopId: id, name, slug } = event.data;
  switch (event.type) {
    case 'ShopOpened':
      return { id, status: 'pending', name, slug, updated_at: event.data.openedAt, revision };
    case 'ShopDetailsChanged':
      return row && { ...row, name, slug, status: event.data.status, updated_at: event.data.changedAt, revision };
    case 'ShopApproved':
      return row && { ...row, name, slug, status: 'active', updated_at: event.data.approvedAt, revision };
    case 'ShopSuspended':
      return row && { ...row, name, slug, status: 'suspended', updated_at: event.data.suspendedAt, revision };
    case 'ShopReinstated':
      return row && { ...row, name, slug, status: event.data.status, updated_at: event.data.reinstatedAt, revision };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export async function applyShopEvents(trx: Knex.Transaction, schema: string, events: Array<Recorded<ShopEvent>>): Promise<void> {
  if (events.length === 0) return;
  const ids = [...new Set(events.map(({ event }) => event.data.shopId))];
  const loaded = await trx.raw<{ rows: Array<Omit<ShopDoc, 'updated_at'> & { updated_at: Date }> }>(
    `select id, status, name, slug, updated_at, revision from "${schema}".shops where id = any(?::uuid[])`,
    [ids],
  );
  const docs = new Map<string, ShopDoc | null>(loaded.rows.map((r) => [r.id, { ...r, updated_at: new Date(r.updated_at).toISOString() }]));
  const changed = new Set<string>();
  for (const { event, revision } of events) {
    const row = docs.get(event.data.shopId) ?? null;
    if (row && revision <= row.revision) continue;
    const next = evolveShop(row, event, revision);
    if (next === row) continue;
    docs.set(event.data.shopId, next);
    changed.add(event.data.shopId);
  }
  const records = [...changed].map((id) => docs.get(id)).filter((doc): doc is ShopDoc => !!doc);
  if (records.length === 0) return;
  await trx.raw(
    `insert into "${schema}".shops (id, status, name, slug, updated_at, revision)
     select id, status, name, slug, updated_at, revision
       from json_to_recordset(?::json) as r(id uuid, status text, name text, slug text, updated_at timestamptz, revision integer)
     on conflict (id) do update set status = excluded.status, name = excluded.name, slug = excluded.slug, updated_at = excluded.updated_at, revision = excluded.revision`,
    [JSON.stringify(records)],
  );
  // Only the products whose copy is out of date are written; the facet counts follow.
  const update = `update "${schema}".products p
        set shop_active = s.status = 'active', shop_name = s.name, shop_slug = s.slug
       from "${schema}".shops s
      where s.id = any(?::uuid[]) and p.shop_id = s.id
        and (p.shop_active, p.shop_name, p.shop_slug) is distinct from (s.status = 'active', s.name, s.slug)
      returning ${FACET_COLUMNS.split(', ').map((c) => `p.${c}`).join(', ')}`;
  const before = `select ${FACET_COLUMNS} from "${schema}".products where shop_id = any(?::uuid[])`;
  const shopIds = records.map((r) => r.id);
  await trx.raw(withFacetCounts(schema, before, update), [shopIds, shopIds]);
}
