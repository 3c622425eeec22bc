/**
 * The shops read model: one row per shop, for the shop page, the public shop directory (active
 * shops, searched by name, filtered by division) and a seller's own list of shops in every state.
 * Integration events tell the product, order and shipment services what they need of a shop:
 * who owns it, what it is called, where it is, and whether it may sell.
 */
import { applyDocuments, defineProjector, type DocumentProjection, type RecordedEvent } from '@bdbazar/shared-kernel';

/** The shop events this projector reads, as the shop service writes them (its contract). */
interface Details {
  name: string;
  slug: string;
  description: string | null;
  branding: { logoUrl: string | null; bannerUrl: string | null };
  contact: { phone: string; email: string };
  location: { division: string; district: string; addressLine: string };
  pickupAddress: Record<string, unknown>;
}
type Data = Record<string, unknown> & { shopId: string; ownerId: string; name: string; slug: string };

export type ShopStatus = 'pending' | 'active' | 'suspended';

export interface ShopRow {
  id: string;
  owner_id: string;
  name: string;
  slug: string;
  description: string | null;
  logo_url: string | null;
  banner_url: string | null;
  phone: string;
  email: string;
  division: string;
  district: string;
  address: string;
  pickup: unknown;
  status: ShopStatus;
  suspended_reason: string | null;
  opened_at: string;
  updated_at: string;
  revision: number;
  [column: string]: unknown;
}

const detailColumns = (d: Details) => ({
  name: d.name,
  slug: d.slug,
  description: d.description,
  logo_url: d.branding.logoUrl,
  banner_url: d.branding.bannerUrl,
  phone: d.contact.phone,
  email: d.contact.email,
  division: d.location.division,
  district: d.location.district,
  address: d.location.addressLine,
  pickup: d.pickupAddress,
});

const shops: DocumentProjection<ShopRow> = {
  table: 'shops',
  key: 'id',
  keyOf: (event) => (event.streamId.startsWith('shop-') ? (event.data as Data).shopId : null),
  evolve: (row, event) => {
    // An event the row already reflects (a replay) changes nothing.
    if (row && event.revision <= row.revision) return row;
    const data = event.data as Data;
    const at = event.createdAt.toISOString();
    const touched = (changes: Partial<ShopRow>): ShopRow | null => (row ? { ...row, ...changes, updated_at: at, revision: event.revision } : null);
    switch (event.type) {
      case 'ShopOpened':
        return {
          id: data.shopId,
          owner_id: data.ownerId,
          ...detailColumns(data as unknown as Details),
          status: 'pending',
          suspended_reason: null,
          opened_at: data['openedAt'] as string,
          updated_at: at,
          revision: event.revision,
        };
      case 'ShopDetailsChanged':
        return touched(detailColumns(data as unknown as Details));
      case 'ShopApproved':
        return touched({ status: 'active' });
      case 'ShopSuspended':
        return touched({ status: 'suspended', suspended_reason: data['reason'] as string });
      case 'ShopReinstated':
        return touched({ status: data['status'] as ShopStatus, suspended_reason: null });
      default:
        return row;
    }
  },
};

const published: Record<string, string> = {
  ShopOpened: 'shop.ShopOpened.v1',
  ShopDetailsChanged: 'shop.ShopDetailsChanged.v1',
  ShopApproved: 'shop.ShopApproved.v1',
  ShopSuspended: 'shop.ShopSuspended.v1',
  ShopReinstated: 'shop.ShopReinstated.v1',
};

/** The standing a shop has after each event: whether its products may be shown and ordered. */
function statusAfter(event: RecordedEvent): ShopStatus {
  switch (event.type) {
    case 'ShopApproved':
      return 'active';
    case 'ShopSuspended':
      return 'suspended';
    case 'ShopOpened':
      return 'pending';
    default:
      return (event.data as Data)['status'] as ShopStatus;
  }
}

function integrationEvents(event: RecordedEvent) {
  const type = published[event.type];
  if (!type) return [];
  const data = event.data as Data;
  // Opened and changed carry the location nested; the standing events carry it flat.
  const location = (data['location'] as Details['location'] | undefined) ?? { division: data['division'] as string, district: data['district'] as string };
  const payload: Record<string, string> = {
    shopId: data.shopId,
    ownerId: data.ownerId,
    name: data.name,
    slug: data.slug,
    status: statusAfter(event),
    division: location.division,
    district: location.district,
    at: event.createdAt.toISOString(),
  };
  if (event.type === 'ShopSuspended') payload['reason'] = data['reason'] as string;
  return [{ type, data: payload }];
}

export const shopsProjector = defineProjector({
  name: 'shops',
  version: 1,
  filter: { streamCategories: ['shop'] },
  migrations: {
    '0001_shops': async (knex, schema) => {
      await knex.schema.withSchema(schema).createTable('shops', (t) => {
        t.uuid('id').primary();
        t.uuid('owner_id').notNullable();
        t.text('name').notNullable();
        t.text('slug').notNullable();
        t.text('description');
        t.text('logo_url');
        t.text('banner_url');
        t.text('phone').notNullable();
        t.text('email').notNullable();
        t.text('division').notNullable();
        t.text('district').notNullable();
        t.text('address').notNullable();
        t.jsonb('pickup').notNullable();
        t.text('status').notNullable();
        t.text('suspended_reason');
        t.timestamp('opened_at', { useTz: true }).notNullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.integer('revision').notNullable();
      });
    },
  },
  indexes: async (knex, schema) => {
    // The directory: active shops newest first, all or in one division (keyset pages).
    await knex.raw(`create index if not exists shops_directory on "${schema}".shops (status, opened_at desc, id desc)`);
    await knex.raw(`create index if not exists shops_directory_division on "${schema}".shops (status, division, opened_at desc, id desc)`);
    // A seller's own shops.
    await knex.raw(`create index if not exists shops_owner on "${schema}".shops (owner_id, opened_at desc, id desc)`);
    // Not unique: the slug guard streams keep slugs unique; a read model must never refuse an event.
    await knex.raw(`create index if not exists shops_slug on "${schema}".shops (slug)`);
  },
  apply: applyDocuments(shops),
  integrationEvents,
});
