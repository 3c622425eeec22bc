/**
 * Request and correlation ids. The request id names one HTTP exchange (logs, problem bodies); the
 * correlation id follows a whole conversation across services, so commands put it into the
 * metadata of the events they append. A caller may send either; we echo both.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';
export const CORRELATION_ID_HEADER = 'X-Correlation-Id';

export interface RequestContext {
  readonly requestId: string;
  readonly correlationId: string;
}

/** An id from outside ends up in logs and headers: anything long or unprintable is replaced. */
const ACCEPTABLE_ID = /^[\x21-\x7e]{1,200}$/;

export function requestIds(): RequestHandler {
  return (req, res, next) => {
    const requestId = acceptable(req.get(REQUEST_ID_HEADER)) ?? randomUUID();
    const correlationId = acceptable(req.get(CORRELATION_ID_HEADER)) ?? requestId;
    const context: RequestContext = { requestId, correlationId };
    res.locals['requestContext'] = context;
    // for the request log line and req.log (see requestLogging.ts)
    req.id = requestId;
    res.set(REQUEST_ID_HEADER, requestId);
    res.set(CORRELATION_ID_HEADER, correlationId);
    next();
  };
}

/** The ids of the current request, for logs and for the metadata of the events a command appends. */
export function requestContext(res: Response): RequestContext {
  const context = res.locals['requestContext'] as RequestContext | undefined;
  if (!context) throw new Error('This response has no request context: build the app with createHttpApp.');
  return context;
}

function acceptable(value: string | undefined): string | undefined {
  return value !== undefined && ACCEPTABLE_ID.test(value) ? value : undefined;
}
