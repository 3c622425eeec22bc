/** Admin actions: approve a seller, block and unblock, delete. */
import { authOf, authenticate, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { AccountService } from '../accountService';
import { commandContext, pathParam } from '@bdbazar/shared-kernel';

export function adminRoutes(router: Router, deps: { service: AccountService; verifier: TokenVerifier }): void {
  const { service } = deps;
  const admin = [authenticate(deps.verifier), requireRole('admin')];

  router.put('/v1/vendors/:id/approve', ...admin, async (req, res) => {
    sendCommandResult(res, await service.approveSeller(pathParam(req, 'id'), authOf(res).userId, commandContext(res)));
  });
  router.put('/v1/admin/users/:id/block', ...admin, async (req, res) => {
    sendCommandResult(res, await service.blockAccount(pathParam(req, 'id'), authOf(res).userId, (req.body as { reason: string }).reason.trim(), commandContext(res)));
  });
  router.put('/v1/admin/users/:id/unblock', ...admin, async (req, res) => {
    sendCommandResult(res, await service.unblockAccount(pathParam(req, 'id'), authOf(res).userId, commandContext(res)));
  });
  router.delete('/v1/admin/users/:id', ...admin, async (req, res) => {
    sendCommandResult(res, await service.deleteAccount(pathParam(req, 'id'), authOf(res).userId, commandContext(res)));
  });
}
