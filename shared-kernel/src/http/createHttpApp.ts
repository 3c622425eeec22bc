/**
 * The Express 5 app every service runs: ids, logs, JSON bodies, docs, probes, OpenAPI
 * validation, the service's routes, and problem+json for every error, in that order.
 */
import express, { type Express, type Router } from 'express';
import type { Logger } from '../logging';
import { API_DOCS_PATHS, apiDocs } from './apiDocs';
import { problemErrorHandler, unknownRoute } from './errorHandler';
import { attachLifecycle, closeConnectionsWhileDraining } from './lifecycle';
import { openApiValidation, type OpenApiDocument, type OpenApiValidationOptions } from './openApi';
import { inSequence, onlyUnder, routersByPrefix } from './prefixRouting';
import { probes, type ReadinessCheck } from './probes';
import { requestIds } from './requestContext';
import { requestLogging } from './requestLogging';

export interface HttpAppSettings {
  /** The service's name, on every log line. */
  name: string;
  openApi: OpenApiDocument;
  logger: Logger;
  /** The largest JSON body accepted (bytes or a string such as '100kb'). */
  bodyLimit?: string | number;
  /** Larger limits for the few routes that take many items at once (an import), by path. */
  bodyLimits?: Readonly<Record<string, string | number>>;
  /** Checks every JSON response against the document; on in tests, off in production (it costs). */
  validateResponses?: boolean;
  readiness?: ReadinessCheck;
  validateSecurity?: OpenApiValidationOptions['validateSecurity'];
}

/** Installs the service's routes on the app. */
export type RoutesInstaller = (app: Express) => void;

export interface HttpAppOptions extends HttpAppSettings {
  /**
   * The service's routes: installed on the app by a function, or routers mounted at the root in
   * order, each asked only for the paths its routes could match (routersByPrefix).
   */
  routes: RoutesInstaller | Router | readonly Router[];
}

const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

// Two overloads, because a router is callable too: with the plain union, TypeScript would not
// type the parameter of an inline `routes: (app) => ...`.
/** The app setting that says whether responses are validated against the OpenAPI document. */
export const VALIDATES_RESPONSES = 'bdbazar.validatesResponses';

export function createHttpApp(options: HttpAppSettings & { routes: RoutesInstaller }): Express;
export function createHttpApp(options: HttpAppSettings & { routes: Router | readonly Router[] }): Express;
export function createHttpApp(options: HttpAppOptions): Express;
export function createHttpApp(options: HttpAppOptions): Express {
  const logger = options.logger.child({ service: options.name });
  const app = express();
  app.disable('x-powered-by');
  const lifecycle = attachLifecycle(app);

  // One layer of the app's router, not seven: a router layer costs its bookkeeping and a few
  // closures on every request, and these run for every request in this order anyway.
  app.use(
    inSequence([
      requestIds(),
      requestLogging(logger),
      closeConnectionsWhileDraining(lifecycle),
      // A body read by the first parser whose path matches is finished for the next ones.
      ...Object.entries(options.bodyLimits ?? {}).map(([path, limit]) =>
        onlyUnder([path], express.json({ limit, type: JSON_MEDIA_TYPES, verify: refuseNulCharacters })),
      ),
      express.json({ limit: options.bodyLimit ?? '100kb', type: JSON_MEDIA_TYPES, verify: refuseNulCharacters }),
      // Before the validator: these paths are not in the service's document.
      onlyUnder(API_DOCS_PATHS, apiDocs(options.openApi)),
      routersByPrefix([probes(lifecycle, options.readiness, logger)]),
      openApiValidation(options.openApi, { validateResponses: options.validateResponses ?? false, validateSecurity: options.validateSecurity }),
    ]),
  );
  // Routes that send pre-serialized JSON (sendJson) send it through res.json where responses are validated.
  app.set(VALIDATES_RESPONSES, options.validateResponses ?? false);
  // In a router, req.params hold the path parameters as strings: the validator coerces them
  // (into req.openapi.pathParams) and writes them back through app.param, which reaches the
  // app's own routes only. Query parameters are coerced either way.
  const routers = routersOf(options.routes);
  if (routers) app.use(routersByPrefix(routers));
  else (options.routes as RoutesInstaller)(app);
  app.use(unknownRoute());
  app.use(problemErrorHandler(logger));
  return app;
}

/** The routers given, or null for an installer (a router is a function too: the one with a stack of layers). */
function routersOf(routes: HttpAppOptions['routes']): readonly Router[] | null {
  if (Array.isArray(routes)) return routes as readonly Router[];
  return 'stack' in routes ? [routes as Router] : null;
}

/** A JSON escape of U+0000 that is not itself escaped (preceded by an even number of backslashes). */
const NUL_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/**
 * PostgreSQL text and jsonb cannot hold U+0000, so a string that has it would fail deep in a
 * handler, as a 500. It is refused here, in one place, as the 400 it is. (JSON can only carry it
 * escaped; most bodies have no `\u0000` at all, which a byte search finds without decoding.)
 */
function refuseNulCharacters(_req: unknown, _res: unknown, body: Buffer): void {
  if (body.indexOf('\\u0000') === -1 || !NUL_ESCAPE.test(body.toString('utf8'))) return;
  throw Object.assign(new Error('Text in the request body may not contain the NUL character (\\u0000); remove it and send the request again.'), {
    status: 400,
    type: 'entity.nul.character',
  });
}
