/**
 * One structured log line per request (pino-http), carrying the request and correlation ids.
 * Headers and bodies are never logged: they hold tokens, passwords and personal data.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logging';
import { requestContext } from './requestContext';
import { PROBE_PATHS } from './probes';

export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    customProps: (_req: IncomingMessage, res: ServerResponse) => ({
      correlationId: requestContext(res as Response).correlationId,
    }),
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    // Orchestrators probe every few seconds; those lines would drown the rest.
    autoLogging: { ignore: (req) => PROBE_PATHS.has(req.url ?? '') },
  }) as unknown as RequestHandler;
}
