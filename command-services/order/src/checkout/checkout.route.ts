/**
 * POST /v1/orders: the buyer checks out their cart (or the lines sent) to an address of their
 * address book with a payment method. The Idempotency-Key header is required: the same key
 * answers the same checkout again (Idempotent-Replayed: true), so a double click never orders twice.
 */
import { authOf, authenticate, commandContext, requireRole, ValidationError, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { CheckoutInput, OrderService } from '../orderService';

export function checkoutRoutes(router: Router, deps: { service: OrderService; verifier: TokenVerifier }): void {
  const { service } = deps;

  router.post('/v1/orders', authenticate(deps.verifier), requireRole('buyer'), async (req, res) => {
    const { userId } = authOf(res);
    const key = req.get('Idempotency-Key');
    if (key === undefined) {
      throw new ValidationError('A checkout needs an Idempotency-Key header (a new random UUID per checkout), so that sending it twice never orders twice.', {
        header: 'Idempotency-Key',
      });
    }
    const answer = await service.checkout(userId, req.body as CheckoutInput, key, commandContext(res));
    const { placed } = answer;
    res.location(`/v1/checkouts/${answer.checkoutId}`);
    if (answer.replayed) res.set('Idempotent-Replayed', 'true');
    res.status(201).set('ETag', '"0"').json({
      id: answer.checkoutId,
      revision: 0,
      position: answer.position,
      checkoutId: answer.checkoutId,
      paymentMethod: placed.paymentMethod,
      paymentDueBy: placed.paymentDueBy,
      orders: placed.orders.map((o) => ({
        orderId: o.orderId,
        shopId: o.shopId,
        shopName: o.shopName,
        lines: o.lines.map(({ productId, sku, title, quantity, unitPrice, lineTotal }) => ({ productId, sku, title, quantity, unitPrice, lineTotal })),
        itemsTotal: o.itemsTotal,
        shippingFee: o.shippingFee,
        total: o.total,
      })),
      itemsTotal: placed.itemsTotal,
      shippingFee: placed.shippingFee,
      total: placed.total,
      placedAt: placed.placedAt,
    });
  });
}
