/**
 * The order read routes of the query API: an order, a buyer's history, a seller's orders, a
 * checkout's summary. Every one needs a token, and waits for the orders projector on
 * X-Consistent-After. Lists keyed by a user answer 403 to anyone but that user and admins; an
 * order or a checkout that is not the caller's to see answers 404, as if it did not exist.
 */
import { authenticate, authOf, consistentAfter, etagOf, ForbiddenError, pathParam, type Database, type TokenVerifier } from '@bdbazar/shared-kernel';
import { Router, type RequestHandler, type Response } from 'express';
import { numberOf, queryOf, text } from '../queryParams';
import { getCheckout } from './getCheckout';
import { getOrder, orderLoader } from './getOrder';
import { listBuyerOrders, listVendorOrders, type OrderListQuery } from './listOrders';
import { ORDERS_PROJECTOR, type OrderStatus, type Viewer } from './orderRows';

export interface OrderQueryDependencies {
  db: Database;
  verifier: TokenVerifier;
  runtimeSchema: string;
}

export function orderQueryRoutes(deps: OrderQueryDependencies): Router {
  const { db } = deps;
  const router = Router();
  const signedIn = authenticate(deps.verifier);
  const ordersCaughtUp = consistentAfter({ db, runtimeSchema: deps.runtimeSchema, projectors: [ORDERS_PROJECTOR] });

  const loadOrder = orderLoader(db.knex);

  router.get('/v1/orders/:id', signedIn, ordersCaughtUp, async (req, res) => {
    const order = await getOrder(loadOrder, pathParam(req, 'id'), viewerOf(res));
    res.set('ETag', etagOf(order.revision)).json(order);
  });

  router.get('/v1/users/:userId/orders', signedIn, selfOrAdmin('userId', 'You may only list your own orders.'), ordersCaughtUp, async (req, res) => {
    res.json(await listBuyerOrders(db.knex, pathParam(req, 'userId'), listQueryOf(queryOf(req))));
  });

  router.get('/v1/vendors/:vendorId/orders', signedIn, selfOrAdmin('vendorId', "You may only list your own shops' orders."), ordersCaughtUp, async (req, res) => {
    const query = queryOf(req);
    res.json(await listVendorOrders(db.knex, pathParam(req, 'vendorId'), { ...listQueryOf(query), shopId: text(query['shopId']) }));
  });

  router.get('/v1/checkouts/:checkoutId', signedIn, ordersCaughtUp, async (req, res) => {
    const checkout = await getCheckout(db.knex, pathParam(req, 'checkoutId'), viewerOf(res));
    res.set('ETag', etagOf(checkout.revision)).json(checkout);
  });

  return router;
}

/** A list keyed by a user is that user's and admins' to read (403 to anyone else, as for a profile). */
function selfOrAdmin(param: string, refusal: string): RequestHandler {
  return (req, res, next) => {
    const auth = authOf(res);
    if (auth.role !== 'admin' && auth.userId !== pathParam(req, param)) throw new ForbiddenError(refusal, { [param]: pathParam(req, param) });
    next();
  };
}

function viewerOf(res: Response): Viewer {
  const { userId, role } = authOf(res);
  return { userId, role };
}

/** The list filters; OpenAPI has checked them (a status list arrives split at its commas). */
function listQueryOf(query: Record<string, unknown>): OrderListQuery {
  const status = query['status'];
  const statuses = status === undefined ? undefined : ((Array.isArray(status) ? status : String(status).split(',')) as OrderStatus[]);
  return { statuses, from: text(query['from']), to: text(query['to']), limit: numberOf(query['limit']), cursor: text(query['cursor']) };
}
