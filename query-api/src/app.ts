/** The query API's HTTP side: its routes (for the all-in-one process too) and its own app. */
import { authOf, authenticate, consistentAfter, pathParam, createHttpApp, etagOf, requireRole, requireSelfOrAdmin, type Database, type Logger, type TokenVerifier } from '@bdbazar/shared-kernel';
import { loadApiDocument } from '@bdbazar/openapi';
import { Router } from 'express';
import { listKyc } from './admin/listKyc';
import { listUsers, type ListUsersQuery } from './admin/listUsers';
import { catalogQueryRoutes } from './catalog/catalog.route';
import { orderQueryRoutes } from './orders/orders.route';
import { numberOf } from './queryParams';
import { ACCOUNTS_PROJECTOR } from './readModels';
import { shopQueryRoutes } from './shops/shops.route';
import { getUser, userLoader } from './users/getUser';
import { getVendor } from './vendors/getVendor';

export interface QueryDependencies {
  db: Database;
  verifier: TokenVerifier;
  runtimeSchema: string;
}

export function queryRoutes(deps: QueryDependencies): Router {
  const { db } = deps;
  const router = Router();
  const signedIn = authenticate(deps.verifier);
  const accountsCaughtUp = consistentAfter({ db, runtimeSchema: deps.runtimeSchema, projectors: [ACCOUNTS_PROJECTOR] });

  const loadUser = userLoader(db.knex);

  router.get('/v1/users/:id', signedIn, requireSelfOrAdmin('id'), accountsCaughtUp, async (req, res) => {
    const user = await getUser(loadUser, pathParam(req, 'id'), authOf(res).role === 'admin');
    res.set('ETag', etagOf(user.revision)).json(user);
  });

  router.get('/v1/vendors/:id', accountsCaughtUp, async (req, res) => {
    res.json(await getVendor(db.knex, pathParam(req, 'id')));
  });

  router.get('/v1/admin/users', signedIn, requireRole('admin'), accountsCaughtUp, async (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    res.json(
      await listUsers(db.knex, {
        role: query['role'] as ListUsersQuery['role'],
        status: query['status'] as ListUsersQuery['status'],
        kycStatus: query['kycStatus'] as ListUsersQuery['kycStatus'],
        q: query['q'],
        limit: numberOf(query['limit']) ?? 25,
        cursor: query['cursor'],
      }),
    );
  });

  router.get('/v1/admin/kyc', signedIn, requireRole('admin'), accountsCaughtUp, async (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    res.json(await listKyc(db.knex, { status: (query['status'] as 'pending' | 'approved' | 'rejected' | undefined) ?? 'pending', limit: numberOf(query['limit']) ?? 25, cursor: query['cursor'] }));
  });

  return router;
}

/** The query API on its own: every read route (the all-in-one process mounts the same routers). */
export function createQueryApp(deps: QueryDependencies & { logger: Logger; validateResponses?: boolean }) {
  const routes = [queryRoutes(deps), shopQueryRoutes(deps), catalogQueryRoutes(deps), orderQueryRoutes(deps)];
  return createHttpApp({
    name: 'query-api',
    openApi: loadApiDocument('query'),
    logger: deps.logger,
    routes,
    validateResponses: deps.validateResponses,
    validateSecurity: false,
  });
}

