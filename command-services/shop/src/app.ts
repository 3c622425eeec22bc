/** The shop service's HTTP side: its routes (for the all-in-one process too) and its own app. */
import { createHttpApp, migrateIdempotencyTable, type Database, type Logger } from '@bdbazar/shared-kernel';
import { loadApiDocument } from '@bdbazar/openapi';
import { Router } from 'express';
import { administerShopRoutes } from './administering/administerShop.route';
import { changeShopDetailsRoutes } from './changing/changeShopDetails.route';
import { openShopRoutes } from './opening/openShop.route';
import type { ShopModule } from './shopModule';

/** The schema of the shop service's own tables (idempotency keys). */
export const SHOP_SCHEMA = 'shop_service';

export async function shopRoutes(deps: { module: ShopModule; db: Database }): Promise<Router> {
  await migrateIdempotencyTable(deps.db, SHOP_SCHEMA);
  const router = Router();
  const shared = { service: deps.module.service, verifier: deps.module.verifier, db: deps.db, schema: SHOP_SCHEMA };
  openShopRoutes(router, shared);
  changeShopDetailsRoutes(router, shared);
  administerShopRoutes(router, shared);
  return router;
}

export async function createShopApp(deps: { module: ShopModule; db: Database; logger: Logger; validateResponses?: boolean }) {
  return createHttpApp({
    name: 'shop',
    openApi: loadApiDocument('shop'),
    logger: deps.logger,
    routes: await shopRoutes(deps),
    validateResponses: deps.validateResponses,
    validateSecurity: false,
  });
}
