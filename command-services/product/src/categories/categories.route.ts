/** The admin's category tree: create, rename (and re-slug), move, retire. Reads are the query API's. */
import { authOf, authenticate, commandContext, pathParam, requireRole, sendCommandResult, type TokenVerifier } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { CategoryService } from './categoryService';

export function categoryRoutes(router: Router, deps: { categories: CategoryService; verifier: TokenVerifier }): void {
  const { categories } = deps;
  const admin = [authenticate(deps.verifier), requireRole('admin')];

  router.post('/v1/admin/categories', ...admin, async (req, res) => {
    const result = await categories.create(authOf(res).userId, req.body as { name: string; slug?: string | null; parentId?: string | null }, commandContext(res));
    res.location(`/v1/categories#${result.id}`);
    sendCommandResult(res, result, 201);
  });

  router.put('/v1/admin/categories/:id', ...admin, async (req, res) => {
    sendCommandResult(res, await categories.rename(pathParam(req, 'id'), authOf(res).userId, req.body as { name: string; slug?: string | null }, commandContext(res)));
  });

  router.put('/v1/admin/categories/:id/move', ...admin, async (req, res) => {
    sendCommandResult(res, await categories.move(pathParam(req, 'id'), authOf(res).userId, (req.body as { parentId: string | null }).parentId, commandContext(res)));
  });

  router.put('/v1/admin/categories/:id/retire', ...admin, async (req, res) => {
    sendCommandResult(res, await categories.retire(pathParam(req, 'id'), authOf(res).userId, commandContext(res)));
  });
}
