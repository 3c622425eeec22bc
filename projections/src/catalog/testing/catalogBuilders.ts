/**
 * Builders of the events the catalogue reads, shaped as the product and shop services write them
 * (catalogProjector.int.spec.ts checks the shapes against the services' own types), with a fixed
 * clock: `at(n)` is n minutes after 2025-03-01 10:00 UTC. For the projector's and the query
 * API's tests, and for benchmarks.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore } from '@bdbazar/shared-kernel';

export const at = (minutes: number): string => new Date(Date.UTC(2025, 2, 1, 10, 0, 0) + minutes * 60_000).toISOString();

/** A readable, valid UUID: `id(7)` is 00000000-0000-4000-8000-000000000007, `id(7, 'b')` ...-b00000000007. */
export const id = (n: number, prefix = '0'): string => `00000000-0000-4000-8000-${prefix}${String(n).padStart(11, '0')}`;

export const ADMIN_ID = id(1, 'a');

export interface Built {
  type: string;
  data: Record<string, unknown>;
}

export const bdt = (amount: number) => ({ amount, currency: 'BDT' as const });

export interface VariantSpec {
  sku: string;
  price: number;
  compareAtPrice?: number | null;
  options?: Record<string, string>;
  weightGrams?: number | null;
  onHand?: number;
}

export interface ProductSpec {
  productId: string;
  shopId: string;
  sellerId: string;
  title: string;
  categoryId: string;
  description?: string | null;
  images?: string[];
  brand?: string | null;
  attributes?: Record<string, string>;
  variants?: VariantSpec[];
}

const facts = (p: { productId: string; shopId: string; sellerId: string }) => ({ productId: p.productId, shopId: p.shopId, sellerId: p.sellerId });

function details(spec: ProductSpec) {
  const variants = spec.variants ?? [{ sku: 'SKU-1', price: 100_000 }];
  return {
    title: spec.title,
    description: spec.description ?? null,
    categoryId: spec.categoryId,
    images: spec.images ?? [],
    brand: spec.brand ?? null,
    attributes: spec.attributes ?? {},
    variants: variants.map((v) => ({
      sku: v.sku,
      options: v.options ?? {},
      price: bdt(v.price),
      compareAtPrice: v.compareAtPrice ? bdt(v.compareAtPrice) : null,
      weightGrams: v.weightGrams ?? null,
    })),
  };
}

const stockOf = (variants: VariantSpec[] | undefined) =>
  (variants ?? [{ sku: 'SKU-1', price: 100_000 }]).map((v) => ({ sku: v.sku, onHand: v.onHand ?? 10, reserved: 0, available: v.onHand ?? 10 }));

export const level = (sku: string, onHand: number, reserved = 0) => ({ sku, onHand, reserved, available: onHand - reserved });

type Facts = { productId: string; shopId: string; sellerId: string };

export const productEvents = {
  listed: (spec: ProductSpec, when: string): Built => ({
    type: 'ProductListed',
    data: { ...facts(spec), ...details(spec), status: 'draft', stock: stockOf(spec.variants), listedBy: spec.sellerId, listedAt: when },
  }),
  detailsChanged: (spec: ProductSpec, status: string, when: string, change: { addedSkus?: string[]; removedSkus?: string[] } = {}): Built => ({
    type: 'ProductDetailsChanged',
    data: { ...facts(spec), ...details(spec), status, addedSkus: change.addedSkus ?? [], removedSkus: change.removedSkus ?? [], stock: stockOf(spec.variants), changedBy: spec.sellerId, changedAt: when },
  }),
  published: (p: Facts, when: string): Built => ({ type: 'ProductPublished', data: { ...facts(p), publishedBy: p.sellerId, publishedAt: when } }),
  unpublished: (p: Facts, when: string): Built => ({ type: 'ProductUnpublished', data: { ...facts(p), unpublishedBy: p.sellerId, unpublishedAt: when } }),
  archived: (p: Facts, when: string): Built => ({ type: 'ProductArchived', data: { ...facts(p), archivedBy: p.sellerId, archivedAt: when } }),
  removed: (p: Facts, reason: string, when: string): Built => ({ type: 'ProductRemoved', data: { ...facts(p), reason, removedBy: ADMIN_ID, removedAt: when } }),
  stockAdjusted: (p: Facts, sku: string, change: number, after: ReturnType<typeof level>, when: string): Built => ({
    type: 'StockAdjusted',
    data: { ...facts(p), sku, change, reason: 'counted', level: after, adjustedBy: p.sellerId, adjustedAt: when },
  }),
  stockReserved: (p: Facts, orderId: string, lines: Array<{ sku: string; quantity: number }>, levels: Array<ReturnType<typeof level>>, when: string): Built => ({
    type: 'StockReserved',
    data: { ...facts(p), orderId, lines, levels, reservedAt: when },
  }),
  reservationRefused: (p: Facts, orderId: string, lines: Array<{ sku: string; quantity: number }>, when: string): Built => ({
    type: 'StockReservationRefused',
    data: { ...facts(p), orderId, lines, reason: 'Not enough stock.', shortages: lines.map((l) => ({ sku: l.sku, requested: l.quantity, available: 0 })), refusedAt: when },
  }),
  reservationReleased: (p: Facts, orderId: string, lines: Array<{ sku: string; quantity: number }>, levels: Array<ReturnType<typeof level>>, when: string): Built => ({
    type: 'StockReservationReleased',
    data: { ...facts(p), orderId, lines, reason: 'cancelled', levels, releasedAt: when },
  }),
  reservationCommitted: (p: Facts, orderId: string, lines: Array<{ sku: string; quantity: number }>, levels: Array<ReturnType<typeof level>>, when: string): Built => ({
    type: 'StockReservationCommitted',
    data: { ...facts(p), orderId, lines, levels, committedAt: when },
  }),
};

