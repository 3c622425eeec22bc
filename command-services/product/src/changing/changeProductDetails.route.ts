/** PUT /v1/products/{id}: the seller (or an admin) replaces a product's details; If-Match is honoured. */
import { authOf, authenticate, commandContext, ifMatchRevision, pathParam, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { ProductDetailsInput } from '../productDetails/productDetails';
import type { ProductService } from '../productService';

export function changeProductDetailsRoutes(router: Router, deps: { service: ProductService; verifier: TokenVerifier }): void {
  const { service } = deps;

  // Whether this seller owns this product is the decider's to say: it has the product.
  router.put('/v1/products/:id', authenticate(deps.verifier), requireRole('seller', 'admin'), async (req, res) => {
    const { userId, role } = authOf(res);
    sendCommandResult(res, await service.changeDetails(pathParam(req, 'id'), { id: userId, role }, req.body as ProductDetailsInput, commandContext(res), ifMatchRevision(req)));
  });
}
