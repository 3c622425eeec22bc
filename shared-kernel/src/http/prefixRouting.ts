import type { RequestHandler, Router } from 'express';

/**
 * The first two segments of a path ('/v1/users/abc' → '/v1/users'), lowercased, as a key that
 * narrows what a request can match: a request can only match a route whose own first two segments
 * are the same literal words. Routes are matched case-insensitively by default, so the key is
 * lowercase; where routing is case-sensitive, a request that differs only in case finds the same
 * candidates and then fails their own matching, as it would have.
 */
export function pathPrefixOf(path: string): string {
  const second = path.indexOf('/', 1);
  const third = second < 0 ? -1 : path.indexOf('/', second + 1);
  const prefix = third < 0 ? path : path.slice(0, third);
  // Routing is not strict: '/health/' reaches the route '/health'.
  return (prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix).toLowerCase();
}

/**
 * The prefix key of a route template ('/v1/users/:id' or '/v1/users/{id}'), or null when either of
 * its first two segments is not a literal word (a parameter, a wildcard, a pattern), so that the
 * route could match requests of many prefixes.
 */
export function routePrefixOf(template: string): string | null {
  if (!template.startsWith('/')) return null;
  const segments = template.split('/', 3).slice(1);
  if (segments.some((segment) => !/^[A-Za-z0-9._~-]*$/.test(segment))) return null;
  return pathPrefixOf(template);
}

/**
 * Runs handlers one after the other, as `app.use(handlers)` would, but without a router of their
 * own: a router whose layers all pass a request on hands it to the next one only after a
 * `setImmediate`, a turn of the event loop per router on every request. As in Express 5, a
 * handler's rejected promise is passed on as an error.
 */
export function inSequence(handlers: readonly RequestHandler[]): RequestHandler {
  if (handlers.length === 1) return handlers[0]!;
  return (req, res, next) => {
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined && error !== null && error !== 'route') {
        next(error);
        return;
      }
      const handler = handlers[index++];
      if (handler === undefined) {
        next();
        return;
      }
      try {
        const returned = handler(req, res, step) as unknown;
        if (isThenable(returned)) returned.then(undefined, (reason: unknown) => next(reason ?? new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The service's routers, each consulted only for requests it could answer: a router made of
 * routes only (no `router.use`) is asked only for the prefixes of its routes' paths, the others
 * (and any router with a route whose prefix is not literal) for every request. A request is
 * handed from router to router in the given order, as when they are mounted one after another,
 * but it no longer passes through the routers that could not match it, each of which cost a
 * `setImmediate` and a look at every one of its routes.
 *
 * The routers' routes are read at the first request, when every route is in place.
 */
export function routersByPrefix(routers: readonly Router[]): RequestHandler {
  let index: { byPrefix: Map<string, RequestHandler>; anyPrefix: RequestHandler } | null = null;
  return (req, res, next) => {
    index ??= indexRouters(routers);
    const chosen = index.byPrefix.get(pathPrefixOf(req.path)) ?? index.anyPrefix;
    return chosen(req, res, next);
  };
}

function indexRouters(routers: readonly Router[]): { byPrefix: Map<string, RequestHandler>; anyPrefix: RequestHandler } {
  const prefixesOf = routers.map(routePrefixesOf);
  const known = new Set(prefixesOf.flatMap((prefixes) => (prefixes === null ? [] : [...prefixes])));
  const routersFor = (prefix: string | null): RequestHandler =>
    inSequence(routers.filter((_, i) => prefixesOf[i] === null || (prefix !== null && prefixesOf[i]!.has(prefix))));
  return { byPrefix: new Map([...known].map((prefix) => [prefix, routersFor(prefix)])), anyPrefix: routersFor(null) };
}

/** The prefixes of a router's routes, or null when it may answer requests of any prefix. */
function routePrefixesOf(router: Router): Set<string> | null {
  const prefixes = new Set<string>();
  for (const layer of router.stack as Array<{ route?: { path?: unknown } }>) {
    const path = layer.route?.path;
    if (typeof path !== 'string') return null;
    const prefix = routePrefixOf(path);
    if (prefix === null) return null;
    prefixes.add(prefix);
  }
  return prefixes;
}

/**
 * A handler consulted only for requests at one of `paths` or under it ('/docs' covers '/docs' and
 * '/docs/...'), compared without case as Express routes are; every other request passes by at once.
 */
export function onlyUnder(paths: readonly string[], handler: RequestHandler): RequestHandler {
  const roots = paths.map((path) => path.toLowerCase());
  return (req, res, next) => {
    const path = req.path.toLowerCase();
    if (roots.some((root) => path === root || path.startsWith(`${root}/`))) return handler(req, res, next);
    next();
  };
}