export interface ShopSpec {
  shopId: string;
  ownerId: string;
  name: string;
  slug: string;
}

const shopDetails = (s: ShopSpec) => ({
  name: s.name,
  slug: s.slug,
  description: null,
  branding: { logoUrl: null, bannerUrl: null },
  contact: { phone: '+8801811000000', email: 'shop@example.com.bd' },
  location: { division: 'Dhaka', district: 'Dhaka', addressLine: 'House 1, Road 1' },
  pickupAddress: { label: 'Warehouse', recipient: 'Mim Akter', phone: '+8801811000000', division: 'Dhaka', district: 'Dhaka', area: null, line1: 'House 1, Road 1', line2: null, postcode: null },
});

const shopFacts = (s: ShopSpec) => ({ shopId: s.shopId, ownerId: s.ownerId, name: s.name, slug: s.slug, division: 'Dhaka', district: 'Dhaka' });

export const shopEvents = {
  opened: (s: ShopSpec, when: string): Built => ({ type: 'ShopOpened', data: { shopId: s.shopId, ownerId: s.ownerId, status: 'pending', openedAt: when, ...shopDetails(s) } }),
  detailsChanged: (s: ShopSpec, status: string, when: string): Built => ({
    type: 'ShopDetailsChanged',
    data: { shopId: s.shopId, ownerId: s.ownerId, status, changedBy: s.ownerId, changedAt: when, ...shopDetails(s) },
  }),
  approved: (s: ShopSpec, when: string): Built => ({ type: 'ShopApproved', data: { ...shopFacts(s), approvedBy: ADMIN_ID, approvedAt: when } }),
  suspended: (s: ShopSpec, reason: string, when: string): Built => ({ type: 'ShopSuspended', data: { ...shopFacts(s), reason, suspendedBy: ADMIN_ID, suspendedAt: when } }),
  reinstated: (s: ShopSpec, status: 'active' | 'pending', when: string): Built => ({ type: 'ShopReinstated', data: { ...shopFacts(s), status, reinstatedBy: ADMIN_ID, reinstatedAt: when } }),
};

export interface CategorySpec {
  categoryId: string;
  name: string;
  slug: string;
  parentId: string | null;
}

export const CATEGORY_TREE_STREAM = 'categorytree-marketplace';

export const categoryEvents = {
  created: (c: CategorySpec, when: string): Built => ({ type: 'CategoryCreated', data: { ...c, createdBy: ADMIN_ID, createdAt: when } }),
  renamed: (c: CategorySpec, previous: CategorySpec, when: string): Built => ({
    type: 'CategoryRenamed',
    data: { categoryId: c.categoryId, name: c.name, slug: c.slug, previousName: previous.name, previousSlug: previous.slug, renamedBy: ADMIN_ID, renamedAt: when },
  }),
  moved: (categoryId: string, parentId: string | null, previousParentId: string | null, when: string): Built => ({
    type: 'CategoryMoved',
    data: { categoryId, parentId, previousParentId, movedBy: ADMIN_ID, movedAt: when },
  }),
  retired: (c: CategorySpec, when: string): Built => ({ type: 'CategoryRetired', data: { categoryId: c.categoryId, slug: c.slug, retiredBy: ADMIN_ID, retiredAt: when } }),
};

export interface ReviewSpec {
  reviewId: string;
  productId: string;
  shopId: string;
  sellerId: string;
  buyerId: string;
}

export const reviewEvents = {
  written: (r: ReviewSpec, rating: number, text: string, when: string): Built => ({ type: 'ReviewWritten', data: { ...r, rating, text, writtenAt: when } }),
  edited: (r: ReviewSpec, rating: number, previousRating: number, text: string, when: string): Built => ({
    type: 'ReviewEdited',
    data: { ...r, rating, text, previousRating, editedAt: when },
  }),
  replied: (r: ReviewSpec, reply: string, when: string): Built => ({ type: 'ReviewReplied', data: { ...r, reply, repliedBy: r.sellerId, repliedAt: when } }),
  hidden: (r: ReviewSpec, rating: number, reason: string, when: string): Built => ({ type: 'ReviewHidden', data: { ...r, rating, reason, hiddenBy: ADMIN_ID, hiddenAt: when } }),
  shown: (r: ReviewSpec, rating: number, when: string): Built => ({ type: 'ReviewShown', data: { ...r, rating, shownBy: ADMIN_ID, shownAt: when } }),
};

const metadata = { correlationId: 'test', causationId: 'test', actor: { id: 'test', role: 'system' } };

/** Appends built events to a stream, with fresh event ids. */
export async function append(store: EventStore, streamId: string, events: Built[]) {
  return store.appendToStream(
    streamId,
    events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata })),
  );
}
