/** A seller submits KYC (POST /v1/vendors/{id}/kyc); an admin approves or rejects it. */
import { authOf, authenticate, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { KycDocument } from '../account';
import type { AccountService } from '../accountService';
import { commandContext, pathParam } from '@bdbazar/shared-kernel';
import { requireSelf } from '../http';

export function kycRoutes(router: Router, deps: { service: AccountService; verifier: TokenVerifier }): void {
  const { service } = deps;
  const signedIn = authenticate(deps.verifier);

  router.post('/v1/vendors/:id/kyc', signedIn, requireRole('seller'), async (req, res) => {
    const id = pathParam(req, 'id');
    requireSelf(res, id, 'submit its KYC');
    sendCommandResult(res, await service.submitKyc(id, req.body as { nationalIdNumber: string; tradeLicenceNumber: string; documents: KycDocument[] }, commandContext(res)));
  });

  router.put('/v1/admin/kyc/:id/approve', signedIn, requireRole('admin'), async (req, res) => {
    sendCommandResult(res, await service.approveKyc(pathParam(req, 'id'), authOf(res).userId, commandContext(res)));
  });

  router.put('/v1/admin/kyc/:id/reject', signedIn, requireRole('admin'), async (req, res) => {
    sendCommandResult(res, await service.rejectKyc(pathParam(req, 'id'), authOf(res).userId, (req.body as { reason: string }).reason.trim(), commandContext(res)));
  });
}
