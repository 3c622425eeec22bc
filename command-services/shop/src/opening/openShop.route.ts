/** POST /v1/shops: an approved seller opens a shop. */
import { authOf, authenticate, idempotency, requireApprovedSeller, sendCommandResult, type Database, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { ShopService } from '../shopService';
import type { ShopDetailsInput } from '../shopDetails/shopDetails';
import { commandContext } from '@bdbazar/shared-kernel';

export function openShopRoutes(router: Router, deps: { service: ShopService; verifier: TokenVerifier; db: Database; schema: string }): void {
  const { service } = deps;

  router.post('/v1/shops', authenticate(deps.verifier), requireApprovedSeller(), idempotency({ db: deps.db, schema: deps.schema }), async (req, res) => {
    const result = await service.openShop(authOf(res).userId, req.body as ShopDetailsInput, commandContext(res));
    res.location(`/v1/shops/${result.id}`);
    sendCommandResult(res, result, 201);
  });
}
