/**
 * The catalogue's read routes of the query API: the storefront search, product pages, a seller's
 * and a shop's products, the category tree, and reviews. Every route waits for the catalog
 * projector on X-Consistent-After (reviews for the accounts projector too: buyers' names).
 */
import { authOf, authenticate, consistentAfter, createReadModelCache, etagOf, ForbiddenError, maybeAuthOf, pathParam, type Database, type TokenVerifier } from '@bdbazar/shared-kernel';
import { Router, type Response } from 'express';
import { booleanOf, numberOf, queryOf, text } from '../queryParams';
import { ACCOUNTS_PROJECTOR, CATALOG_PROJECTOR, type ProductStatus, type Viewer } from './catalogRows';
import { getProduct } from './getProduct';
import { listCategories } from './listCategories';
import { listReviews } from './listReviews';
import { listShopProducts } from './listShopProducts';
import { listVendorProducts } from './listVendorProducts';
import { searchProducts, type ProductSort } from './searchProducts';

export interface CatalogQueryDependencies {
  db: Database;
  verifier: TokenVerifier;
  runtimeSchema: string;
}

export function catalogQueryRoutes(deps: CatalogQueryDependencies): Router {
  const { db } = deps;
  const router = Router();
  const catalogCaughtUp = consistentAfter({ db, runtimeSchema: deps.runtimeSchema, projectors: [CATALOG_PROJECTOR] });
  const reviewsCaughtUp = consistentAfter({ db, runtimeSchema: deps.runtimeSchema, projectors: [CATALOG_PROJECTOR, ACCOUNTS_PROJECTOR] });
  // Anyone may ask; a token shows sellers and admins what is not public.
  const maybeSignedIn = authenticate(deps.verifier, { optional: true });
  // The storefront's answers are the same for everyone: kept until the catalogue changes (see createReadModelCache).
  const storefront = createReadModelCache({ db, runtimeSchema: deps.runtimeSchema, projectors: [CATALOG_PROJECTOR] });

  router.get('/v1/products', catalogCaughtUp, async (req, res) => {
    const query = queryOf(req);
    await storefront.send(req, res, () =>
      searchProducts(db.knex, {
        q: text(query['q']),
        category: text(query['category']),
        minPrice: numberOf(query['minPrice']),
        maxPrice: numberOf(query['maxPrice']),
        shop: text(query['shop']),
        brand: text(query['brand']),
        inStock: booleanOf(query['inStock']),
        minRating: numberOf(query['minRating']),
        sort: text(query['sort']) as ProductSort | undefined,
        limit: numberOf(query['limit']),
        cursor: text(query['cursor']),
      }),
    );
  });

  router.get('/v1/products/:id', maybeSignedIn, catalogCaughtUp, async (req, res) => {
    const product = await getProduct(db.knex, pathParam(req, 'id'), viewerOf(res));
    res.set('ETag', etagOf(product.revision)).json(product);
  });

  router.get('/v1/products/:productId/reviews', maybeSignedIn, reviewsCaughtUp, async (req, res) => {
    const query = queryOf(req);
    const includeHidden = booleanOf(query['includeHidden']) ?? false;
    if (includeHidden && authOf(res).role !== 'admin') {
      throw new ForbiddenError('Only admins see hidden reviews; leave includeHidden out to see the visible ones.', { field: 'includeHidden' });
    }
    res.json(await listReviews(db.knex, pathParam(req, 'productId'), viewerOf(res), { includeHidden, limit: numberOf(query['limit']), cursor: text(query['cursor']) }));
  });

  router.get('/v1/vendors/:vendorId/products', maybeSignedIn, catalogCaughtUp, async (req, res) => {
    const query = queryOf(req);
    res.json(
      await listVendorProducts(db.knex, pathParam(req, 'vendorId'), viewerOf(res), {
        status: text(query['status']) as ProductStatus | undefined,
        limit: numberOf(query['limit']),
        cursor: text(query['cursor']),
      }),
    );
  });

  router.get('/v1/shops/:id/products', catalogCaughtUp, async (req, res) => {
    const query = queryOf(req);
    await storefront.send(req, res, () => listShopProducts(db.knex, pathParam(req, 'id'), { limit: numberOf(query['limit']), cursor: text(query['cursor']) }));
  });

  router.get('/v1/categories', maybeSignedIn, catalogCaughtUp, async (req, res) => {
    const includeRetired = booleanOf(queryOf(req)['includeRetired']) ?? false;
    if (includeRetired && authOf(res).role !== 'admin') {
      throw new ForbiddenError('Only admins see retired categories; leave includeRetired out to see the open ones.', { field: 'includeRetired' });
    }
    await storefront.send(req, res, () => listCategories(db.knex, { includeRetired }));
  });

  return router;
}

function viewerOf(res: Response): Viewer | undefined {
  const auth = maybeAuthOf(res);
  return auth && { userId: auth.userId, role: auth.role };
}
