/**
 * A product's place on the storefront: publish, unpublish, and DELETE, which for its seller
 * archives it and for an admin removes it with a reason (`?reason=`) the seller is shown.
 */
import { ValidationError, authOf, authenticate, commandContext, ifMatchRevision, pathParam, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { ProductService } from '../productService';

export function publishProductRoutes(router: Router, deps: { service: ProductService; verifier: TokenVerifier }): void {
  const { service } = deps;
  const sellerOrAdmin = [authenticate(deps.verifier), requireRole('seller', 'admin')];

  router.put('/v1/products/:id/publish', ...sellerOrAdmin, async (req, res) => {
    const { userId, role } = authOf(res);
    sendCommandResult(res, await service.publish(pathParam(req, 'id'), { id: userId, role }, commandContext(res), ifMatchRevision(req)));
  });

  router.put('/v1/products/:id/unpublish', ...sellerOrAdmin, async (req, res) => {
    const { userId, role } = authOf(res);
    sendCommandResult(res, await service.unpublish(pathParam(req, 'id'), { id: userId, role }, commandContext(res), ifMatchRevision(req)));
  });

  router.delete('/v1/products/:id', ...sellerOrAdmin, async (req, res) => {
    const { userId, role } = authOf(res);
    const productId = pathParam(req, 'id');
    if (role === 'admin') {
      const reason = typeof req.query['reason'] === 'string' ? req.query['reason'].trim() : '';
      if (reason === '') {
        throw new ValidationError('An admin removing a product must say why in ?reason=: its seller is shown the reason and needs it to put things right.', { field: 'reason' });
      }
      sendCommandResult(res, await service.remove(productId, userId, reason, commandContext(res), ifMatchRevision(req)));
      return;
    }
    sendCommandResult(res, await service.archive(productId, { id: userId, role }, commandContext(res), ifMatchRevision(req)));
  });
}
