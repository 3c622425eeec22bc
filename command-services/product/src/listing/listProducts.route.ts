/**
 * POST /v1/products/bulk: an approved seller imports up to 100 products in one request. Each is
 * listed as POST /v1/products lists it, on its own: the answer gives each product's outcome in
 * the order sent (201 with its id, revision and position; or the problem that refused it, with
 * nothing written for it), and the position after which every listed product is in the store.
 * When no product was listed the answer is a problem instead (their common status, else 422),
 * with each one's refusal. A body the API description refuses (a float price, a field too many)
 * refuses the whole import.
 */
import { HttpProblemError, authOf, authenticate, commandContext, comparePositions, idempotency, requestContext, requireApprovedSeller, toProblem, type Database, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { NewProductInput, ProductService } from '../productService';

/** The body an import may send (createHttpApp's bodyLimits): 100 products of up to about 20 kB each. */
export const IMPORT_BODY_LIMITS: Readonly<Record<string, string>> = { '/v1/products/bulk': '2mb' };

export function listProductsRoutes(router: Router, deps: { service: ProductService; verifier: TokenVerifier; db: Database; schema: string }): void {
  const { service } = deps;

  router.post('/v1/products/bulk', authenticate(deps.verifier), requireApprovedSeller(), idempotency({ db: deps.db, schema: deps.schema }), async (req, res) => {
    const { userId, role } = authOf(res);
    const context = commandContext(res);
    const { products } = req.body as { products: NewProductInput[] };
    const outcomes = await service.listProducts({ id: userId, role }, products, context);
    const problemContext = { instance: req.originalUrl, requestId: requestContext(res).requestId, method: req.method };
    let position = '';
    const results = outcomes.map((outcome, index) => {
      if (outcome.ok) {
        const { id, revision, position: at } = outcome.result;
        if (position === '' || comparePositions(at, position) > 0) position = at;
        return { index, status: 201, id, revision, position: at };
      }
      const { problem } = toProblem(outcome.error, problemContext);
      return { index, status: problem.status, problem: { ...problem, instance: `${req.originalUrl}#/products/${index}` } };
    });
    const listed = results.filter((r) => r.status === 201).length;
    if (listed === 0) {
      // Nothing written: the import as a whole is refused, with the status its products share.
      const statuses = new Set(results.map((r) => r.status));
      const status = statuses.size === 1 ? results[0]!.status : 422;
      const first = results[0]!.problem!;
      const detail =
        results.length === 1
          ? first.detail
          : `None of the ${results.length} products was listed; each one's refusal is in results (the first: ${first.detail})`;
      throw new HttpProblemError({ status, code: 'import_refused', title: 'Nothing was listed', detail, extensions: { listed: 0, refused: results.length, results } });
    }
    res.status(200).json({ listed, refused: results.length - listed, position, results });
  });
}
