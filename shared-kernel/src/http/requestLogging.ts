/**
 * One structured log line per request, carrying the request and correlation ids, and `req.log`,
 * the service's logger bound to them. Headers and bodies are never logged: they hold tokens,
 * passwords and personal data.
 *
 * Written on pino directly rather than with pino-http, which made two child loggers for every
 * request, serialising their bindings up front, whether or not anything was logged: about a tenth
 * of the CPU of a cached catalogue search (bench:catalog's profile). Here `req.log` is made the
 * first time something uses it, and the completion line only when its level is enabled. The line
 * is the one pino-http wrote: `req`, `correlationId`, `res`, `responseTime`, 'request completed'
 * (or 'request errored' at 5xx).
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logging';
import { PROBE_PATHS } from './probes';
import { requestContext } from './requestContext';

declare module 'http' {
  interface IncomingMessage {
    /** The request id (see requestContext.ts). */
    id?: string;
    /** The service's logger bound to this request and its correlation id. */
    log?: Logger;
  }
}

export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    let bound: Logger | undefined;
    const log = (): Logger => (bound ??= logger.child({ req: requestFields(req), correlationId: requestContext(res).correlationId }));
    Object.defineProperty(req, 'log', { configurable: true, enumerable: false, get: log });

    // Orchestrators probe every few seconds; those lines would drown the rest.
    if (!PROBE_PATHS.has(req.url)) {
      const done = (): void => {
        res.off('finish', done);
        res.off('close', done);
        const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
        if (!logger.isLevelEnabled(level)) return;
        const responseTime = Math.round(performance.now() - startedAt);
        log()[level]({ res: { statusCode: res.statusCode }, responseTime }, res.statusCode >= 500 ? 'request errored' : 'request completed');
      };
      res.on('finish', done);
      res.on('close', done);
    }
    next();
  };
}

function requestFields(req: IncomingMessage & { originalUrl?: string }): Record<string, unknown> {
  return { id: req.id, method: req.method, url: req.originalUrl ?? req.url, remoteAddress: req.socket?.remoteAddress };
}
