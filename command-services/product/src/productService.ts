/**
 * The product service's use cases, independent of HTTP: each loads what it needs, puts the clock
 * and new ids into the command, lets the decider decide, and appends. Routes only translate HTTP
 * to these calls.
 *
 * A product's SKUs are claimed in their guard streams (skuGuard/) before the product is written,
 * and released after it has dropped them (a changed variant list, an archive, a removal). A crash
 * between the two leaves a claim with no product behind it; the next claim of that SKU finds the
 * holder does not (or no longer) use it and takes it over.
 */
import { randomUUID } from 'node:crypto';
import {
  ConcurrencyError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  WrongExpectedVersionError,
  createKeyedSerializer,
  createStreamStateCache,
  fold,
  handleCommand,
  toEventsToAppend,
  type CommandContext,
  type CommandResult,
  type CurrentRevision,
  type EventStore,
} from '@bdbazar/shared-kernel';
import type { CategoryCatalogue } from './categories/categoryService';
import type { ProductActor } from './guards';
import { evolveProduct, initialProductState, productStreamId, type ProductEvent, type ProductState, type StockLine } from './product';
import { decideProduct, productDecider, type ProductCommand } from './productDecider';
import { productDetailsFrom, type ProductDetailsInput } from './productDetails/productDetails';
import type { ShopCopy } from './shopCopy/shopCopy';
import { skuGuardDecider, skuGuardStreamId, skuTaken, type SkuGuardEvent } from './skuGuard/skuGuard';

/** The body of POST /v1/products: the details, the shop to list under, and whether to publish at once. */
export type NewProductInput = ProductDetailsInput & { shopId: string; publish?: boolean };

/** Products one import lists at most (POST /v1/products/bulk). */
export const MAX_PRODUCTS_PER_IMPORT = 100;

/** What became of one product of an import: listed, or refused and not written. */
export type ListingOutcome = { ok: true; result: CommandResult } | { ok: false; error: DomainError };

export interface ProductServiceDependencies {
  store: EventStore;
  shops: Pick<ShopCopy, 'ownerOf'>;
  categories: CategoryCatalogue;
  clock?: () => Date;
  newId?: () => string;
}

