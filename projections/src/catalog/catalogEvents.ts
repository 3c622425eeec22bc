/**
 * The events the catalogue projector reads, as the product and shop services write them: only the
 * fields it uses, declared here so that the projector depends on the contract, not on a command
 * service's code (catalogProjector.int.spec.ts checks at compile time that the services' own
 * event types still fit these).
 */

export interface Money {
  amount: number;
  currency: 'BDT';
}

export interface ProductFacts {
  productId: string;
  shopId: string;
  sellerId: string;
}

export interface VariantDetails {
  sku: string;
  options: Record<string, string>;
  price: Money;
  compareAtPrice: Money | null;
  weightGrams: number | null;
}

export interface ProductDetails {
  title: string;
  description: string | null;
  categoryId: string;
  images: string[];
  brand: string | null;
  attributes: Record<string, string>;
  variants: VariantDetails[];
}

export type ProductStatus = 'draft' | 'published' | 'unpublished' | 'archived' | 'removed';

export interface StockLevel {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

export interface StockLine {
  sku: string;
  quantity: number;
}

export interface StockShortage {
  sku: string;
  requested: number;
  available: number;
}

export type ProductEvent =
  | { type: 'ProductListed'; data: ProductFacts & ProductDetails & { stock: StockLevel[]; listedAt: string } }
  | { type: 'ProductDetailsChanged'; data: ProductFacts & ProductDetails & { status: ProductStatus; stock: StockLevel[]; changedAt: string } }
  | { type: 'ProductPublished'; data: ProductFacts & { publishedAt: string } }
  | { type: 'ProductUnpublished'; data: ProductFacts & { unpublishedAt: string } }
  | { type: 'ProductArchived'; data: ProductFacts & { archivedAt: string } }
  | { type: 'ProductRemoved'; data: ProductFacts & { reason: string; removedAt: string } }
  | { type: 'StockAdjusted'; data: ProductFacts & { sku: string; level: StockLevel; adjustedAt: string } }
  | { type: 'StockReserved'; data: ProductFacts & { orderId: string; lines: StockLine[]; levels: StockLevel[]; reservedAt: string } }
  | { type: 'StockReservationRefused'; data: ProductFacts & { orderId: string; lines: StockLine[]; reason: string; shortages: StockShortage[]; refusedAt: string } }
  /** `lines` and `levels` are empty when the order was released before it reserved anything. */
  | { type: 'StockReservationReleased'; data: ProductFacts & { orderId: string; lines: StockLine[]; reason: string; levels: StockLevel[]; releasedAt: string } }
  | { type: 'StockReservationCommitted'; data: ProductFacts & { orderId: string; lines: StockLine[]; levels: StockLevel[]; committedAt: string } };

export type CategoryEvent =
  | { type: 'CategoryCreated'; data: { categoryId: string; name: string; slug: string; parentId: string | null; createdAt: string } }
  | { type: 'CategoryRenamed'; data: { categoryId: string; name: string; slug: string; renamedAt: string } }
  | { type: 'CategoryMoved'; data: { categoryId: string; parentId: string | null; movedAt: string } }
  | { type: 'CategoryRetired'; data: { categoryId: string; retiredAt: string } };

export interface ReviewFacts {
  reviewId: string;
  productId: string;
  shopId: string;
  sellerId: string;
  buyerId: string;
}

export type ReviewEvent =
  | { type: 'ReviewWritten'; data: ReviewFacts & { rating: number; text: string; writtenAt: string } }
  | { type: 'ReviewEdited'; data: ReviewFacts & { rating: number; text: string; editedAt: string } }
  | { type: 'ReviewReplied'; data: ReviewFacts & { reply: string; repliedAt: string } }
  | { type: 'ReviewHidden'; data: ReviewFacts & { reason: string; hiddenAt: string } }
  | { type: 'ReviewShown'; data: ReviewFacts & { shownAt: string } };

export type ShopStatus = 'pending' | 'active' | 'suspended';

/** Every shop event carries the shop's name and slug; the standing events carry them flat. */
export type ShopEvent =
  | { type: 'ShopOpened'; data: { shopId: string; name: string; slug: string; status: 'pending'; openedAt: string } }
  | { type: 'ShopDetailsChanged'; data: { shopId: string; name: string; slug: string; status: ShopStatus; changedAt: string } }
  | { type: 'ShopApproved'; data: { shopId: string; name: string; slug: string; approvedAt: string } }
  | { type: 'ShopSuspended'; data: { shopId: string; name: string; slug: string; suspendedAt: string } }
  | { type: 'ShopReinstated'; data: { shopId: string; name: string; slug: string; status: 'active' | 'pending'; reinstatedAt: string } };

export type CatalogEvent = ProductEvent | CategoryEvent | ReviewEvent | ShopEvent;

const PRODUCT_EVENTS = new Set<string>([
  'ProductListed',
  'ProductDetailsChanged',
  'ProductPublished',
  'ProductUnpublished',
  'ProductArchived',
  'ProductRemoved',
  'StockAdjusted',
  'StockReserved',
  'StockReservationRefused',
  'StockReservationReleased',
  'StockReservationCommitted',
]);
const CATEGORY_EVENTS = new Set<string>(['CategoryCreated', 'CategoryRenamed', 'CategoryMoved', 'CategoryRetired']);
const REVIEW_EVENTS = new Set<string>(['ReviewWritten', 'ReviewEdited', 'ReviewReplied', 'ReviewHidden', 'ReviewShown']);
const SHOP_EVENTS = new Set<string>(['ShopOpened', 'ShopDetailsChanged', 'ShopApproved', 'ShopSuspended', 'ShopReinstated']);

/** An event with the stream facts the projector needs (revision for replays). */
export interface Recorded<E> {
  event: E;
  revision: number;
}

interface RawEvent {
  type: string;
  data: unknown;
  streamId: string;
  revision: number;
}

/** Sorts a batch into the four kinds of event, each in the batch's order; anything else is ignored. */
export function partitionEvents(events: readonly RawEvent[]) {
  const products: Array<Recorded<ProductEvent>> = [];
  const categories: Array<Recorded<CategoryEvent>> = [];
  const reviews: Array<Recorded<ReviewEvent>> = [];
  const shops: Array<Recorded<ShopEvent>> = [];
  for (const raw of events) {
    const event = { type: raw.type, data: raw.data };
    const category = raw.streamId.slice(0, raw.streamId.indexOf('-'));
    if (category === 'product' && PRODUCT_EVENTS.has(raw.type)) products.push({ event: event as ProductEvent, revision: raw.revision });
    else if (category === 'categorytree' && CATEGORY_EVENTS.has(raw.type)) categories.push({ event: event as CategoryEvent, revision: raw.revision });
    else if (category === 'review' && REVIEW_EVENTS.has(raw.type)) reviews.push({ event: event as ReviewEvent, revision: raw.revision });
    else if (category === 'shop' && SHOP_EVENTS.has(raw.type)) shops.push({ event: event as ShopEvent, revision: raw.revision });
  }
  return { products, categories, reviews, shops };
}
