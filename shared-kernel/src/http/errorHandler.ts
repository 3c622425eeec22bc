/**
 * The last middleware of every app: whatever went wrong, the client gets a problem+json answer.
 * Express 5 sends thrown errors and rejected promises of handlers here.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logging';
import { HttpProblemError } from './httpErrors';
import { toProblem } from './problemMapping';
import { writeProblem } from './problems';
import { requestContext } from './requestContext';

export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const log = req.log ?? logger;
    if (res.headersSent) {
      // Too late for a problem: Express's final handler cuts the connection so the client sees a failure.
      log.error({ err: error }, 'error after the response had started');
      next(error);
      return;
    }
    const requestId = res.locals['requestContext'] ? requestContext(res).requestId : String(req.id ?? 'unknown');
    const { problem, headers, unexpected } = toProblem(error, { instance: req.originalUrl, requestId, method: req.method, contentType: req.get('Content-Type') });
    if (unexpected) log.error({ err: error }, 'unexpected error while handling a request');
    writeProblem(res, problem, headers);
  };
}

/** After every route: nothing matched. */
export function unknownRoute(): RequestHandler {
  return (req) => {
    throw new HttpProblemError({
      status: 404,
      code: 'route_not_found',
      title: 'Not found',
      detail: `No route matches ${req.method} ${req.originalUrl}.`,
    });
  };
}
