/** PUT /v1/users/{id} and /v1/users/{id}/password: one's own profile (an admin may change any profile). */
import { authenticate, expectedRevisionFromIfMatch, requireSelfOrAdmin, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { AccountService } from '../accountService';
import { commandContext, pathParam } from '@bdbazar/shared-kernel';
import { requireSelf } from '../http';

export function profileRoutes(router: Router, deps: { service: AccountService; verifier: TokenVerifier }): void {
  const { service } = deps;
  const signedIn = authenticate(deps.verifier);

  router.put('/v1/users/:id', signedIn, requireSelfOrAdmin('id'), async (req, res) => {
    const { name, phone } = req.body as { name: string; phone?: string | null };
    const expected = expectedRevisionFromIfMatch(req);
    sendCommandResult(res, await service.updateProfile(pathParam(req, 'id'), { name, phone: phone ?? null }, commandContext(res), expected === 'stream_exists' ? undefined : expected));
  });

  router.put('/v1/users/:id/password', signedIn, async (req, res) => {
    const id = pathParam(req, 'id');
    requireSelf(res, id, 'change its password');
    sendCommandResult(res, await service.changePassword(id, req.body as { currentPassword: string; newPassword: string }, commandContext(res)));
  });
}
