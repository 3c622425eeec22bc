import express, { Router, type RequestHandler } from 'express';
import request from 'supertest';
import { inSequence, onlyUnder, pathPrefixOf, routePrefixOf, routersByPrefix } from './prefixRouting';

describe('path prefixes', () => {
  it('are the first two segments of a path, lowercased', () => {
    expect(pathPrefixOf('/v1/users/abc/addresses')).toBe('/v1/users');
    expect(pathPrefixOf('/V1/Users/abc')).toBe('/v1/users');
    expect(pathPrefixOf('/v1/users')).toBe('/v1/users');
    expect(pathPrefixOf('/v1/users/')).toBe('/v1/users');
    expect(pathPrefixOf('/health')).toBe('/health');
    expect(pathPrefixOf('/health/')).toBe('/health');
    expect(pathPrefixOf('/v1/')).toBe('/v1');
    expect(pathPrefixOf('/')).toBe('/');
  });

  it('of a route exist only when both segments are literal words', () => {
    expect(routePrefixOf('/v1/users/:id')).toBe('/v1/users');
    expect(routePrefixOf('/v1/users/{id}/addresses')).toBe('/v1/users');
    expect(routePrefixOf('/v1/Shops')).toBe('/v1/shops');
    expect(routePrefixOf('/health')).toBe('/health');
    expect(routePrefixOf('/v1/:kind/:id')).toBeNull();
    expect(routePrefixOf('/v1/{kind}')).toBeNull();
    expect(routePrefixOf('/v1/*rest')).toBeNull();
    expect(routePrefixOf('/:version/users')).toBeNull();
    expect(routePrefixOf('v1/users')).toBeNull();
  });
});

describe('handlers in sequence', () => {
  const app = (handlers: RequestHandler[]) => {
    const application = express();
    application.use(inSequence(handlers));
    application.use((_req, res) => {
      res.json({ reached: 'the end', seen: res.locals['seen'] ?? [] });
    });
    application.use(((error, _req, res, _next) => {
      res.status(500).json({ error: (error as Error).message, seen: res.locals['seen'] ?? [] });
    }) as express.ErrorRequestHandler);
    return application;
  };
  const mark =
    (name: string): RequestHandler =>
    (_req, res, next) => {
      res.locals['seen'] = [...((res.locals['seen'] as string[] | undefined) ?? []), name];
      next();
    };

  it('run in order, then hand the request on', async () => {
    const res = await request(app([mark('a'), mark('b'), mark('c')])).get('/');
    expect(res.body).toEqual({ reached: 'the end', seen: ['a', 'b', 'c'] });
  });

  it('stop at an error, passed to next, thrown or rejected', async () => {
    const passed: RequestHandler = (_req, _res, next) => next(new Error('passed'));
    const thrown: RequestHandler = () => {
      throw new Error('thrown');
    };
    const rejected: RequestHandler = async () => {
      throw new Error('rejected');
    };
    for (const [failing, message] of [[passed, 'passed'], [thrown, 'thrown'], [rejected, 'rejected']] as const) {
      const res = await request(app([mark('a'), failing, mark('never')])).get('/');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: message, seen: ['a'] });
    }
  });

  it('stop when one answers', async () => {
    const answers: RequestHandler = (_req, res) => {
      res.status(202).json({ answered: true });
    };
    const res = await request(app([mark('a'), answers, mark('never')])).get('/');
    expect(res.status).toBe(202);
  });
});

describe('routers by prefix', () => {
  /** A router whose routes answer with its name; `middleware` adds a router.use that marks every request. */
  const named = (name: string, paths: string[], middleware = false) => {
    const router = Router();
    if (middleware) router.use((_req, res, next) => {
      res.setHeader('X-Seen-By', name);
      next();
    });
    for (const path of paths) router.get(path, (_req, res) => {
      res.json({ answeredBy: name });
    });
    return router;
  };
  const appOf = (routers: Router[]) => {
    const application = express();
    application.use(routersByPrefix(routers));
    application.use((_req, res) => {
      res.status(404).json({ answeredBy: 'nobody' });
    });
    return application;
  };

  it('asks the routers in their order, as if mounted one after another', async () => {
    const application = appOf([named('users', ['/v1/users/:id']), named('shops', ['/v1/shops/:id', '/v1/users/:id/shops']), named('late users', ['/v1/users/:id'])]);
    expect((await request(application).get('/v1/users/u-1')).body).toEqual({ answeredBy: 'users' });
    expect((await request(application).get('/v1/users/u-1/shops')).body).toEqual({ answeredBy: 'shops' });
    expect((await request(application).get('/V1/SHOPS/s-1')).body).toEqual({ answeredBy: 'shops' });
    expect((await request(application).get('/v1/orders/o-1')).body).toEqual({ answeredBy: 'nobody' });
  });

  it('asks a router with middleware of its own about every request', async () => {
    const application = appOf([named('users', ['/v1/users/:id']), named('audit', [], true), named('any', ['/v1/:kind/:id'])]);
    const user = await request(application).get('/v1/users/u-1');
    expect(user.body).toEqual({ answeredBy: 'users' });
    expect(user.headers['x-seen-by']).toBeUndefined();
    const other = await request(application).get('/v1/things/t-1');
    expect(other.body).toEqual({ answeredBy: 'any' });
    expect(other.headers['x-seen-by']).toBe('audit');
  });

  it('sees routes added after it was made', async () => {
    const late = Router();
    const application = appOf([late]);
    late.get('/v1/late/:id', (_req, res) => {
      res.json({ answeredBy: 'late' });
    });
    expect((await request(application).get('/v1/late/1')).body).toEqual({ answeredBy: 'late' });
  });
});

describe('a handler only under some paths', () => {
  const application = express();
  application.use(
    onlyUnder(['/docs', '/openapi.json'], (_req, res) => {
      res.json({ docs: true });
    }),
  );
  application.use((_req, res) => {
    res.json({ docs: false });
  });

  it('is consulted at those paths and under them, whatever their case', async () => {
    for (const path of ['/docs', '/docs/', '/docs/swagger-ui.css', '/DOCS', '/openapi.json']) expect((await request(application).get(path)).body).toEqual({ docs: true });
  });

  it('lets every other request by', async () => {
    for (const path of ['/docsx', '/v1/docs', '/openapi.jsonx', '/']) expect((await request(application).get(path)).body).toEqual({ docs: false });
  });
});
