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
  // By path, then by options compared key by key: called once per documented path per request,
  // so no key is built (a JSON key per call cost as much as the compile saved).
  const byPath = new Map<string, Array<{ options: Record<string, unknown> | undefined; compiled: unknown }>>();
  let entries = 0;
  target.pathToRegexp = (path, options) => {
    if (typeof path !== 'string') return compile(path, options);
    let compiles = byPath.get(path);
    if (compiles !== undefined) {
      for (const known of compiles) if (sameOptions(known.options, options)) return known.compiled;
    }
    const compiled = compile(path, options);
    if (entries >= MAX_ENTRIES) {
      byPath.clear();
      entries = 0;
      compiles = undefined;
    }
    if (compiles === undefined) byPath.set(path, (compiles = []));
    compiles.push({ options: options === undefined ? undefined : { ...options }, compiled });
    entries += 1;
    return compiled;
  };
  target[CACHED] = true;
}

function sameOptions(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  for (const name of names) if (!Object.is(a[name], b[name]) || !(name in b)) return false;
  return true;
}