export function createProductService(deps: ProductServiceDependencies) {
  const { store, shops, categories } = deps;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const now = () => clock().toISOString();
  // One product's commands run one at a time in this process: no failed appends between them.
  const serialized = createKeyedSerializer();
  // Products are read by every command on them (orders reserving stock above all): keep their states.
  const productStates = createStreamStateCache<ProductEvent, ProductState>(store, { initialState: initialProductState, evolve: evolveProduct });

  const loadProduct = async (productId: string): Promise<{ state: ProductState; revision: CurrentRevision }> => {
    const { state, revision } = await productStates.load(productStreamId(productId));
    return { state, revision };
  };

  const execute = async (productId: string, command: ProductCommand, context: CommandContext, expectedRevision?: number | 'no_stream'): Promise<CommandResult> => {
    const result = await serialized(productId, () =>
      handleCommand({
        eventStore: store,
        decider: productDecider,
        streamId: productStreamId(productId),
        command,
        context,
        expectedRevision,
        retries: expectedRevision === undefined ? 5 : 0,
        stateCache: productStates,
      }),
    );
    if (result.nextExpectedRevision === 'no_stream' || result.position === null) throw new NotFoundError(`There is no product ${productId}.`, { productId });
    return { id: productId, revision: result.nextExpectedRevision, position: result.position };
  };

  /** The product's current state, refusing (before anything is written) what its decider would refuse. */
  const precheck = async (productId: string, command: ProductCommand, expectedRevision: number | undefined) => {
    const loaded = await loadProduct(productId);
    decideProduct(command, loaded.state);
    if (expectedRevision !== undefined && loaded.revision !== expectedRevision) {
      throw new ConcurrencyError(
        `Product ${productId} has changed since you read it (it is at revision ${loaded.revision}, your If-Match names ${expectedRevision}); read it again and redo your change.`,
        { productId, expectedRevision, actualRevision: loaded.revision },
      );
    }
    return loaded;
  };

  /** Claims one SKU for a product: one append expecting no stream in the usual case, a decision on the guard's state otherwise. */
  const claimSku = async (shopId: string, sku: string, productId: string, context: CommandContext): Promise<void> => {
    const streamId = skuGuardStreamId(shopId, sku);
    const claim = { type: 'ClaimSku' as const, data: { shopId, sku, productId, now: now() } };
    try {
      await store.appendToStream(streamId, toEventsToAppend([{ type: 'SkuClaimed', data: { shopId, sku, productId, claimedAt: claim.data.now } }], context), { expectedRevision: 'no_stream' });
      return;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    const guard = fold(skuGuardDecider, (await store.readStream(streamId)).map((e) => ({ type: e.type, data: e.data }) as SkuGuardEvent));
    if (guard.heldBy !== null && guard.heldBy !== productId) {
      const holder = guard.heldBy;
      const { state } = await loadProduct(holder);
      const stillUses = state.status !== 'none' && state.status !== 'archived' && state.status !== 'removed' && state.details.variants.some((v) => v.sku === sku);
      // A claim younger than a minute may belong to a product being written right now.
      const settled = clock().getTime() - Date.parse(guard.claimedAt ?? '') > 60_000;
      if (stillUses || !settled) throw skuTaken(sku, shopId, holder);
      await handleCommand({ eventStore: store, decider: skuGuardDecider, streamId, command: { type: 'ReleaseSku', data: { shopId, sku, productId: holder, now: now() } }, context });
    }
    await handleCommand({ eventStore: store, decider: skuGuardDecider, streamId, command: claim, context, retries: 2 });
  };

  const releaseSkus = async (shopId: string, skus: readonly string[], productId: string, context: CommandContext): Promise<void> => {
    for (const sku of skus) {
      await handleCommand({ eventStore: store, decider: skuGuardDecider, streamId: skuGuardStreamId(shopId, sku), command: { type: 'ReleaseSku', data: { shopId, sku, productId, now: now() } }, context, retries: 2 });
    }
  };

  /** Claims every SKU or none: a refusal gives back the ones this call claimed. */
  const claimSkus = async (shopId: string, skus: readonly string[], productId: string, context: CommandContext): Promise<void> => {
    const claimed: string[] = [];
    try {
      for (const sku of skus) {
        await claimSku(shopId, sku, productId, context);
        claimed.push(sku);
      }
    } catch (error) {
      await releaseSkus(shopId, claimed, productId, context);
      throw error;
    }
  };

  const ownShop = async (shopId: string, actor: ProductActor) => {
    const ownerId = await shops.ownerOf(shopId);
    if (actor.role !== 'admin' && ownerId !== actor.id) {
      throw new ForbiddenError(`Shop ${shopId} is not yours; list products under one of your own shops.`, { field: 'shopId', shopId });
    }
    return { shopId, ownerId };
  };

  const openCategory = async (categoryId: string) => {
    const problem = await categories.problemWith(categoryId);
    if (problem) throw new ValidationError(problem, { field: 'categoryId', categoryId });
  };

  const lifecycle = async (productId: string, command: ProductCommand, context: CommandContext, expectedRevision?: number): Promise<CommandResult> => {
    const { state } = await precheck(productId, command, expectedRevision);
    const result = await execute(productId, command, context, expectedRevision);
    // Archived and removed products give their SKUs back.
    if ((command.type === 'ArchiveProduct' || command.type === 'RemoveProduct') && state.status !== 'none') {
      await releaseSkus(state.shopId, state.details.variants.map((v) => v.sku), productId, context);
    }
    return result;
  };

  /** A seller lists a product under one of their shops, as a draft or published at once. */
  const listProduct = async (seller: ProductActor, input: NewProductInput, context: CommandContext): Promise<CommandResult> => {
      const productId = newId();
      const { details, openingStock } = productDetailsFrom(input);
      const shop = await ownShop(input.shopId, seller);
      await openCategory(details.categoryId);
      const skus = details.variants.map((v) => v.sku);
      await claimSkus(shop.shopId, skus, productId, context);
      try {
        return await execute(
          productId,
          { type: 'ListProduct', data: { productId, shopId: shop.shopId, sellerId: shop.ownerId, details, openingStock, publish: input.publish === true, actorId: seller.id, now: now() } },
          context,
          'no_stream',
        );
      } catch (error) {
        await releaseSkus(shop.shopId, skus, productId, context);
        throw error;
      }
  };

  return {
    listProduct,

    /**
     * A catalogue import: each product listed as `listProduct` lists it, all at once and each on
     * its own, so one refused product (a SKU taken, a category retired) leaves the others listed.
     * Their appends share the store's batches. A failure that is not a refusal (the store gone)
     * fails the whole call once every product has settled: the caller retries it.
     */
    async listProducts(seller: ProductActor, inputs: readonly NewProductInput[], context: CommandContext): Promise<ListingOutcome[]> {
      if (inputs.length === 0 || inputs.length > MAX_PRODUCTS_PER_IMPORT) {
        throw new ValidationError(`An import lists 1 to ${MAX_PRODUCTS_PER_IMPORT} products; send more in further requests.`, { field: 'products' });
      }
      const settled = await Promise.allSettled(inputs.map((input) => listProduct(seller, input, context)));
      const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof DomainError));
      if (failure) throw failure.reason;
      return settled.map((s) => (s.status === 'fulfilled' ? { ok: true, result: s.value } : { ok: false, error: s.reason as DomainError }));
    },

    /** Replaces the details; `expectedRevision` is the client's If-Match. */
    async changeDetails(productId: string, actor: ProductActor, input: ProductDetailsInput, context: CommandContext, expectedRevision?: number): Promise<CommandResult> {
      const { details, openingStock } = productDetailsFrom(input);
      const command: ProductCommand = { type: 'ChangeProductDetails', data: { productId, actor, details, openingStock, now: now() } };
      const { state, revision } = await precheck(productId, command, expectedRevision);
      if (state.status === 'none' || revision === 'no_stream') throw new NotFoundError(`There is no product ${productId}.`, { productId });
      const before = new Set(state.details.variants.map((v) => v.sku));
      const after = new Set(details.variants.map((v) => v.sku));
      if (state.details.categoryId !== details.categoryId) await openCategory(details.categoryId);
      const added = [...after].filter((sku) => !before.has(sku));
      const dropped = [...before].filter((sku) => !after.has(sku));
      await claimSkus(state.shopId, added, productId, context);
      let result: CommandResult;
      try {
        // Decided on the state the SKUs were claimed for: a change in between is a 412, not a silent redo.
        result = await execute(productId, command, context, expectedRevision ?? revision);
      } catch (error) {
        await releaseSkus(state.shopId, added, productId, context);
        throw error;
      }
      await releaseSkus(state.shopId, dropped, productId, context);
      return result;
    },

    publish: (productId: string, actor: ProductActor, context: CommandContext, expectedRevision?: number) =>
      lifecycle(productId, { type: 'PublishProduct', data: { productId, actor, now: now() } }, context, expectedRevision),

    unpublish: (productId: string, actor: ProductActor, context: CommandContext, expectedRevision?: number) =>
      lifecycle(productId, { type: 'UnpublishProduct', data: { productId, actor, now: now() } }, context, expectedRevision),

    /** The seller's delete: off the storefront for good. */
    archive: (productId: string, actor: ProductActor, context: CommandContext, expectedRevision?: number) =>
      lifecycle(productId, { type: 'ArchiveProduct', data: { productId, actor, now: now() } }, context, expectedRevision),

    /** An admin takes a listing down, with the reason its seller is shown. */
    remove: (productId: string, adminId: string, reason: string, context: CommandContext, expectedRevision?: number) =>
      lifecycle(productId, { type: 'RemoveProduct', data: { productId, adminId, reason: reason.trim(), now: now() } }, context, expectedRevision),

    /** A count: the variant's stock on hand becomes `quantity`. */
    setStock: (productId: string, actor: ProductActor, sku: string, quantity: number, reason: string, context: CommandContext, expectedRevision?: number) =>
      execute(productId, { type: 'SetStock', data: { productId, actor, sku, quantity, reason, now: now() } }, context, expectedRevision),

    /** A movement: stock received (+) or lost, damaged, returned to the supplier (-). */
    adjustStock: (productId: string, actor: ProductActor, sku: string, change: number, reason: string, context: CommandContext, expectedRevision?: number) =>
      execute(productId, { type: 'AdjustStock', data: { productId, actor, sku, change, reason, now: now() } }, context, expectedRevision),

    /** For the order process (next issue): hold stock for an order, all lines of this product or none; asked again, the first answer stands. */
    reserveStock: (productId: string, orderId: string, lines: StockLine[], context: CommandContext) =>
      execute(productId, { type: 'ReserveStock', data: { productId, orderId, lines, now: now() } }, context),

    releaseStockReservation: (productId: string, orderId: string, reason: string, context: CommandContext) =>
      execute(productId, { type: 'ReleaseStockReservation', data: { productId, orderId, reason, now: now() } }, context),

    commitStockReservation: (productId: string, orderId: string, context: CommandContext) =>
      execute(productId, { type: 'CommitStockReservation', data: { productId, orderId, now: now() } }, context),

    /** The product as its events tell it now (for the review service and tests). */
    load: loadProduct,
  };
}

export type ProductService = ReturnType<typeof createProductService>;
