/**
 * PUT /v1/orders/{id}/status: the legal moves by hand (see orderDecider.ts): an admin confirms a
 * payment verified by hand; the shop's seller (or an admin) ships and delivers; the buyer, the
 * seller or an admin cancels before shipment. If-Match is honoured.
 */
import { authOf, authenticate, commandContext, ifMatchRevision, pathParam, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { OrderService } from '../orderService';

export function changeOrderStatusRoutes(router: Router, deps: { service: OrderService; verifier: TokenVerifier }): void {
  router.put('/v1/orders/:id/status', authenticate(deps.verifier), requireRole('buyer', 'seller', 'admin'), async (req, res) => {
    const { userId, role } = authOf(res);
    const { status, reason, note } = req.body as { status: string; reason?: string | null; note?: string | null };
    const result = await deps.service.changeOrderStatus(pathParam(req, 'id'), { id: userId, role }, { status, reason, note }, commandContext(res), ifMatchRevision(req));
    sendCommandResult(res, result);
  });
}
