/**
 * A small storefront whose every search answer can be worked out by hand: a category tree (one
 * category retired), five shops (one suspended, one pending), twenty public products with English
 * and Bangla titles, six that are not public (draft, unpublished, archived, removed, in a
 * suspended shop, in a pending shop), reviews (one hidden) by buyers (one deleted).
 *
 * Product n is listed at minute 10 + n and published at minute 100 + n, so "newest" is n
 * descending. Ids are readable: product n is `id(n, 'c')`, category n `id(n, 'd')`, shop n
 * `id(n, 'b')`, its seller `id(n, 'e')`, buyer n `id(n, '9')`.
 */
import type { EventStore, Position } from '@bdbazar/shared-kernel';
import {
  append,
  at,
  CATEGORY_TREE_STREAM,
  categoryEvents,
  id,
  productEvents,
  reviewEvents,
  shopEvents,
  type Built,
  type CategorySpec,
  type ProductSpec,
  type ReviewSpec,
  type ShopSpec,
} from './catalogBuilders';

export const categoryId = (n: number) => id(n, 'd');
export const shopId = (n: number) => id(n, 'b');
export const sellerId = (n: number) => id(n, 'e');
export const productId = (n: number) => id(n, 'c');
export const buyerId = (n: number) => id(n, '9');
export const reviewId = (n: number) => id(n, 'f');

const category = (n: number, name: string, slug: string, parent: number | null): CategorySpec => ({ categoryId: categoryId(n), name, slug, parentId: parent === null ? null : categoryId(parent) });

export const CATEGORIES = {
  clothing: category(1, 'Clothing', 'clothing', null),
  men: category(2, 'Men', 'men', 1),
  shirts: category(3, 'Shirts', 'shirts', 2),
  panjabi: category(4, 'Panjabi', 'panjabi', 2),
  women: category(5, 'Women', 'women', 1),
  saree: category(6, 'Saree', 'saree', 5),
  home: category(7, 'Home', 'home', null),
  kitchen: category(8, 'Kitchen', 'kitchen', 7),
  oldStuff: category(9, 'Old stuff', 'old-stuff', null),
};

const shop = (n: number, name: string, slug: string): ShopSpec => ({ shopId: shopId(n), ownerId: sellerId(n), name, slug });

export const SHOPS = {
  aarongOutlet: shop(1, 'Aarong Outlet', 'aarong-outlet'),
  dhakaThreads: shop(2, 'Dhaka Threads', 'dhaka-threads'),
  sylhetHome: shop(3, 'Sylhet Home', 'sylhet-home'),
  shadyDeals: shop(4, 'Shady Deals', 'shady-deals'),
  pendingShop: shop(5, 'Pending Shop', 'pending-shop'),
};

export type Fate = 'public' | 'draft' | 'unpublished' | 'archived' | 'removed';

export interface FixtureProduct {
  n: number;
  spec: ProductSpec;
  fate: Fate;
}

const C = CATEGORIES;
const S = SHOPS;

function product(
  n: number,
  title: string,
  shopSpec: ShopSpec,
  categorySpec: CategorySpec,
  brand: string | null,
  price: number,
  onHand: number,
  extra: Partial<ProductSpec> = {},
  fate: Fate = 'public',
): FixtureProduct {
  return {
    n,
    fate,
    spec: {
      productId: productId(n),
      shopId: shopSpec.shopId,
      sellerId: shopSpec.ownerId,
      title,
      categoryId: categorySpec.categoryId,
      brand,
      images: [`https://cdn.bdbazar.test/p${n}/1.jpg`],
      variants: [{ sku: `P${n}-A`, price, onHand }],
      ...extra,
    },
  };
}

/** ড় written as ড + nukta (what NFC makes of it) and as the precomposed letter, which NFC decomposes. */
export const SAREE_DECOMPOSED = 'শা\u09a1\u09bcি';
export const SAREE_PRECOMPOSED = 'শা\u09dcি';

