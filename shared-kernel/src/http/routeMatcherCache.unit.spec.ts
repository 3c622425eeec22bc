import { pathToRegexp } from 'path-to-regexp';
import { cacheRouteMatchers, validatorsPathToRegexp } from './routeMatcherCache';

describe('caching the validator\'s route matchers', () => {
  it('compiles a route once per set of options and matches as a fresh compile does', () => {
    let compiles = 0;
    const target = {
      pathToRegexp: (path: unknown, options?: Record<string, unknown>) => {
        compiles++;
        return pathToRegexp(path as string, options);
      },
    };
    cacheRouteMatchers(target);
    cacheRouteMatchers(target); // a second call wraps nothing twice

    type Compiled = { regexp: RegExp; keys: Array<{ name: string }> };
    const first = target.pathToRegexp('/v1/users/:id/addresses/:addressId', { sensitive: false, strict: false }) as Compiled;
    const again = target.pathToRegexp('/v1/users/:id/addresses/:addressId', { sensitive: false, strict: false }) as Compiled;
    const sensitive = target.pathToRegexp('/v1/users/:id/addresses/:addressId', { sensitive: true, strict: false }) as Compiled;

    expect(again).toBe(first);
    expect(sensitive).not.toBe(first);
    expect(compiles).toBe(2);
    expect(first.keys.map((k) => k.name)).toEqual(['id', 'addressId']);
    expect(first.regexp.exec('/v1/users/u-1/addresses/a-2')?.slice(1)).toEqual(['u-1', 'a-2']);
    expect(first.regexp.exec('/v1/users/u-1/addresses/a-2')?.slice(1)).toEqual(['u-1', 'a-2']); // no lastIndex state
    expect(sensitive.regexp.exec('/V1/users/u-1/addresses/a-2')).toBeNull();
    expect(first.regexp.exec('/V1/users/u-1/addresses/a-2')).not.toBeNull();
  });

  it('patches the very module the validator loads', () => {
    const module = validatorsPathToRegexp();
    cacheRouteMatchers(module);
    const a = module.pathToRegexp('/v1/shops/:id', {});
    expect(module.pathToRegexp('/v1/shops/:id', {})).toBe(a);
  });
});
