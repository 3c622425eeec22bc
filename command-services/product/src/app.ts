/** The product service's HTTP side: its routes (for the all-in-one process too) and its own app. */
import { createHttpApp, migrateIdempotencyTable, type Database, type Logger } from '@bdbazar/shared-kernel';
import { loadApiDocument } from '@bdbazar/openapi';
import { Router } from 'express';
import { categoryRoutes } from './categories/categories.route';
import { changeProductDetailsRoutes } from './changing/changeProductDetails.route';
import { listProductRoutes } from './listing/listProduct.route';
import { IMPORT_BODY_LIMITS, listProductsRoutes } from './listing/listProducts.route';
import { PRODUCT_SCHEMA, type ProductModule } from './productModule';
import { publishProductRoutes } from './publishing/publishProduct.route';
import { reviewRoutes } from './reviews/reviews.route';
import { stockRoutes } from './stock/stock.route';

export async function productRoutes(deps: { module: ProductModule; db: Database }): Promise<Router> {
  await migrateIdempotencyTable(deps.db, PRODUCT_SCHEMA);
  const router = Router();
  const { module } = deps;
  const shared = { service: module.products, verifier: module.verifier, db: deps.db, schema: PRODUCT_SCHEMA };
  listProductRoutes(router, shared);
  listProductsRoutes(router, shared);
  changeProductDetailsRoutes(router, shared);
  publishProductRoutes(router, shared);
  stockRoutes(router, shared);
  categoryRoutes(router, { categories: module.categories, verifier: module.verifier });
  reviewRoutes(router, { reviews: module.reviews, verifier: module.verifier });
  return router;
}

export async function createProductApp(deps: { module: ProductModule; db: Database; logger: Logger; validateResponses?: boolean }) {
  return createHttpApp({
    name: 'product',
    openApi: loadApiDocument('product'),
    bodyLimits: IMPORT_BODY_LIMITS,
    logger: deps.logger,
    routes: await productRoutes(deps),
    validateResponses: deps.validateResponses,
    validateSecurity: false,
  });
}
