/** The address book under /v1/users/{id}/addresses: the user's own (or any, as admin). */
import { authenticate, expectedRevisionFromIfMatch, idempotency, requireSelfOrAdmin, sendCommandResult, type Database, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { Address } from '../account';
import type { AccountService } from '../accountService';
import { commandContext, pathParam } from '@bdbazar/shared-kernel';

type AddressBody = Omit<Address, 'addressId' | 'area' | 'line2' | 'postcode'> & Partial<Pick<Address, 'area' | 'line2' | 'postcode'>>;

export function addressBookRoutes(router: Router, deps: { service: AccountService; verifier: TokenVerifier; db: Database; schema: string }): void {
  const { service } = deps;
  const owner = [authenticate(deps.verifier), requireSelfOrAdmin('id')];
  const ifMatch = (req: Parameters<typeof expectedRevisionFromIfMatch>[0]) => {
    const expected = expectedRevisionFromIfMatch(req);
    return expected === 'stream_exists' ? undefined : expected;
  };

  router.post('/v1/users/:id/addresses', ...owner, idempotency({ db: deps.db, schema: deps.schema }), async (req, res) => {
    const id = pathParam(req, 'id');
    const result = await service.addAddress(id, req.body as AddressBody & { makeDefault?: boolean }, commandContext(res));
    res.location(`/v1/users/${id}/addresses/${result.addressId}`);
    sendCommandResult(res, result, 201);
  });

  router.put('/v1/users/:id/addresses/:addressId', ...owner, async (req, res) => {
    sendCommandResult(res, await service.changeAddress(pathParam(req, 'id'), pathParam(req, 'addressId'), req.body as AddressBody, commandContext(res), ifMatch(req)));
  });

  router.delete('/v1/users/:id/addresses/:addressId', ...owner, async (req, res) => {
    sendCommandResult(res, await service.removeAddress(pathParam(req, 'id'), pathParam(req, 'addressId'), commandContext(res), ifMatch(req)));
  });

  router.put('/v1/users/:id/default-address', ...owner, async (req, res) => {
    sendCommandResult(res, await service.chooseDefaultAddress(pathParam(req, 'id'), (req.body as { addressId: string }).addressId, commandContext(res)));
  });
}
