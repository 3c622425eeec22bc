/** The buyer's cart under /v1/cart: read it with today's prices and stock, add, change, remove, clear. */
import { authOf, authenticate, commandContext, etagOf, pathParam, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { OrderService } from '../orderService';
import { cartView } from './cartView';

export function cartRoutes(router: Router, deps: { service: OrderService; verifier: TokenVerifier }): void {
  const { service } = deps;
  const buyer = [authenticate(deps.verifier), requireRole('buyer')];

  router.get('/v1/cart', ...buyer, async (_req, res) => {
    const { userId } = authOf(res);
    const { items, revision, variants } = await service.viewCart(userId);
    if (revision !== 'no_stream') res.set('ETag', etagOf(revision));
    res.json(cartView(userId, items, variants));
  });

  router.post('/v1/cart/items', ...buyer, async (req, res) => {
    const { userId } = authOf(res);
    const { productId, sku, quantity } = req.body as { productId: string; sku: string; quantity?: number };
    const result = await service.addCartItem(userId, { productId, sku, quantity: quantity ?? 1 }, commandContext(res));
    res.location(`/v1/cart/items/${result.itemId}`);
    res.status(201).set('ETag', etagOf(result.revision)).json({ id: result.id, revision: result.revision, position: result.position, itemId: result.itemId });
  });

  router.put('/v1/cart/items/:itemId', ...buyer, async (req, res) => {
    const { userId } = authOf(res);
    const { quantity } = req.body as { quantity: number };
    sendCommandResult(res, await service.changeCartItemQuantity(userId, pathParam(req, 'itemId'), quantity, commandContext(res)));
  });

  router.delete('/v1/cart/items/:itemId', ...buyer, async (req, res) => {
    const { userId } = authOf(res);
    sendCommandResult(res, await service.removeCartItem(userId, pathParam(req, 'itemId'), commandContext(res)));
  });

  router.delete('/v1/cart', ...buyer, async (_req, res) => {
    const { userId } = authOf(res);
    const result = await service.clearCart(userId, commandContext(res));
    // A cart never used has nothing to clear and no revision to answer.
    if (result.revision < 0) res.status(204).end();
    else sendCommandResult(res, result);
  });
}
