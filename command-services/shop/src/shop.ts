/**
 * The shop aggregate: a seller's storefront (name and unique slug, description, branding, contact,
 * location, pickup address for couriers) and its standing with the marketplace (pending until an
 * admin approves it, active, suspended). Stream `shop-<uuid>`.
 *
 * Every event carries the shop's owner, name, slug, division and district, so that a product,
 * order or shipment service can act on any one of them without calling back.
 */

export const DIVISIONS = ['Barishal', 'Chattogram', 'Dhaka', 'Khulna', 'Mymensingh', 'Rajshahi', 'Rangpur', 'Sylhet'] as const;
export type Division = (typeof DIVISIONS)[number];

export interface ShopBranding {
  /** https only, never a private or loopback host (see publicHttpsUrl in the shared kernel's values). */
  logoUrl: string | null;
  bannerUrl: string | null;
}

export interface ShopContact {
  phone: string;
  email: string;
}

export interface ShopLocation {
  division: Division;
  district: string;
  addressLine: string;
}

/** Where couriers pick parcels up: the same shape as an address in an account's address book. */
export interface PickupAddress {
  label: string;
  recipient: string;
  phone: string;
  division: Division;
  district: string;
  area: string | null;
  line1: string;
  line2: string | null;
  postcode: string | null;
}

/** What the owner edits: everything but the shop's standing. */
export interface ShopDetails {
  name: string;
  /** Derived from the name (slugOf in the shared kernel); unique across shops (slugGuard/). */
  slug: string;
  description: string | null;
  branding: ShopBranding;
  contact: ShopContact;
  location: ShopLocation;
  pickupAddress: PickupAddress;
}

export type ShopStatus = 'pending' | 'active' | 'suspended';

/** The facts about a shop that every event repeats. */
export interface ShopFacts {
  shopId: string;
  ownerId: string;
  name: string;
  slug: string;
  division: Division;
  district: string;
}

export type ShopEvent =
  | { type: 'ShopOpened'; data: { shopId: string; ownerId: string; status: 'pending'; openedAt: string } & ShopDetails }
  | { type: 'ShopDetailsChanged'; data: { shopId: string; ownerId: string; status: ShopStatus; changedBy: string; changedAt: string } & ShopDetails }
  | { type: 'ShopApproved'; data: ShopFacts & { approvedBy: string; approvedAt: string } }
  | { type: 'ShopSuspended'; data: ShopFacts & { reason: string; suspendedBy: string; suspendedAt: string } }
  /** `status` is where the shop returns to: active if it had been approved, pending if not. */
  | { type: 'ShopReinstated'; data: ShopFacts & { status: 'active' | 'pending'; reinstatedBy: string; reinstatedAt: string } };

export interface Shop {
  shopId: string;
  ownerId: string;
  status: ShopStatus;
  /** Approved once by an admin; a suspension does not take it back. */
  approved: boolean;
  suspendedReason: string | null;
  details: ShopDetails;
}

export type ShopState = { status: 'none' } | Shop;

export const initialShopState = (): ShopState => ({ status: 'none' });

export const shopStreamId = (shopId: string): string => `shop-${shopId}`;

export function factsOf(shop: Shop): ShopFacts {
  const { name, slug, location } = shop.details;
  return { shopId: shop.shopId, ownerId: shop.ownerId, name, slug, division: location.division, district: location.district };
}

const detailsOf = (data: ShopDetails): ShopDetails => {
  const { name, slug, description, branding, contact, location, pickupAddress } = data;
  return { name, slug, description, branding, contact, location, pickupAddress };
};

export function evolveShop(state: ShopState, event: ShopEvent): ShopState {
  if (event.type === 'ShopOpened') {
    const { shopId, ownerId } = event.data;
    return { shopId, ownerId, status: 'pending', approved: false, suspendedReason: null, details: detailsOf(event.data) };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ShopDetailsChanged':
      return { ...state, details: detailsOf(event.data) };
    case 'ShopApproved':
      return { ...state, status: 'active', approved: true };
    case 'ShopSuspended':
      return { ...state, status: 'suspended', suspendedReason: event.data.reason };
    case 'ShopReinstated':
      return { ...state, status: event.data.status, suspendedReason: null };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
