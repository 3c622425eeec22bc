/** The order service's HTTP side: its routes (for the all-in-one process too) and its own app. */
import { createHttpApp, type Logger } from '@bdbazar/shared-kernel';
import { loadApiDocument } from '@bdbazar/openapi';
import { Router } from 'express';
import { cartRoutes } from './cart/cart.route';
import { changeOrderStatusRoutes } from './changingStatus/changeOrderStatus.route';
import { checkoutRoutes } from './checkout/checkout.route';
import type { OrderModule } from './orderModule';

export function orderRoutes(deps: { module: OrderModule }): Router {
  const router = Router();
  const shared = { service: deps.module.orders, verifier: deps.module.verifier };
  cartRoutes(router, shared);
  checkoutRoutes(router, shared);
  changeOrderStatusRoutes(router, shared);
  return router;
}

export function createOrderApp(deps: { module: OrderModule; logger: Logger; validateResponses?: boolean }) {
  return createHttpApp({
    name: 'order',
    openApi: loadApiDocument('order'),
    logger: deps.logger,
    routes: orderRoutes(deps),
    validateResponses: deps.validateResponses,
    validateSecurity: false,
  });
}