export const PRODUCTS: FixtureProduct[] = [
  product(1, "Men's cotton shirt", S.aarongOutlet, C.shirts, 'Aarong', 120_000, 5, {
    description: 'Breathable cotton for hot summers.',
    variants: [{ sku: 'P1-A', price: 120_000, compareAtPrice: 150_000, onHand: 5 }],
  }),
  product(2, 'Formal shirts, slim fit', S.dhakaThreads, C.shirts, 'Yellow', 250_000, 3, { description: 'For the office.' }),
  product(3, 'Running shoes', S.dhakaThreads, C.men, 'Bata', 350_000, 0, { description: 'Light shoes for running and walking.' }),
  product(4, 'Silk panjabi for Eid', S.aarongOutlet, C.panjabi, 'Aarong', 450_000, 2, {
    description: 'Pure silk, embroidered by hand.',
    attributes: { material: 'Silk' },
    variants: [
      { sku: 'P4-M', price: 450_000, options: { size: 'M' }, weightGrams: 400, onHand: 2 },
      { sku: 'P4-L', price: 480_000, compareAtPrice: 520_000, options: { size: 'L' }, weightGrams: 420, onHand: 0 },
    ],
  }),
  product(5, 'Cotton panjabi', S.dhakaThreads, C.panjabi, 'aarong', 180_000, 4),
  product(6, `জামদানি ${SAREE_DECOMPOSED}`, S.aarongOutlet, C.saree, 'Aarong', 800_000, 1, { description: 'ঢাকাই জামদানি, হাতে বোনা।' }),
  product(7, `লাল ${SAREE_PRECOMPOSED}টি`, S.dhakaThreads, C.saree, null, 300_000, 2),
  product(8, 'Katan saree, red', S.aarongOutlet, C.saree, 'Yellow', 600_000, 1, { description: 'Banarasi katan silk.' }),
  product(9, 'Tea mug', S.sylhetHome, C.kitchen, 'Pran', 35_000, 10, { description: 'A ceramic mug for cha.' }),
  product(10, 'Clay cooking pot', S.sylhetHome, C.kitchen, null, 90_000, 0, { description: 'Traditional clay pot.' }),
  product(11, 'Cotton kitchen towels', S.sylhetHome, C.kitchen, 'Aarong', 120_000, 6),
  product(12, "Men's denim shirt", S.dhakaThreads, C.shirts, 'Yellow', 220_000, 2, { attributes: { material: 'Denim' } }),
  product(13, 'Cotton bedsheet', S.sylhetHome, C.home, 'Aarong', 280_000, 3),
  product(14, 'পাঞ্জাবি', S.aarongOutlet, C.panjabi, 'Aarong', 200_000, 0),
  product(15, 'Polo shirt', S.aarongOutlet, C.shirts, 'Yellow', 150_000, 5, { attributes: { material: 'Cotton' } }),
  product(16, 'Striped shirt', S.dhakaThreads, C.shirts, null, 160_000, 5),
  product(17, 'Check shirts pack', S.aarongOutlet, C.shirts, 'Aarong', 300_000, 5),
  product(18, 'Linen shirt', S.dhakaThreads, C.shirts, 'Yellow', 260_000, 0),
  product(19, 'Steel tiffin box', S.sylhetHome, C.kitchen, 'Pran', 70_000, 8),
  product(20, 'Old cotton lamp', S.sylhetHome, C.oldStuff, null, 50_000, 1),
  product(21, 'Cotton shirt, draft', S.aarongOutlet, C.shirts, 'Aarong', 100_000, 5, {}, 'draft'),
  product(22, 'Cotton shirt, unpublished', S.aarongOutlet, C.shirts, 'Aarong', 100_000, 5, {}, 'unpublished'),
  product(23, 'Cotton shirt, archived', S.dhakaThreads, C.shirts, 'Yellow', 100_000, 5, {}, 'archived'),
  product(24, 'Cotton shirt, removed', S.dhakaThreads, C.shirts, 'Yellow', 100_000, 5, {}, 'removed'),
  product(25, 'Cotton shirt of a suspended shop', S.shadyDeals, C.shirts, 'Aarong', 100_000, 5),
  product(26, 'Cotton saree of a pending shop', S.pendingShop, C.saree, 'Aarong', 100_000, 5),
];

export const productNo = (n: number): FixtureProduct => PRODUCTS.find((p) => p.n === n)!;

export const BUYERS = [
  { n: 1, name: 'Rahim Uddin' },
  { n: 2, name: 'Karima Begum' },
  { n: 3, name: 'Deleted Later' },
];

const review = (n: number, product: number, buyer: number): ReviewSpec => {
  const p = productNo(product).spec;
  return { reviewId: reviewId(n), productId: p.productId, shopId: p.shopId, sellerId: p.sellerId, buyerId: buyerId(buyer) };
};

