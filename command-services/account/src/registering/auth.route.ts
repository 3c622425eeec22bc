/** POST /v1/auth/register, /login, /refresh, /logout: the open doors of the marketplace. */
import { idempotency, sendCommandResult, type Database } from '@bdbazar/shared-kernel';
import type { Router } from 'express';
import type { AccountService } from '../accountService';
import { commandContext } from '@bdbazar/shared-kernel';
import type { Role } from '../account';

export function authRoutes(router: Router, deps: { service: AccountService; db: Database; schema: string }): void {
  const { service } = deps;

  router.post('/v1/auth/register', idempotency({ db: deps.db, schema: deps.schema }), async (req, res) => {
    const body = req.body as { email: string; password: string; name: string; phone?: string; role: Exclude<Role, 'admin'> };
    const result = await service.register(body, commandContext(res));
    res.location(`/v1/users/${result.id}`);
    sendCommandResult(res, result, 201);
  });

  router.post('/v1/auth/login', async (req, res) => {
    const { email, password } = req.body as { email: string; password: string };
    res.json(await service.login({ email, password, ip: req.ip ?? 'unknown' }, commandContext(res)));
  });

  router.post('/v1/auth/refresh', async (req, res) => {
    res.json(await service.refresh((req.body as { refreshToken: string }).refreshToken, commandContext(res)));
  });

  router.post('/v1/auth/logout', async (req, res) => {
    await service.logout((req.body as { refreshToken: string }).refreshToken, commandContext(res));
    res.status(204).end();
  });
}
