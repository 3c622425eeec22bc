/**
 * A variant's stock: PUT .../stock sets what is on hand (a count), POST .../stock-adjustments
 * moves it by a signed amount (received, damaged, lost). Both need a reason, kept in the history.
 */
import { authOf, authenticate, commandContext, ifMatchRevision, pathParam, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { ProductService } from '../productService';

export function stockRoutes(router: Router, deps: { service: ProductService; verifier: TokenVerifier }): void {
  const { service } = deps;
  const sellerOrAdmin = [authenticate(deps.verifier), requireRole('seller', 'admin')];

  router.put('/v1/products/:id/variants/:sku/stock', ...sellerOrAdmin, async (req, res) => {
    const { userId, role } = authOf(res);
    const { quantity, reason } = req.body as { quantity: number; reason: string };
    sendCommandResult(res, await service.setStock(pathParam(req, 'id'), { id: userId, role }, pathParam(req, 'sku'), quantity, reason, commandContext(res), ifMatchRevision(req)));
  });

  router.post('/v1/products/:id/variants/:sku/stock-adjustments', ...sellerOrAdmin, async (req, res) => {
    const { userId, role } = authOf(res);
    const { change, reason } = req.body as { change: number; reason: string };
    sendCommandResult(res, await service.adjustStock(pathParam(req, 'id'), { id: userId, role }, pathParam(req, 'sku'), change, reason, commandContext(res), ifMatchRevision(req)));
  });
}