/** n, product, buyer, rating, text, minute written; hidden: hidden by an admin afterwards. */
export const REVIEWS: Array<{ spec: ReviewSpec; rating: number; text: string; minute: number; hidden?: string; reply?: string }> = [
  { spec: review(1, 1, 1), rating: 5, text: 'Fits well.', minute: 300 },
  { spec: review(2, 1, 2), rating: 4, text: 'Good cotton.', minute: 301 },
  { spec: review(3, 4, 1), rating: 5, text: 'Beautiful work.', minute: 302 },
  { spec: review(4, 6, 1), rating: 3, text: 'Colour not as shown.', minute: 303, reply: 'Sorry! Photos are taken in daylight.' },
  { spec: review(5, 6, 3), rating: 4, text: 'Lovely saree.', minute: 304 },
  { spec: review(6, 6, 2), rating: 1, text: 'Buy from my shop instead!', minute: 305, hidden: 'Advertising.' },
  { spec: review(7, 9, 2), rating: 4, text: 'Nice mug.', minute: 306 },
  { spec: review(8, 2, 2), rating: 2, text: 'Too tight.', minute: 307 },
  { spec: review(9, 12, 1), rating: 4, text: 'Sturdy.', minute: 308 },
  { spec: review(10, 12, 2), rating: 5, text: 'My favourite.', minute: 309 },
];

/** The events, stream by stream, in the order they are appended. */
export function storefrontStreams(): Array<{ streamId: string; events: Built[] }> {
  const streams: Array<{ streamId: string; events: Built[] }> = [];
  const add = (streamId: string, events: Built[]) => streams.push({ streamId, events });
  for (const s of [S.aarongOutlet, S.dhakaThreads, S.sylhetHome]) add(`shop-${s.shopId}`, [shopEvents.opened(s, at(0)), shopEvents.approved(s, at(1))]);
  add(`shop-${S.shadyDeals.shopId}`, [shopEvents.opened(S.shadyDeals, at(0)), shopEvents.approved(S.shadyDeals, at(1)), shopEvents.suspended(S.shadyDeals, 'Counterfeits.', at(2))]);
  add(`shop-${S.pendingShop.shopId}`, [shopEvents.opened(S.pendingShop, at(0))]);
  add(CATEGORY_TREE_STREAM, [...Object.values(CATEGORIES).map((c) => categoryEvents.created(c, at(3))), categoryEvents.retired(C.oldStuff, at(4))]);
  for (const { n, spec, fate } of PRODUCTS) {
    const events = [productEvents.listed(spec, at(10 + n))];
    if (fate !== 'draft') events.push(productEvents.published(spec, at(100 + n)));
    if (fate === 'unpublished') events.push(productEvents.unpublished(spec, at(200 + n)));
    if (fate === 'archived') events.push(productEvents.archived(spec, at(200 + n)));
    if (fate === 'removed') events.push(productEvents.removed(spec, 'Counterfeit goods.', at(200 + n)));
    add(`product-${spec.productId}`, events);
  }
  for (const r of REVIEWS) {
    const events = [reviewEvents.written(r.spec, r.rating, r.text, at(r.minute))];
    if (r.reply) events.push(reviewEvents.replied(r.spec, r.reply, at(r.minute + 50)));
    if (r.hidden) events.push(reviewEvents.hidden(r.spec, r.rating, r.hidden, at(r.minute + 60)));
    add(`review-${r.spec.reviewId}`, events);
  }
  return streams;
}

/** Account events for the buyers (the third deletes their account), for the accounts read model. */
export function buyerStreams(): Array<{ streamId: string; events: Built[] }> {
  return BUYERS.map(({ n, name }) => {
    const events: Built[] = [
      {
        type: 'AccountRegistered',
        data: { accountId: buyerId(n), email: `buyer${n}@example.com.bd`, name, phone: null, role: 'buyer', passwordHash: '$2b$04$notarealhash', registeredAt: at(0) },
      },
    ];
    if (n === 3) events.push({ type: 'AccountDeleted', data: { accountId: buyerId(n), deletedBy: buyerId(n), deletedAt: at(400) } });
    return { streamId: `account-${buyerId(n)}`, events };
  });
}

/** Appends the storefront (and the buyers' accounts); answers the positions of the last of each. */
export async function appendStorefront(store: EventStore, options: { buyers?: boolean } = {}): Promise<{ catalog: Position; accounts: Position | null }> {
  let accounts: Position | null = null;
  for (const { streamId, events } of options.buyers ? buyerStreams() : []) accounts = (await append(store, streamId, events)).position;
  let catalog = '';
  for (const { streamId, events } of storefrontStreams()) catalog = (await append(store, streamId, events)).position;
  return { catalog, accounts };
}
