/**
 * GET /v1/shops/{id}: a shop page. The public sees approved, active shops only; the owner and
 * admins see it in any state, with what only they need (the pickup address, a suspension's reason).
 */
import { NotFoundError } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { SHOPS_READ_MODEL, type ShopRow, type ShopStatus } from './shopRow';

export interface ShopView {
  id: string;
  ownerId: string;
  name: string;
  slug: string;
  description: string | null;
  branding: { logoUrl: string | null; bannerUrl: string | null };
  contact: { phone: string; email: string };
  location: { division: string; district: string; addressLine: string };
  status: ShopStatus;
  suspendedReason?: string | null;
  pickupAddress?: Record<string, unknown>;
  openedAt: string;
  updatedAt: string;
  revision: number;
}

/** Who asks; undefined for an anonymous visitor. */
export interface Viewer {
  userId: string;
  role: 'buyer' | 'seller' | 'admin';
}

export async function getShop(knex: Knex, id: string, viewer: Viewer | undefined): Promise<ShopView> {
  const row = await knex<ShopRow>(SHOPS_READ_MODEL).where({ id }).first();
  const privileged = row !== undefined && viewer !== undefined && (viewer.role === 'admin' || viewer.userId === row.owner_id);
  // A shop that is not public reads as absent to everyone else: its existence is not theirs to know.
  if (!row || (row.status !== 'active' && !privileged)) throw new NotFoundError(`There is no shop ${id}.`, { id });
  const view: ShopView = {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    branding: { logoUrl: row.logo_url, bannerUrl: row.banner_url },
    contact: { phone: row.phone, email: row.email },
    location: { division: row.division, district: row.district, addressLine: row.address },
    status: row.status,
    openedAt: new Date(row.opened_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    revision: row.revision,
  };
  if (privileged) {
    view.suspendedReason = row.suspended_reason;
    view.pickupAddress = row.pickup;
  }
  return view;
}
