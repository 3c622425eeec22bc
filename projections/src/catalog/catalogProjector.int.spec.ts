/** The catalogue read model and its integration events, on the real PostgreSQL, fed through the event store. */
import { randomUUID } from 'node:crypto';
import {
  createPostgresEventStore,
  openDatabase,
  rebuildProjector,
  silentLogger,
  startProjectorWorker,
  type Database,
  type EventStore,
  type ProjectorWorker,
  type RecordedEvent,
} from '@bdbazar/shared-kernel';
import type { CategoryEvent as ServiceCategoryEvent } from '../../../command-services/product/src/categories/categoryTree';
import type { ProductEvent as ServiceProductEvent } from '../../../command-services/product/src/product';
import type { ReviewEvent as ServiceReviewEvent } from '../../../command-services/product/src/reviews/review';
import type { ShopEvent as ServiceShopEvent } from '../../../command-services/shop/src/shop';
import { describeWithServer, requireServerUrl } from '../../../test/servers';
import type { CategoryEvent, ProductEvent, ReviewEvent, ShopEvent } from './catalogEvents';
import { catalogProjector } from './catalogProjector';
import { caughtUpTo } from './testing/caughtUp';
import {
  CATEGORY_TREE_STREAM,
  append as appendTo,
  at,
  categoryEvents,
  id,
  level,
  productEvents,
  reviewEvents,
  shopEvents,
  type Built,
  type CategorySpec,
  type ProductSpec,
  type ReviewSpec,
  type ShopSpec,
} from './testing/catalogBuilders';
import { createTestDatabase, type TestDatabase } from './testing/testDatabase';

/** Compile-time: the services' own events still carry everything the projector reads. */
type Fits<Contract, Written extends Contract> = Written;
export type _ServicesKeepTheContract = [
  Fits<ProductEvent, ServiceProductEvent>,
  Fits<CategoryEvent, ServiceCategoryEvent>,
  Fits<ReviewEvent, ServiceReviewEvent>,
  Fits<ShopEvent, ServiceShopEvent>,
];

const RUNTIME = 'bdbazar';
const PRODUCT_COLUMNS = `id, shop_id, seller_id, title, description, category_id, images, brand, attributes, variants, price_min, price_max,
  compare_at_price, in_stock, status, removed_reason, shop_active, shop_name, shop_slug, rating_avg, rating_count, rating_sum,
  listed_at, published_at, updated_at, revision, is_public`;

const mim: ShopSpec = { shopId: id(1, 'b'), ownerId: id(1, 'e'), name: 'Mim Fashion', slug: 'mim-fashion' };
const clothing: CategorySpec = { categoryId: id(1, 'd'), name: 'Clothing', slug: 'clothing', parentId: null };
const shirts: CategorySpec = { categoryId: id(2, 'd'), name: 'Shirts', slug: 'shirts', parentId: clothing.categoryId };

