/**
 * The shops read model as the shops projector writes it (`shops.shops`, the live generation's
 * view), and the one page size rule of the shop lists. Nothing here writes.
 */
export const SHOPS_READ_MODEL = 'shops.shops';

/** The projector whose read model the shop routes read, for X-Consistent-After. */
export const SHOPS_PROJECTOR = 'shops';

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
  pickup: Record<string, unknown>;
  status: ShopStatus;
  suspended_reason: string | null;
  opened_at: Date;
  updated_at: Date;
  revision: number;
}

/** A page holds at most this many shops, whatever the client asks (the OpenAPI document says so too). */
export const MAX_PAGE_SIZE = 100;

export const pageSize = (limit: number | undefined): number => Math.min(Math.max(Math.trunc(limit ?? 25) || 25, 1), MAX_PAGE_SIZE);

export interface ShopSummary {
  id: string;
  ownerId: string;
  name: string;
  slug: string;
  logoUrl: string | null;
  division: string;
  district: string;
  status: ShopStatus;
  openedAt: string;
}

export const summaryOf = (row: ShopRow): ShopSummary => ({
  id: row.id,
  ownerId: row.owner_id,
  name: row.name,
  slug: row.slug,
  logoUrl: row.logo_url,
  division: row.division,
  district: row.district,
  status: row.status,
  openedAt: new Date(row.opened_at).toISOString(),
});
