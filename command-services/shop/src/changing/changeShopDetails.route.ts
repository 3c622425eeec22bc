/** PUT /v1/shops/{id}: the owner (or an admin) replaces a shop's details; If-Match is honoured. */
import { authOf, authenticate, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { ShopService } from '../shopService';
import type { ShopDetailsInput } from '../shopDetails/shopDetails';
import { commandContext, ifMatchRevision as ifMatch, pathParam } from '@bdbazar/shared-kernel';

export function changeShopDetailsRoutes(router: Router, deps: { service: ShopService; verifier: TokenVerifier }): void {
  const { service } = deps;

  // Whether this seller owns this shop is the decider's to say: it has the shop.
  router.put('/v1/shops/:id', authenticate(deps.verifier), requireRole('seller', 'admin'), async (req, res) => {
    const { userId, role } = authOf(res);
    sendCommandResult(res, await service.changeDetails(pathParam(req, 'id'), { id: userId, role }, req.body as ShopDetailsInput, commandContext(res), ifMatch(req)));
  });
}
