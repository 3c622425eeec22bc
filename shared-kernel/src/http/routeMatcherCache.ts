/**
 * express-openapi-validator 5.6 compiles a path-to-regexp matcher for every documented path on
 * every request (its `lookupRoute`), so a request costs more as the API grows: 14% of a profile
 * read's CPU here, measured by bench:http. Upstream caches them
 * (cdimascio/express-openapi-validator#1217), not yet released. Until it is, the compile the
 * validator calls is memoised: `pathToRegexp` is pure, and the regexps it makes are not global, so
 * a cached one matches exactly as a fresh one does. Remove this once the validator caches itself.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

type PathToRegexp = (path: unknown, options?: Record<string, unknown>) => unknown;
interface PathToRegexpModule {
  pathToRegexp: PathToRegexp;
  [CACHED]?: true;
}

const CACHED = Symbol.for('bdbazar.pathToRegexp.cached');
const MAX_ENTRIES = 10_000;

/** The path-to-regexp module the validator itself loads. */
export function validatorsPathToRegexp(): PathToRegexpModule {
  const local = createRequire(__filename);
  const validatorDir = dirname(local.resolve('express-openapi-validator'));
  return local(local.resolve('path-to-regexp', { paths: [validatorDir] })) as PathToRegexpModule;
}

/** Memoises the validator's route compiles; once per module, safe to call again. */
export function cacheRouteMatchers(target: PathToRegexpModule = validatorsPathToRegexp()): void {
  if (target[CACHED]) return;
  const compile = target.pathToRegexp;
  const cache = new Map<string, unknown>();
  target.pathToRegexp = (path, options) => {
    if (typeof path !== 'string') return compile(path, options);
    const key = `${path}\u0000${JSON.stringify(options ?? {})}`;
    let compiled = cache.get(key);
    if (compiled === undefined) {
      compiled = compile(path, options);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(key, compiled);
    }
    return compiled;
  };
  target[CACHED] = true;
}
