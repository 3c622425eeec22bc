/** What every command route needs from a request: who acts, under which correlation, on what. */
import type { Request, Response } from 'express';
import { maybeAuthOf } from '../auth/middleware';
import type { CommandContext } from '../decider/envelope';
import { expectedRevisionFromIfMatch } from './commands';
import { requestContext } from './requestContext';

/** The context a command's events carry: the request's correlation, the request as cause, the token's user as actor. */
export function commandContext(res: Response): CommandContext {
  const { requestId, correlationId } = requestContext(res);
  const auth = maybeAuthOf(res);
  return { correlationId, causationId: requestId, actor: auth ? { id: auth.userId, role: auth.role } : { id: 'anonymous', role: 'system' } };
}

/** A path parameter the route declares (OpenAPI has checked its format already). */
export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw new Error(`The route has no path parameter '${name}'.`);
  return value;
}

/** The revision an If-Match names; `*` (any current revision) expects nothing in particular. */
export function ifMatchRevision(req: Request): number | undefined {
  const expected = expectedRevisionFromIfMatch(req);
  return expected === 'stream_exists' ? undefined : expected;
}
