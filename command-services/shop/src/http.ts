/** What every shop route needs from a request: who acts, under which correlation, on which shop. */
import { expectedRevisionFromIfMatch, maybeAuthOf, requestContext, type CommandContext } from '@bdbazar/shared-kernel';
import type { Request, Response } from 'express';

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
export function ifMatch(req: Request): number | undefined {
  const expected = expectedRevisionFromIfMatch(req);
  return expected === 'stream_exists' ? undefined : expected;
}
