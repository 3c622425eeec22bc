/**
 * Reviews: a buyer writes (or rewrites) their review of a product, its seller replies, an admin
 * hides or shows one. Reading them is the query API's.
 */
import { authOf, authenticate, commandContext, pathParam, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { ReviewService } from './reviewService';

export function reviewRoutes(router: Router, deps: { reviews: ReviewService; verifier: TokenVerifier }): void {
  const { reviews } = deps;
  const signedIn = authenticate(deps.verifier);

  router.post('/v1/products/:productId/reviews', signedIn, requireRole('buyer'), async (req, res) => {
    const productId = pathParam(req, 'productId');
    const result = await reviews.write(productId, authOf(res).userId, req.body as { rating: number; text?: string | null }, commandContext(res));
    res.location(`/v1/products/${productId}/reviews#${result.id}`);
    // 201 for a new review, 200 for a buyer's rewrite of theirs.
    sendCommandResult(res, result, result.created ? 201 : 200);
  });

  router.put('/v1/products/:productId/reviews/:reviewId/reply', signedIn, requireRole('seller', 'admin'), async (req, res) => {
    const { userId, role } = authOf(res);
    sendCommandResult(res, await reviews.reply(pathParam(req, 'productId'), pathParam(req, 'reviewId'), { id: userId, role }, (req.body as { reply: string }).reply, commandContext(res)));
  });

  router.put('/v1/admin/reviews/:reviewId/hide', signedIn, requireRole('admin'), async (req, res) => {
    sendCommandResult(res, await reviews.hide(pathParam(req, 'reviewId'), authOf(res).userId, (req.body as { reason: string }).reason, commandContext(res)));
  });

  router.put('/v1/admin/reviews/:reviewId/show', signedIn, requireRole('admin'), async (req, res) => {
    sendCommandResult(res, await reviews.show(pathParam(req, 'reviewId'), authOf(res).userId, commandContext(res)));
  });
}
