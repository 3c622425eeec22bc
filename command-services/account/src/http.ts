/** What every account route needs from a request: who acts, and under which correlation. */
import { maybeAuthOf, requestContext, ForbiddenError, type CommandContext } from '@bdbazar/shared-kernel';
import type { Request, Response } from 'express';

export function commandContext(res: Response): CommandContext {
  const { requestId, correlationId } = requestContext(res);
  const auth = maybeAuthOf(res);
  return { correlationId, causationId: requestId, actor: auth ? { id: auth.userId, role: auth.role } : { id: 'anonymous', role: 'system' } };
}

/** The caller acts on their own account (admins pass requireSelfOrAdmin, not this). */
export function requireSelf(res: Response, accountId: string, what: string): void {
  const auth = maybeAuthOf(res);
  if (!auth || auth.userId !== accountId) throw new ForbiddenError(`Only the account's owner can ${what}.`);
}

/** A path parameter the route declares (OpenAPI has checked its format already). */
export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw new Error(`The route has no path parameter '${name}'.`);
  return value;
}
