/** POST /v1/products: an approved seller lists a product under one of their shops. */
import { authOf, authenticate, commandContext, idempotency, requireApprovedSeller, sendCommandResult, type Database, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { NewProductInput, ProductService } from '../productService';

export function listProductRoutes(router: Router, deps: { service: ProductService; verifier: TokenVerifier; db: Database; schema: string }): void {
  const { service } = deps;

  router.post('/v1/products', authenticate(deps.verifier), requireApprovedSeller(), idempotency({ db: deps.db, schema: deps.schema }), async (req, res) => {
    const { userId, role } = authOf(res);
    const result = await service.listProduct({ id: userId, role }, req.body as NewProductInput, commandContext(res));
    res.location(`/v1/products/${result.id}`);
    sendCommandResult(res, result, 201);
  });
}
