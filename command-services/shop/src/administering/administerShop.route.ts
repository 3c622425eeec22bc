/** Admin decisions on a shop: approve, suspend with a reason, reinstate. */
import { authOf, authenticate, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { ShopService } from '../shopService';
import { commandContext, pathParam } from '@bdbazar/shared-kernel';

export function administerShopRoutes(router: Router, deps: { service: ShopService; verifier: TokenVerifier }): void {
  const { service } = deps;
  const admin = [authenticate(deps.verifier), requireRole('admin')];

  router.put('/v1/admin/shops/:id/approve', ...admin, async (req, res) => {
    sendCommandResult(res, await service.approve(pathParam(req, 'id'), authOf(res).userId, commandContext(res)));
  });
  router.put('/v1/admin/shops/:id/suspend', ...admin, async (req, res) => {
    sendCommandResult(res, await service.suspend(pathParam(req, 'id'), authOf(res).userId, (req.body as { reason: string }).reason, commandContext(res)));
  });
  router.put('/v1/admin/shops/:id/reinstate', ...admin, async (req, res) => {
    sendCommandResult(res, await service.reinstate(pathParam(req, 'id'), authOf(res).userId, commandContext(res)));
  });
}
