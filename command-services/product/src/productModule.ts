/**
 * The product service assembled: products, the category tree and reviews over the event store;
 * its copy of the shops it needs (kept from the shop service's integration events when a bus is
 * given); its part in the order process (stock reserved, released and committed as the order
 * service's integration events arrive, when a bus is given); and the verifier of access tokens.
 */
import type { Config, Consumer, Database, EventStore, Logger, TokenVerifier, Transport } from '@bdbazar/shared-kernel';
import { createCategoryService, type CategoryService } from './categories/categoryService';
import { startOrderStockHandler } from './orderStock/orderStock';
import { createProductService, type ProductService } from './productService';
import { createReviewService, type ReviewService } from './reviews/reviewService';
import { openShopCopy, type ShopCopy } from './shopCopy/shopCopy';

/** The schema of the product service's own tables (its shop copy, idempotency keys). */
export const PRODUCT_SCHEMA = 'product_service';

export interface ProductModule {
  products: ProductService;
  categories: CategoryService;
  reviews: ReviewService;
  shops: ShopCopy;
  verifier: TokenVerifier;
  stop(): Promise<void>;
}

export interface ProductModuleOptions {
  store: EventStore;
  /** The database of the service's own tables. */
  db: Database;
  config: Config;
  verifier: TokenVerifier;
  /** Where shop and order integration events arrive; the runtime schema (`bdbazar`, with its inbox) must be migrated. */
  transport?: Transport;
  logger?: Logger;
  clock?: () => Date;
}

export async function openProductModule(options: ProductModuleOptions): Promise<ProductModule> {
  const { store } = options;
  const inboxRetentionDays = options.config.BDBAZAR_INBOX_RETENTION_DAYS;
  const shops = await openShopCopy({ db: options.db, schema: PRODUCT_SCHEMA, transport: options.transport, inboxRetentionDays, logger: options.logger });
  const categories = createCategoryService({ store, clock: options.clock });
  const products = createProductService({ store, shops, categories, clock: options.clock });
  const reviews = createReviewService({ store, loadProduct: products.load, clock: options.clock });
  let orderStock: Consumer | null = null;
  if (options.transport) {
    try {
      orderStock = await startOrderStockHandler({ db: options.db, transport: options.transport, products, inboxRetentionDays, logger: options.logger });
    } catch (error) {
      await shops.stop();
      throw error;
    }
  }
  const stop = async () => {
    await orderStock?.stop();
    await shops.stop();
  };
  return { products, categories, reviews, shops, verifier: options.verifier, stop };
}
