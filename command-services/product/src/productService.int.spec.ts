/** The product use cases over a real store (no HTTP): SKUs stay unique under races and crashes; stock is never oversold. */
import { randomUUID } from 'node:crypto';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, createEmbeddedEventStore, openDatabase, type Database, type EventStore } from '@bdbazar/shared-kernel';
import { createCategoryService, type CategoryService } from './categories/categoryService';
import { productStreamId } from './product';
import { createProductService, type ProductService } from './productService';
import type { ProductDetailsInput } from './productDetails/productDetails';
import { applyShopEvent, openShopCopy } from './shopCopy/shopCopy';
import { skuGuardStreamId } from './skuGuard/skuGuard';

const context = { correlationId: 'c-1', causationId: 'c-1', actor: { id: 'test', role: 'system' as const } };
const sellerId = randomUUID();
const otherSellerId = randomUUID();
const seller = { id: sellerId, role: 'seller' as const };

describe('the product service', () => {
  let store: EventStore;
  let categories: CategoryService;
  let service: ProductService;
  let now: Date;
  let categoryId: string;
  let db: Database;
  const shopId = randomUUID();

  beforeAll(async () => {
    store = await createEmbeddedEventStore({ dataDir: 'memory://' });
    now = new Date('2026-11-24T10:00:00.000Z');
    // The real shop copy, told of the shop as the shop service's integration event tells it.
    db = await openDatabase({ kind: 'pglite' });
    const shopCopy = await openShopCopy({ db, schema: 'product_service' });
    const data = { shopId, ownerId: sellerId, name: 'Mim Fashion', slug: 'mim-fashion', status: 'active', division: 'Dhaka', district: 'Dhaka', at: now.toISOString() };
    const source = { eventId: randomUUID(), streamId: `shop-${shopId}`, revision: 1, position: '00000000000000000001/00000000000000000001' };
    await db.knex.transaction((trx) =>
      applyShopEvent(trx, 'product_service', { messageId: randomUUID(), type: 'shop.ShopApproved.v1', occurredAt: data.at, correlationId: null, source, data }),
    );
    categories = createCategoryService({ store, clock: () => now });
    service = createProductService({ store, shops: shopCopy, categories, clock: () => now });
    categoryId = (await categories.create('admin', { name: 'Panjabi' }, context)).id;
  });
  afterAll(async () => {
    await store.close();
    await db.close();
  });

  const input = (skus: string[], overrides: Partial<ProductDetailsInput> = {}) => ({
    shopId,
    title: 'Cotton panjabi',
    categoryId,
    variants: skus.map((sku, i) => ({ sku, options: { size: `S${i}` }, price: { amount: 150000, currency: 'BDT' as const }, stock: 3 })),
    ...overrides,
  });
  const typesIn = async (streamId: string) => (await store.readStream(streamId)).map((e) => e.type);
  const unique = (sku: string) => `${sku}-${randomUUID().slice(0, 6).toUpperCase()}`;

  it('lists one product per SKU under 10 concurrent listings, and leaves no claim behind the losers', async () => {
    const sku = unique('RACE');
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => service.listProduct(seller, input([`${sku}`, unique(`OWN${i}`)]), context)));
    const listed = results.filter((r): r is PromiseFulfilledResult<{ id: string; revision: number; position: string }> => r.status === 'fulfilled');
    expect(listed).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) expect(r.reason).toBeInstanceOf(ConflictError);
    expect(await typesIn(skuGuardStreamId(shopId, sku))).toEqual(['SkuClaimed']);
    expect((await store.readStream(skuGuardStreamId(shopId, sku)))[0]!.data).toEqual(expect.objectContaining({ productId: listed[0]!.value.id }));
  });

  it('gives back the SKUs it claimed when a later one is taken', async () => {
    const taken = unique('TAKEN');
    await service.listProduct(seller, input([taken]), context);
    const free = unique('FREE');
    await expect(service.listProduct(seller, input([free, taken]), context)).rejects.toBeInstanceOf(ConflictError);
    expect(await typesIn(skuGuardStreamId(shopId, free))).toEqual(['SkuClaimed', 'SkuReleased']);
    // So the free one can be listed at once.
    await service.listProduct(seller, input([free]), context);
  });

  it('takes over a claim a crash left behind once it is a minute old, not before', async () => {
    const sku = unique('CRASH');
    const ghost = randomUUID();
    await store.appendToStream(skuGuardStreamId(shopId, sku), [{ id: randomUUID(), type: 'SkuClaimed', data: { shopId, sku, productId: ghost, claimedAt: now.toISOString() } }]);
    await expect(service.listProduct(seller, input([sku]), context)).rejects.toBeInstanceOf(ConflictError);
    now = new Date(now.getTime() + 61_000);
    const listed = await service.listProduct(seller, input([sku]), context);
    expect(await typesIn(skuGuardStreamId(shopId, sku))).toEqual(['SkuClaimed', 'SkuReleased', 'SkuClaimed']);
    expect((await store.readStream(skuGuardStreamId(shopId, sku)))[2]!.data).toEqual(expect.objectContaining({ productId: listed.id }));
  });

  it("refuses another seller's shop, an unknown shop and an unknown category before writing anything", async () => {
    const sku = unique('REFUSED');
    await expect(service.listProduct({ id: otherSellerId, role: 'seller' }, input([sku]), context)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(service.listProduct(seller, input([sku], { shopId: randomUUID() } as Partial<ProductDetailsInput>), context)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.listProduct(seller, input([sku], { categoryId: randomUUID() }), context)).rejects.toBeInstanceOf(ValidationError);
    expect(await typesIn(skuGuardStreamId(shopId, sku))).toEqual([]);
  });

  it('never sells more than there is: 200 concurrent orders for 3 in stock, each asked twice', async () => {
    const sku = unique('HOT');
    const { id } = await service.listProduct(seller, { ...input([sku]), publish: true }, context);
    const orders = Array.from({ length: 200 }, () => randomUUID());
    await Promise.all([...orders, ...orders].map((orderId) => service.reserveStock(id, orderId, [{ sku, quantity: 1 }], context)));
    const { state } = await service.load(id);
    if (state.status === 'none') throw new Error('no product');
    expect(state.stock[sku]).toEqual({ onHand: 3, reserved: 3 });
    const outcomes = [...state.reservations.values()].map((r) => r.state);
    expect(outcomes.filter((s) => s === 'held')).toHaveLength(3);
    expect(outcomes.filter((s) => s === 'refused')).toHaveLength(197);
    // One decision per order: asking again appended nothing.
    expect((await typesIn(productStreamId(id))).filter((t) => t.startsWith('Stock'))).toHaveLength(200);

    // Releasing one gives its unit back to the next order.
    const held = [...state.reservations.values()].find((r) => r.state === 'held')!;
    await service.releaseStockReservation(id, held.orderId, 'payment timed out', context);
    const late = randomUUID();
    await service.reserveStock(id, late, [{ sku, quantity: 1 }], context);
    const after = (await service.load(id)).state;
    if (after.status === 'none') throw new Error('no product');
    expect(after.reservations.get(late)?.state).toBe('held');
    expect(after.stock[sku]).toEqual({ onHand: 3, reserved: 3 });
  });

  it('frees the SKUs of an archived product for another product of the shop', async () => {
    const sku = unique('ARCH');
    const { id } = await service.listProduct(seller, input([sku]), context);
    await service.archive(id, seller, context);
    const again = await service.listProduct(seller, input([sku]), context);
    expect(again.id).not.toBe(id);
  });
});