describeWithServer('postgres', 'the catalogue projector', () => {
  let database: TestDatabase;
  let store: EventStore;
  let db: Database;
  let worker: ProjectorWorker;

  beforeAll(async () => {
    database = await createTestDatabase(requireServerUrl('postgres'), 'bdbazar_catalog_projector');
    store = await createPostgresEventStore({ connectionString: database.url });
    db = await openDatabase({ kind: 'postgres', connectionString: database.url });
    worker = startProjectorWorker({ store, db, runtimeSchema: RUNTIME, definition: catalogProjector, logger: silentLogger(), checkIntervalMs: 50 });
    await append(`shop-${mim.shopId}`, [shopEvents.opened(mim, at(0)), shopEvents.approved(mim, at(1))]);
    await append(CATEGORY_TREE_STREAM, [categoryEvents.created(clothing, at(2)), categoryEvents.created(shirts, at(2))]);
  });
  afterAll(async () => {
    await worker.stop();
    await store.close();
    await db.close();
    await database.drop();
  });

  let last = '';
  const append = async (streamId: string, events: Built[]) => {
    last = (await appendTo(store, streamId, events)).position;
  };
  const caughtUp = () => caughtUpTo({ db, store, runtimeSchema: RUNTIME, definition: catalogProjector, position: last });
  const product = async (productId: string) => (await db.knex.raw(`select ${PRODUCT_COLUMNS} from catalog.products where id = ?`, [productId])).rows[0];
  const categories = async () => db.knex('catalog.categories').select('id', 'parent_id', 'name', 'slug', 'retired', 'path', 'depth', 'created_at', 'updated_at', 'revision').orderBy('id');
  const everything = async () => ({
    shops: await db.knex('catalog.shops').orderBy('id'),
    categories: await db.knex('catalog.categories').orderBy('id'),
    products: (await db.knex.raw(`select *, search::text as search from catalog.products order by id`)).rows,
    reviews: await db.knex('catalog.reviews').orderBy('id'),
    facets: await db.knex('catalog.facet_counts').whereNot('count', 0).orderBy(['category_id', 'brand_key', 'brand', 'in_stock']),
  });
  // The facet counts always agree with counting the public products afresh, whatever happened.
  afterEach(async () => {
    const kept = await db.knex.raw(`select category_id, brand_key, brand, in_stock, count from catalog.facet_counts where count <> 0 order by 1, 2, 3, 4`);
    const counted = await db.knex.raw(
      `select category_id, lower(coalesce(brand, '')) as brand_key, coalesce(brand, '') as brand, in_stock, count(*)::int as count
         from catalog.products where is_public group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
    );
    expect(kept.rows).toEqual(counted.rows);
  });
  const outboxOf = async (productId: string) =>
    (await db.knex(`${RUNTIME}.outbox`).orderBy('id').select('payload'))
      .map((r: { payload: { type: string; data: Record<string, unknown> } }) => r.payload)
      .filter((p) => p.data['productId'] === productId)
      .map(({ type, data }) => ({ type, data }));
  const facts = (p: ProductSpec) => ({ productId: p.productId, shopId: p.shopId, sellerId: p.sellerId });
  const money = (amount: number) => ({ amount, currency: 'BDT' });

  const shirt: ProductSpec = {
    productId: id(1, 'c'),
    shopId: mim.shopId,
    sellerId: mim.ownerId,
    title: 'Red cotton shirts',
    categoryId: shirts.categoryId,
    description: 'Soft cotton, made in Dhaka.',
    images: ['https://cdn.bdbazar.test/p1/1.jpg', 'https://cdn.bdbazar.test/p1/2.jpg'],
    brand: 'Aarong',
    attributes: { material: 'Cotton' },
    variants: [
      { sku: 'SHIRT-M', price: 150_000, compareAtPrice: 180_000, options: { size: 'M' }, weightGrams: 250, onHand: 5 },
      { sku: 'SHIRT-L', price: 160_000, options: { size: 'L' }, weightGrams: 270, onHand: 0 },
    ],
  };
  const changedShirt: ProductSpec = {
    ...shirt,
    variants: [
      { sku: 'SHIRT-M', price: 140_000, compareAtPrice: 180_000, options: { size: 'M' }, weightGrams: 250, onHand: 5 },
      { sku: 'SHIRT-XL', price: 170_000, options: { size: 'XL' }, weightGrams: 300, onHand: 2 },
    ],
  };
  const listedRow = {
    id: shirt.productId,
    shop_id: mim.shopId,
    seller_id: mim.ownerId,
    title: 'Red cotton shirts',
    description: 'Soft cotton, made in Dhaka.',
    category_id: shirts.categoryId,
    images: ['https://cdn.bdbazar.test/p1/1.jpg', 'https://cdn.bdbazar.test/p1/2.jpg'],
    brand: 'Aarong',
    attributes: { material: 'Cotton' },
    variants: [
      { sku: 'SHIRT-M', options: { size: 'M' }, price: money(150_000), compareAtPrice: money(180_000), weightGrams: 250, onHand: 5, reserved: 0, available: 5 },
      { sku: 'SHIRT-L', options: { size: 'L' }, price: money(160_000), compareAtPrice: null, weightGrams: 270, onHand: 0, reserved: 0, available: 0 },
    ],
    price_min: 150_000,
    price_max: 160_000,
    compare_at_price: 180_000,
    in_stock: true,
    status: 'draft',
    removed_reason: null,
    shop_active: true,
    shop_name: 'Mim Fashion',
    shop_slug: 'mim-fashion',
    rating_avg: null,
    rating_count: 0,
    rating_sum: 0,
    listed_at: new Date(at(10)),
    published_at: null,
    updated_at: new Date(at(10)),
    revision: 0,
    is_public: false,
  };

  describe('when a product is listed, changed, published and its stock moves', () => {
    it('keeps every fact of the listing, its variants with their stock, and the price range', async () => {
      await append(`product-${shirt.productId}`, [productEvents.listed(shirt, at(10))]);
      await caughtUp();
      expect(await product(shirt.productId)).toEqual(listedRow);
    });

    it('follows details, publication, adjustments, reservations, releases and commits', async () => {
      await append(`product-${shirt.productId}`, [
        productEvents.detailsChanged(changedShirt, 'draft', at(11), { addedSkus: ['SHIRT-XL'], removedSkus: ['SHIRT-L'] }),
        productEvents.published(shirt, at(12)),
        productEvents.stockAdjusted(shirt, 'SHIRT-M', -5, level('SHIRT-M', 0), at(13)),
        productEvents.stockReserved(shirt, id(1, '7'), [{ sku: 'SHIRT-XL', quantity: 2 }], [level('SHIRT-XL', 2, 2)], at(14)),
      ]);
      await caughtUp();
      // Nothing is left to buy: both variants are taken.
      expect(await product(shirt.productId)).toEqual({
        ...listedRow,
        variants: [
          { sku: 'SHIRT-M', options: { size: 'M' }, price: money(140_000), compareAtPrice: money(180_000), weightGrams: 250, onHand: 0, reserved: 0, available: 0 },
          { sku: 'SHIRT-XL', options: { size: 'XL' }, price: money(170_000), compareAtPrice: null, weightGrams: 300, onHand: 2, reserved: 2, available: 0 },
        ],
        price_min: 140_000,
        price_max: 170_000,
        in_stock: false,
        status: 'published',
        published_at: new Date(at(12)),
        updated_at: new Date(at(14)),
        revision: 4,
        is_public: true,
      });

      await append(`product-${shirt.productId}`, [
        productEvents.reservationRefused(shirt, id(2, '7'), [{ sku: 'SHIRT-M', quantity: 1 }], at(15)),
        productEvents.reservationReleased(shirt, id(1, '7'), [{ sku: 'SHIRT-XL', quantity: 2 }], [level('SHIRT-XL', 2, 0)], at(16)),
        productEvents.stockReserved(shirt, id(3, '7'), [{ sku: 'SHIRT-XL', quantity: 1 }], [level('SHIRT-XL', 2, 1)], at(17)),
        productEvents.reservationCommitted(shirt, id(3, '7'), [{ sku: 'SHIRT-XL', quantity: 1 }], [level('SHIRT-XL', 1, 0)], at(18)),
      ]);
      await caughtUp();
      expect(await product(shirt.productId)).toEqual({
        ...listedRow,
        variants: [
          { sku: 'SHIRT-M', options: { size: 'M' }, price: money(140_000), compareAtPrice: money(180_000), weightGrams: 250, onHand: 0, reserved: 0, available: 0 },
          { sku: 'SHIRT-XL', options: { size: 'XL' }, price: money(170_000), compareAtPrice: null, weightGrams: 300, onHand: 1, reserved: 0, available: 1 },
        ],
        price_min: 140_000,
        price_max: 170_000,
        in_stock: true,
        status: 'published',
        published_at: new Date(at(12)),
        updated_at: new Date(at(18)),
        revision: 8,
        is_public: true,
      });
    });

    it('takes it off the storefront when unpublished, back when published again, and for good when archived', async () => {
      await append(`product-${shirt.productId}`, [productEvents.unpublished(shirt, at(19))]);
      await caughtUp();
      expect(await product(shirt.productId)).toEqual(expect.objectContaining({ status: 'unpublished', is_public: false, published_at: new Date(at(12)), revision: 9 }));
      await append(`product-${shirt.productId}`, [productEvents.published(shirt, at(20))]);
      await caughtUp();
      expect(await product(shirt.productId)).toEqual(expect.objectContaining({ status: 'published', is_public: true, published_at: new Date(at(20)), revision: 10 }));
      await append(`product-${shirt.productId}`, [productEvents.archived(shirt, at(21))]);
      await caughtUp();
      expect(await product(shirt.productId)).toEqual(expect.objectContaining({ status: 'archived', is_public: false, updated_at: new Date(at(21)), revision: 11 }));
    });

    it('publishes what another service needs to keep its own copy, and the answers to reservations', async () => {
      const variantsListed = [
        { sku: 'SHIRT-M', options: { size: 'M' }, price: money(150_000), compareAtPrice: money(180_000), weightGrams: 250, available: 5 },
        { sku: 'SHIRT-L', options: { size: 'L' }, price: money(160_000), compareAtPrice: null, weightGrams: 270, available: 0 },
      ];
      const variantsChanged = [
        { sku: 'SHIRT-M', options: { size: 'M' }, price: money(140_000), compareAtPrice: money(180_000), weightGrams: 250, available: 5 },
        { sku: 'SHIRT-XL', options: { size: 'XL' }, price: money(170_000), compareAtPrice: null, weightGrams: 300, available: 2 },
      ];
      const about = { ...facts(shirt), title: 'Red cotton shirts', categoryId: shirts.categoryId, image: 'https://cdn.bdbazar.test/p1/1.jpg' };
      expect(await outboxOf(shirt.productId)).toEqual([
        { type: 'product.ProductListed.v1', data: { ...about, status: 'draft', variants: variantsListed, at: at(10) } },
        { type: 'product.ProductDetailsChanged.v1', data: { ...about, status: 'draft', variants: variantsChanged, at: at(11) } },
        { type: 'product.ProductPublished.v1', data: { ...facts(shirt), status: 'published', at: at(12) } },
        { type: 'product.StockAdjusted.v1', data: { ...facts(shirt), sku: 'SHIRT-M', available: 0, at: at(13) } },
        {
          type: 'product.StockReserved.v1',
          data: { ...facts(shirt), orderId: id(1, '7'), lines: [{ sku: 'SHIRT-XL', quantity: 2 }], levels: [{ sku: 'SHIRT-XL', available: 0 }], at: at(14) },
        },
        {
          type: 'product.StockReservationRefused.v1',
          data: {
            ...facts(shirt),
            orderId: id(2, '7'),
            lines: [{ sku: 'SHIRT-M', quantity: 1 }],
            reason: 'Not enough stock.',
            shortages: [{ sku: 'SHIRT-M', requested: 1, available: 0 }],
            at: at(15),
          },
        },
        {
          type: 'product.StockReservationReleased.v1',
          data: { ...facts(shirt), orderId: id(1, '7'), lines: [{ sku: 'SHIRT-XL', quantity: 2 }], reason: 'cancelled', levels: [{ sku: 'SHIRT-XL', available: 2 }], at: at(16) },
        },
        {
          type: 'product.StockReserved.v1',
          data: { ...facts(shirt), orderId: id(3, '7'), lines: [{ sku: 'SHIRT-XL', quantity: 1 }], levels: [{ sku: 'SHIRT-XL', available: 1 }], at: at(17) },
        },
        {
          type: 'product.StockReservationCommitted.v1',
          data: { ...facts(shirt), orderId: id(3, '7'), lines: [{ sku: 'SHIRT-XL', quantity: 1 }], levels: [{ sku: 'SHIRT-XL', available: 1 }], at: at(18) },
        },
        { type: 'product.ProductUnpublished.v1', data: { ...facts(shirt), status: 'unpublished', at: at(19) } },
        { type: 'product.ProductPublished.v1', data: { ...facts(shirt), status: 'published', at: at(20) } },
        { type: 'product.ProductArchived.v1', data: { ...facts(shirt), status: 'archived', at: at(21) } },
      ]);
    });
  });

  describe('when an order is released on a product before it reserved anything there', () => {
    it('moves no stock, only the revision, and tells the order process the order is closed here', async () => {
      const scarf: ProductSpec = { productId: id(6, 'c'), shopId: mim.shopId, sellerId: mim.ownerId, title: 'Silk scarf', categoryId: clothing.categoryId };
      await append(`product-${scarf.productId}`, [productEvents.listed(scarf, at(25)), productEvents.published(scarf, at(26))]);
      await caughtUp();
      const before = await product(scarf.productId);
      await append(`product-${scarf.productId}`, [productEvents.reservationReleased(scarf, id(4, '7'), [], [], at(27))]);
      await caughtUp();
      expect(await product(scarf.productId)).toEqual({ ...before, updated_at: new Date(at(27)), revision: 2 });
      expect((await outboxOf(scarf.productId)).at(-1)).toEqual({
        type: 'product.StockReservationReleased.v1',
        data: { ...facts(scarf), orderId: id(4, '7'), lines: [], reason: 'cancelled', levels: [], at: at(27) },
      });
    });
  });

  describe('when an admin removes a product', () => {
    it('keeps the row with the reason, off the storefront, and says so to other services', async () => {
      const fake: ProductSpec = { productId: id(2, 'c'), shopId: mim.shopId, sellerId: mim.ownerId, title: 'Designer bag', categoryId: clothing.categoryId };
      await append(`product-${fake.productId}`, [
        productEvents.listed(fake, at(30)),
        productEvents.published(fake, at(31)),
        productEvents.removed(fake, 'Counterfeit goods.', at(32)),
      ]);
      await caughtUp();
      expect(await product(fake.productId)).toEqual(
        expect.objectContaining({ status: 'removed', removed_reason: 'Counterfeit goods.', is_public: false, published_at: new Date(at(31)), updated_at: new Date(at(32)), revision: 2 }),
      );
      expect((await outboxOf(fake.productId)).at(-1)).toEqual({ type: 'product.ProductRemoved.v1', data: { ...facts(fake), status: 'removed', reason: 'Counterfeit goods.', at: at(32) } });
    });
  });

  describe("when a shop's standing changes", () => {
    const nira: ShopSpec = { shopId: id(2, 'b'), ownerId: id(2, 'e'), name: 'Nira Crafts', slug: 'nira-crafts' };
    const lamp: ProductSpec = { productId: id(3, 'c'), shopId: nira.shopId, sellerId: nira.ownerId, title: 'Jute lamp', categoryId: clothing.categoryId };
    const mug: ProductSpec = { productId: id(4, 'c'), shopId: nira.shopId, sellerId: nira.ownerId, title: 'Clay mug', categoryId: clothing.categoryId };
    const standing = async () => {
      const rows = await db.knex('catalog.products').whereIn('id', [lamp.productId, mug.productId]).orderBy('id').select('id', 'shop_active', 'shop_name', 'shop_slug', 'is_public');
      return rows;
    };

    it('hides all its products on suspension and shows them again on reinstatement', async () => {
      await append(`shop-${nira.shopId}`, [shopEvents.opened(nira, at(40)), shopEvents.approved(nira, at(41))]);
      for (const p of [lamp, mug]) await append(`product-${p.productId}`, [productEvents.listed(p, at(42)), productEvents.published(p, at(43))]);
      await caughtUp();
      const shown = (name: string, slug: string, active: boolean) => [
        { id: lamp.productId, shop_active: active, shop_name: name, shop_slug: slug, is_public: active },
        { id: mug.productId, shop_active: active, shop_name: name, shop_slug: slug, is_public: active },
      ];
      expect(await standing()).toEqual(shown('Nira Crafts', 'nira-crafts', true));

      await append(`shop-${nira.shopId}`, [shopEvents.suspended(nira, 'Fake reviews.', at(44))]);
      await caughtUp();
      expect(await standing()).toEqual(shown('Nira Crafts', 'nira-crafts', false));

      const renamed = { ...nira, name: 'Nira Home', slug: 'nira-home' };
      await append(`shop-${nira.shopId}`, [shopEvents.reinstated(nira, 'active', at(45)), shopEvents.detailsChanged(renamed, 'active', at(46))]);
      await caughtUp();
      expect(await standing()).toEqual(shown('Nira Home', 'nira-home', true));
      expect(await db.knex('catalog.shops').where({ id: nira.shopId }).first()).toEqual({ id: nira.shopId, status: 'active', name: 'Nira Home', slug: 'nira-home', updated_at: new Date(at(46)), revision: 4 });
    });

    it('gives a product listed before its shop was known the shop facts once the shop arrives', async () => {
      const late: ShopSpec = { shopId: id(3, 'b'), ownerId: id(3, 'e'), name: 'Late Shop', slug: 'late-shop' };
      const tea: ProductSpec = { productId: id(5, 'c'), shopId: late.shopId, sellerId: late.ownerId, title: 'Sylhet tea', categoryId: clothing.categoryId };
      await append(`product-${tea.productId}`, [productEvents.listed(tea, at(50)), productEvents.published(tea, at(51))]);
      await caughtUp();
      expect(await product(tea.productId)).toEqual(expect.objectContaining({ status: 'published', shop_active: false, shop_name: null, shop_slug: null, is_public: false }));
      await append(`shop-${late.shopId}`, [shopEvents.opened(late, at(52))]);
      await caughtUp();
      expect(await product(tea.productId)).toEqual(expect.objectContaining({ shop_active: false, shop_name: 'Late Shop', shop_slug: 'late-shop', is_public: false }));
      await append(`shop-${late.shopId}`, [shopEvents.approved(late, at(53))]);
      await caughtUp();
      expect(await product(tea.productId)).toEqual(expect.objectContaining({ shop_active: true, is_public: true }));
    });
  });

  describe('when the category tree changes', () => {
    it('keeps every category with its path from the root, and a move carries the whole subtree', async () => {
      const home: CategorySpec = { categoryId: id(3, 'd'), name: 'Home', slug: 'home', parentId: null };
      const formal: CategorySpec = { categoryId: id(4, 'd'), name: 'Formal shirts', slug: 'formal-shirts', parentId: shirts.categoryId };
      await append(CATEGORY_TREE_STREAM, [categoryEvents.created(home, at(60)), categoryEvents.created(formal, at(60))]);
      await caughtUp();
      const row = (c: CategorySpec, path: string[], changes: Record<string, unknown> = {}) => ({
        id: c.categoryId,
        parent_id: c.parentId,
        name: c.name,
        slug: c.slug,
        retired: false,
        path,
        depth: path.length - 1,
        created_at: new Date(c.categoryId === home.categoryId || c.categoryId === formal.categoryId ? at(60) : at(2)),
        updated_at: new Date(c.categoryId === home.categoryId || c.categoryId === formal.categoryId ? at(60) : at(2)),
        ...changes,
      });
      const [c1, c2, c3, c4] = [clothing.categoryId, shirts.categoryId, home.categoryId, formal.categoryId];
      expect(await categories()).toEqual([
        row(clothing, [c1], { revision: 0 }),
        row(shirts, [c1, c2], { revision: 1 }),
        row(home, [c3], { revision: 2 }),
        row(formal, [c1, c2, c4], { revision: 3 }),
      ]);

      const renamedHome = { ...home, name: 'Home & living', slug: 'home-living' };
      await append(CATEGORY_TREE_STREAM, [
        categoryEvents.moved(shirts.categoryId, home.categoryId, clothing.categoryId, at(61)),
        categoryEvents.renamed(renamedHome, home, at(62)),
        categoryEvents.retired(formal, at(63)),
      ]);
      await caughtUp();
      expect(await categories()).toEqual([
        row(clothing, [c1], { revision: 0 }),
        row(shirts, [c3, c2], { parent_id: c3, updated_at: new Date(at(61)), revision: 4 }),
        row(home, [c3], { name: 'Home & living', slug: 'home-living', updated_at: new Date(at(62)), revision: 5 }),
        // Its own row did not change with the move, but its path did.
        row(formal, [c3, c2, c4], { retired: true, updated_at: new Date(at(63)), revision: 6 }),
      ]);
      // The subtree query the storefront runs: under Home & living now, no longer under Clothing.
      const under = async (categoryId: string) => (await db.knex('catalog.categories').whereRaw('path @> array[?::uuid]', [categoryId]).orderBy('id').pluck('id')) as string[];
      expect(await under(c3)).toEqual([c2, c3, c4]);
      expect(await under(c1)).toEqual([c1]);
    });
  });

  describe('when buyers review a product', () => {
    const review = (n: number): ReviewSpec => ({ reviewId: id(n, 'f'), productId: id(3, 'c'), shopId: id(2, 'b'), sellerId: id(2, 'e'), buyerId: id(n, '9') });
    const rating = async () => db.knex('catalog.products').where({ id: id(3, 'c') }).first('rating_avg', 'rating_count', 'rating_sum');

    it('keeps the rating summary of the visible reviews through edits, hides and shows', async () => {
      await append(`review-${review(1).reviewId}`, [reviewEvents.written(review(1), 5, 'Beautiful lamp.', at(70))]);
      await append(`review-${review(2).reviewId}`, [reviewEvents.written(review(2), 4, 'Good.', at(71))]);
      await append(`review-${review(3).reviewId}`, [reviewEvents.written(review(3), 2, 'Arrived late; buy it elsewhere at www.example.com', at(72))]);
      await caughtUp();
      expect(await rating()).toEqual({ rating_avg: '3.67', rating_count: 3, rating_sum: 11 });

      await append(`review-${review(3).reviewId}`, [reviewEvents.hidden(review(3), 2, 'Advertises another shop.', at(73))]);
      await caughtUp();
      expect(await rating()).toEqual({ rating_avg: '4.50', rating_count: 2, rating_sum: 9 });

      await append(`review-${review(2).reviewId}`, [reviewEvents.edited(review(2), 1, 4, 'It broke after a week.', at(74)), reviewEvents.replied(review(2), 'Sorry! We will replace it.', at(75))]);
      await caughtUp();
      expect(await rating()).toEqual({ rating_avg: '3.00', rating_count: 2, rating_sum: 6 });

      await append(`review-${review(3).reviewId}`, [reviewEvents.shown(review(3), 2, at(76))]);
      await caughtUp();
      expect(await rating()).toEqual({ rating_avg: '2.67', rating_count: 3, rating_sum: 8 });

      await append(`review-${review(3).reviewId}`, [reviewEvents.hidden(review(3), 2, 'Advertises another shop.', at(77))]);
      await caughtUp();
      expect(await db.knex('catalog.reviews').orderBy('id')).toEqual([
        { ...review(1), rating: 5, text: 'Beautiful lamp.', reply: null, replied_at: null, hidden: false, hidden_reason: null, written_at: new Date(at(70)), edited_at: null, revision: 0 },
        {
          ...review(2),
          rating: 1,
          text: 'It broke after a week.',
          reply: 'Sorry! We will replace it.',
          replied_at: new Date(at(75)),
          hidden: false,
          hidden_reason: null,
          written_at: new Date(at(71)),
          edited_at: new Date(at(74)),
          revision: 2,
        },
        {
          ...review(3),
          rating: 2,
          text: 'Arrived late; buy it elsewhere at www.example.com',
          reply: null,
          replied_at: null,
          hidden: true,
          hidden_reason: 'Advertises another shop.',
          written_at: new Date(at(72)),
          edited_at: null,
          revision: 3,
        },
      ].map(({ reviewId, productId, shopId, sellerId, buyerId, ...rest }) => ({ id: reviewId, product_id: productId, shop_id: shopId, seller_id: sellerId, buyer_id: buyerId, ...rest })));
      expect(await rating()).toEqual({ rating_avg: '3.00', rating_count: 2, rating_sum: 6 });
    });
  });

  describe('when events are applied again', () => {
    it('changes nothing, whether the whole history or an old part of it is replayed', async () => {
      const before = await everything();
      const history = (await store.readAll({ filter: catalogProjector.filter })) as RecordedEvent[];
      const replay = (events: RecordedEvent[]) => db.knex.transaction((trx) => catalogProjector.apply({ trx, schema: 'catalog_g1', events, mode: 'live' }));
      await replay(history);
      expect(await everything()).toEqual(before);
      // Old events alone: a listing (folded from nothing, without reading the row), an old stock
      // level, an old shop standing, a review's first version, the first categories.
      const old = history.filter((e) => e.revision <= 1);
      await replay(old);
      for (const event of history) await replay([event]);
      expect(await everything()).toEqual(before);
    });
  });

  describe('when the projector is rebuilt', () => {
    it('gives the same rows', async () => {
      const before = await everything();
      expect(before.products).toHaveLength(6);
      await rebuildProjector({ store, db, runtimeSchema: RUNTIME, definition: catalogProjector, logger: silentLogger() });
      expect(await everything()).toEqual(before);
    });
  });

  describe('what a batch tells the storefront answer cache', () => {
    it('says stock moves change nothing a reader sees, unless a product goes out of stock or back in', async () => {
      const bag: ProductSpec = {
        productId: id(90),
        shopId: mim.shopId,
        sellerId: mim.ownerId,
        title: 'Jute bag',
        categoryId: shirts.categoryId,
        variants: [{ sku: 'BAG', price: 50_000, onHand: 2 }],
      };
      const order = (n: number) => id(n, '9');
      const bags = (quantity: number) => [{ sku: 'BAG', quantity }];
      // In a transaction rolled back at the end: the other tests' rows stay as the store's history makes them.
      const trx = await db.knex.transaction();
      try {
        let revision = 0;
        const outcome = (built: Built) =>
          catalogProjector.apply({
            trx,
            schema: 'catalog_g1',
            mode: 'live',
            events: [{ id: randomUUID(), ...built, metadata: {}, streamId: `product-${bag.productId}`, revision: revision++, position: `${'9'.repeat(20)}/${String(revision).padStart(20, '0')}`, createdAt: new Date() } as RecordedEvent],
          });
        expect(await outcome(productEvents.listed(bag, at(90)))).toEqual({ visibleChange: true });
        expect(await outcome(productEvents.published(bag, at(91)))).toEqual({ visibleChange: true });
        expect(await outcome(productEvents.stockReserved(bag, order(1), bags(1), [level('BAG', 2, 1)], at(92)))).toEqual({ visibleChange: false });
        expect(await outcome(productEvents.reservationRefused(bag, order(2), bags(5), at(93)))).toEqual({ visibleChange: false });
        expect(await outcome(productEvents.stockReserved(bag, order(3), bags(1), [level('BAG', 2, 2)], at(94)))).toEqual({ visibleChange: true });
        expect(await outcome(productEvents.reservationCommitted(bag, order(3), bags(1), [level('BAG', 1, 1)], at(95)))).toEqual({ visibleChange: false });
        expect(await outcome(productEvents.reservationReleased(bag, order(1), bags(1), [level('BAG', 1, 0)], at(96)))).toEqual({ visibleChange: true });
        expect(await outcome(productEvents.stockAdjusted(bag, 'BAG', 4, level('BAG', 5, 0), at(97)))).toEqual({ visibleChange: false });
        const { rows } = await trx.raw<{ rows: Array<{ in_stock: boolean; revision: number }> }>(`select in_stock, revision from catalog_g1.products where id = ?`, [bag.productId]);
        expect(rows).toEqual([{ in_stock: true, revision: 7 }]);
      } finally {
        await trx.rollback();
      }
    });
  });
});
