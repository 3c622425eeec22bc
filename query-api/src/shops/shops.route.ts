/** The shop read routes of the query API: a shop page, the shop directory, a seller's shops. */
import { ForbiddenError, authOf, pathParam, authenticate, consistentAfter, etagOf, maybeAuthOf, type Database, type TokenVerifier } from '@bdbazar/shared-kernel';
import { Router, type RequestHandler } from 'express';
import { numberOf } from '../queryParams';
import { getShop } from './getShop';
import { listSellerShops } from './listSellerShops';
import { listShops } from './listShops';
import { SHOPS_PROJECTOR } from './shopRow';

export interface ShopQueryDependencies {
  db: Database;
  verifier: TokenVerifier;
  runtimeSchema: string;
}

export function shopQueryRoutes(deps: ShopQueryDependencies): Router {
  const { db } = deps;
  const router = Router();
  const shopsCaughtUp = consistentAfter({ db, runtimeSchema: deps.runtimeSchema, projectors: [SHOPS_PROJECTOR] });

  // Anyone may ask; a token shows the owner and admins what is not public yet.
  router.get('/v1/shops/:id', authenticate(deps.verifier, { optional: true }), shopsCaughtUp, async (req, res) => {
    const auth = maybeAuthOf(res);
    const shop = await getShop(db.knex, pathParam(req, 'id'), auth && { userId: auth.userId, role: auth.role });
    res.set('ETag', etagOf(shop.revision)).json(shop);
  });

  router.get('/v1/shops', shopsCaughtUp, async (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    res.json(await listShops(db.knex, { q: query['q'], division: query['division'], limit: numberOf(query['limit']), cursor: query['cursor'] }));
  });

  const ownShopsOrAdmin: RequestHandler = (req, res, next) => {
    const auth = authOf(res);
    if (auth.role !== 'admin' && auth.userId !== pathParam(req, 'id')) {
      throw new ForbiddenError("You may only list your own shops; another seller's active shops are in the shop directory.", { id: pathParam(req, 'id') });
    }
    next();
  };

  router.get('/v1/sellers/:id/shops', authenticate(deps.verifier), ownShopsOrAdmin, shopsCaughtUp, async (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    res.json(await listSellerShops(db.knex, pathParam(req, 'id'), { limit: numberOf(query['limit']), cursor: query['cursor'] }));
  });

  return router;
}

