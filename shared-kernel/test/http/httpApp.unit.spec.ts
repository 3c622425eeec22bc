import { Router } from 'express';
import request from 'supertest';
import { createHttpApp, silentLogger } from '../../src';
import { ERRORS_BY_ID, PROBLEM_JSON, capturingLogger, thingsDocument, thingsService } from './thingsApi';

const validThing = { name: 'lamp', quantity: 2 };

describe('the HTTP app', () => {
  const { app } = thingsService();

  describe('when the body is bad', () => {
    it('refuses malformed JSON with a 400 problem', async () => {
      const res = await request(app).post('/v1/things').set('Content-Type', 'application/json').send('{"name": "lamp",');
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body).toMatchObject({
        type: 'https://bdbazar.dev/problems/invalid_json',
        title: 'Malformed JSON',
        status: 400,
        instance: '/v1/things',
      });
      expect(res.body.detail).toMatch(/^The request body is not valid JSON: /);
    });

    it('refuses text with a NUL character, which PostgreSQL cannot store, with a 400 problem', async () => {
      for (const name of ['lamp\\u0000', '\\u0000', 'a\\\\\\u0000']) {
        const res = await request(app).post('/v1/things').set('Content-Type', 'application/json').send(`{"name": "${name}", "quantity": 2}`);
        expect({ name, status: res.status, type: res.headers['content-type']?.split(';')[0], detail: res.body.detail }).toEqual({
          name,
          status: 400,
          type: 'application/problem+json',
          detail: 'Text in the request body may not contain the NUL character (\\u0000); remove it and send the request again.',
        });
      }
      // A backslash followed by u0000 is text like any other.
      const res = await request(app).post('/v1/things').set('Content-Type', 'application/json').send('{"name": "C:\\\\u0000", "quantity": 2}');
      expect(res.status).toBe(201);
    });

    it('names every field with a wrong type, a missing value or no business being there', async () => {
      const res = await request(app).post('/v1/things').send({ name: 7, tags: ['a', 3], role: 'admin' });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body.type).toBe('https://bdbazar.dev/problems/validation');
      const errors = res.body.errors as Array<{ path: string; message: string }>;
      expect(errors).toEqual(
        expect.arrayContaining([
          { path: '/body/name', message: 'must be string' },
          { path: '/body/tags/1', message: 'must be string' },
          { path: '/body/quantity', message: "must have required property 'quantity'" },
          { path: '/body/role', message: 'must NOT have additional properties' },
        ]),
      );
    });

    it('does not coerce body types: "2" is not an integer', async () => {
      const res = await request(app).post('/v1/things').send({ name: 'lamp', quantity: '2' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: '/body/quantity', message: 'must be integer' }]);
    });

    it('refuses a missing body, saying what to send', async () => {
      const res = await request(app).post('/v1/things');
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body.detail).toBe('This request needs a body: send JSON with Content-Type: application/json.');
    });

    it('refuses a JSON body that is not an object', async () => {
      const res = await request(app).post('/v1/things').set('Content-Type', 'application/json').send('[]');
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: '/body', message: 'must be object' }]);
    });

    it('refuses a charset it cannot read with a 415 problem', async () => {
      const res = await request(app).post('/v1/things').set('Content-Type', 'application/json; charset=latin9').send('{}');
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ type: 'https://bdbazar.dev/problems/unsupported_media_type', detail: 'unsupported charset "LATIN9"' });
    });

    it('refuses a body over the limit with a 413 problem', async () => {
      const res = await request(app).post('/v1/things').send({ name: 'x'.repeat(2000), quantity: 1 });
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body).toMatchObject({ type: 'https://bdbazar.dev/problems/payload_too_large', status: 413 });
      expect(res.body.detail).toBe('The request body is larger than the limit of 1024 bytes.');
    });

    it('refuses a media type the route does not take with a 415 problem', async () => {
      const res = await request(app).post('/v1/things').set('Content-Type', 'text/plain').send('lamp');
      expect(res.status).toBe(415);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body.type).toBe('https://bdbazar.dev/problems/unsupported_media_type');
      expect(res.body.detail).toBe('The media type text/plain is not accepted here; send JSON (Content-Type: application/json).');
    });

    it('accepts an application/*+json body', async () => {
      const res = await request(app).post('/v1/things').set('Content-Type', 'application/vnd.things+json').send(JSON.stringify(validThing));
      // Parsed (a malformed one would be a 400), then refused by the document, which only lists application/json.
      expect(res.status).toBe(415);
      const malformed = await request(app).post('/v1/things').set('Content-Type', 'application/vnd.things+json').send('{');
      expect(malformed.body.type).toBe('https://bdbazar.dev/problems/invalid_json');
    });
  });

  describe('when the route or its parameters are wrong', () => {
    it('answers an unknown route with a 404 problem', async () => {
      const res = await request(app).get('/v1/nothing-here');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body).toMatchObject({ type: 'https://bdbazar.dev/problems/route_not_found', status: 404, detail: 'No route matches GET /v1/nothing-here.' });
    });

    it('answers a wrong method with a 405 problem and Allow', async () => {
      const res = await request(app).delete('/v1/things');
      expect(res.status).toBe(405);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.headers['allow']).toBe('POST');
      expect(res.body.detail).toBe('DELETE is not allowed on /v1/things; allowed: POST.');
      expect(res.body).toMatchObject({ type: 'https://bdbazar.dev/problems/method_not_allowed', status: 405 });
    });

    it('refuses an unknown query parameter', async () => {
      const res = await request(app).get('/v1/things/thing-1?colour=red');
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ path: '/query/colour', message: "Unknown query parameter 'colour'" }]);
    });

    it('coerces query parameters and refuses ones that are not of their type', async () => {
      const created = await request(app).post('/v1/things').send(validThing);
      const ok = await request(app).get(`/v1/things/${created.body.id}?verbose=true`);
      expect(ok.status).toBe(200);
      expect(ok.body.verbose).toBe(true);
      const bad = await request(app).get(`/v1/things/${created.body.id}?verbose=perhaps`);
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ path: '/query/verbose', message: 'must be boolean' }]);
    });

    it('refuses a query number that is not finite, which the validator lets past its maximum', async () => {
      const created = await request(app).post('/v1/things').send(validThing);
      expect((await request(app).get(`/v1/things/${created.body.id}?within=5`)).status).toBe(200);
      for (const value of ['1e309', 'Infinity']) {
        const res = await request(app).get(`/v1/things/${created.body.id}?within=${value}`);
        expect({ status: res.status, type: res.headers['content-type']?.split(';')[0], detail: res.body.detail }).toEqual({
          status: 400,
          type: 'application/problem+json',
          detail: 'The query parameter within must be a finite number within its documented range; Infinity is not one.',
        });
      }
    });
  });

  describe('when the document spans many path prefixes', () => {
    // Each prefix is validated against its own part of the document (openApi.ts): the answers
    // must be those of the whole document.
    const gadget = () => ({ get: { operationId: 'getGadget', parameters: [{ name: 'size', in: 'query', schema: { type: 'integer' } }], responses: { '200': { description: 'A gadget' }, default: { description: 'A problem' } } } });
    const pathId = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1 } }];
    const documentWith = (extra: Record<string, unknown>) => ({ ...thingsDocument, paths: { ...thingsDocument.paths, '/v1/gadgets/{id}': { parameters: pathId, ...gadget() }, ...extra } });
    const appOver = (document: typeof thingsDocument) =>
      createHttpApp({
        name: 'gadgets',
        openApi: document,
        logger: silentLogger(),
        routes: (application) => {
          application.get('/v1/gadgets/:id', (req, res) => {
            res.json({ id: req.params['id'], size: req.query['size'] ?? null });
          });
          application.get('/v1/things/:id', (req, res) => {
            res.json({ id: req.params['id'], name: 'lamp', quantity: 1, revision: 0 });
          });
          application.get('/v1/:kind/count', (req, res) => {
            res.json({ kind: req.params['kind'], count: 0 });
          });
        },
      });

    for (const [label, document] of [
      ['split by prefix', documentWith({})],
      ['whole, a path having a parameter for a prefix', documentWith({ '/v1/{kind}/count': { parameters: [{ name: 'kind', in: 'path', required: true, schema: { type: 'string' } }], ...gadget() } })],
    ] as const) {
      describe(label, () => {
        const application = appOver(document);

        it('validates and coerces each prefix\'s requests by its own operations', async () => {
          expect((await request(application).get('/v1/gadgets/g-1?size=3')).body).toEqual({ id: 'g-1', size: 3 });
          expect((await request(application).get('/V1/Gadgets/g-1')).body).toEqual({ id: 'g-1', size: null });
          const bad = await request(application).get('/v1/gadgets/g-1?size=big');
          expect(bad.status).toBe(400);
          expect(bad.body.errors).toEqual([{ path: '/query/size', message: 'must be integer' }]);
          const unknown = await request(application).get('/v1/things/t-1?size=3');
          expect(unknown.status).toBe(400);
          expect(unknown.body.errors).toEqual([{ path: '/query/size', message: "Unknown query parameter 'size'" }]);
        });

        it('answers a wrong method with the Allow of its path, and an undocumented path with a 404', async () => {
          const wrongMethod = await request(application).delete('/v1/gadgets/g-1');
          expect(wrongMethod.status).toBe(405);
          expect(wrongMethod.headers['allow']).toBe('GET');
          const undocumented = await request(application).get('/v1/widgets/w-1');
          expect(undocumented.status).toBe(404);
          expect(undocumented.headers['content-type']).toMatch(PROBLEM_JSON);
        });
      });
    }

    it('uses the whole document where a path has a parameter for a prefix', async () => {
      const application = appOver(documentWith({ '/v1/{kind}/count': { parameters: [{ name: 'kind', in: 'path', required: true, schema: { type: 'string' } }], ...gadget() } }));
      expect((await request(application).get('/v1/widgets/count?size=2')).body).toEqual({ kind: 'widgets', count: 0 });
      expect((await request(application).get('/v1/widgets/count?size=two')).status).toBe(400);
    });
  });

  describe('when a handler fails', () => {
    it.each([
      ['validation', 400, 'validation', { field: 'name' }],
      ['not-found', 404, 'not_found', { thingId: '42' }],
      ['conflict', 409, 'conflict', {}],
      ['illegal-state', 409, 'illegal_state', {}],
      ['concurrency', 412, 'concurrency', {}],
      ['wrong-expected-version', 412, 'wrong_expected_version', { streamId: 'thing-1', expectedRevision: 3, actualRevision: 4 }],
      ['unprocessable', 422, 'unprocessable', {}],
    ])('maps a thrown %s error to %i', async (id, status, code, extensions) => {
      for (const path of [`/v1/things/${id}`, `/v1/things/sync-${id}`]) {
        const res = await request(app).get(path);
        expect(res.status).toBe(status);
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(res.body).toEqual({
          type: `https://bdbazar.dev/problems/${code}`,
          title: expect.any(String),
          status,
          detail: ERRORS_BY_ID[id]!().message,
          instance: path,
          requestId: res.headers['x-request-id'],
          ...extensions,
        });
      }
    });

    it('honours the status and headers a DomainError carries itself', async () => {
      const res = await request(app).get('/v1/things/slow-down');
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('3');
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body).toMatchObject({ type: 'https://bdbazar.dev/problems/slow_down', title: 'Too many requests', retryAfterSeconds: 3 });
    });

    it('answers a DomainError with no known status as the bug it is: a 500', async () => {
      const res = await request(app).get('/v1/things/unmapped');
      expect(res.status).toBe(500);
      expect(res.body.type).toBe('https://bdbazar.dev/problems/internal');
      expect(res.text).not.toContain('Nobody said');
    });

    it('answers an unexpected error, thrown or rejected, with a generic 500 that leaks nothing', async () => {
      const { logger, lines } = capturingLogger();
      const { app } = thingsService({ logger });
      for (const path of ['/v1/things/boom', '/v1/things/sync-boom']) {
        const res = await request(app).get(path).set('X-Request-Id', `req-${path.length}`);
        expect(res.status).toBe(500);
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(res.body).toEqual({
          type: 'https://bdbazar.dev/problems/internal',
          title: 'Internal Server Error',
          status: 500,
          detail: `An unexpected error occurred. It was logged with request id req-${path.length}.`,
          instance: path,
          requestId: `req-${path.length}`,
        });
        expect(res.text).not.toMatch(/hunter2|10\.0\.0\.7|at /);
        const logged = lines().find((line) => line['msg'] === 'unexpected error while handling a request' && (line['req'] as { id: string }).id === `req-${path.length}`);
        expect(logged).toMatchObject({ level: 50, err: { message: expect.stringContaining('hunter2'), stack: expect.any(String) } });
      }
    });

    it('turns a response that breaks the document into a 500 naming the mismatch', async () => {
      const res = await request(app).get('/v1/things/bad-response');
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body.type).toBe('https://bdbazar.dev/problems/response_validation');
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          { path: '/response/surprise', message: 'must NOT have additional properties' },
          { path: '/response/name', message: "must have required property 'name'" },
        ]),
      );
    });
  });

  describe('commands', () => {
    it('answer { id, revision, position } with the revision as a strong ETag', async () => {
      const res = await request(app).post('/v1/things').send(validThing);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.stringMatching(/^thing-\d+$/), revision: 0, position: expect.stringMatching(/^\d{20}\/\d{20}$/) });
      expect(res.headers['etag']).toBe('"0"');
      expect(res.headers['location']).toBe(`/v1/things/${res.body.id}`);
    });

    it('honour If-Match: the current revision passes, a stale one is a 412', async () => {
      const { body } = await request(app).post('/v1/things').send(validThing);
      const renamed = await request(app).put(`/v1/things/${body.id}`).set('If-Match', '"0"').send({ name: 'desk lamp' });
      expect(renamed.status).toBe(200);
      expect(renamed.headers['etag']).toBe('"1"');
      expect(renamed.body).toMatchObject({ id: body.id, revision: 1 });

      const stale = await request(app).put(`/v1/things/${body.id}`).set('If-Match', '"0"').send({ name: 'floor lamp' });
      expect(stale.status).toBe(412);
      expect(stale.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(stale.body).toMatchObject({ type: 'https://bdbazar.dev/problems/wrong_expected_version', expectedRevision: 0, actualRevision: 1 });

      const star = await request(app).put(`/v1/things/${body.id}`).set('If-Match', '*').send({ name: 'floor lamp' });
      expect(star.status).toBe(200);
      const none = await request(app).put(`/v1/things/${body.id}`).send({ name: 'any lamp' });
      expect(none.status).toBe(200);
    });

    it.each(['3', '"3', '"3", "4"', 'W/3'])('refuse a malformed If-Match %j with a 400', async (ifMatch) => {
      const { body } = await request(app).post('/v1/things').send(validThing);
      const res = await request(app).put(`/v1/things/${body.id}`).set('If-Match', ifMatch).send({ name: 'x' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: 'https://bdbazar.dev/problems/validation', header: 'If-Match' });
    });

    it.each(['W/"0"', '"abc"'])('fail the precondition for an ETag %j that cannot be a revision', async (ifMatch) => {
      const { body } = await request(app).post('/v1/things').send(validThing);
      const res = await request(app).put(`/v1/things/${body.id}`).set('If-Match', ifMatch).send({ name: 'x' });
      expect(res.status).toBe(412);
    });
  });

  describe('request and correlation ids', () => {
    it('makes up both when the caller sends none, and echoes them', async () => {
      const res = await request(app).post('/v1/things').send(validThing);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['x-correlation-id']).toBe(res.headers['x-request-id']);
      expect(res.headers['x-test-correlation']).toBe(res.headers['x-request-id']);
    });

    it('keeps the ones the caller sends, unless they are unfit for a log', async () => {
      const res = await request(app).post('/v1/things').set('X-Request-Id', 'r-1').set('X-Correlation-Id', 'saga-9').send(validThing);
      expect(res.headers['x-request-id']).toBe('r-1');
      expect(res.headers['x-correlation-id']).toBe('saga-9');
      expect(res.headers['x-test-correlation']).toBe('saga-9');
      const odd = await request(app).get('/health').set('X-Request-Id', 'x'.repeat(201));
      expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('logs each request with its ids, and neither its Authorization header nor its body', async () => {
      const { logger, lines } = capturingLogger();
      const { app } = thingsService({ logger });
      await request(app)
        .post('/v1/things')
        .set('Authorization', 'Bearer secret-token')
        .set('X-Request-Id', 'r-log')
        .set('X-Correlation-Id', 'c-log')
        .send({ name: 'secret-lamp', quantity: 1 });
      const logged = lines();
      const done = logged.find((line) => line['msg'] === 'request completed');
      expect(done).toMatchObject({
        service: 'things',
        correlationId: 'c-log',
        req: { id: 'r-log', method: 'POST', url: '/v1/things' },
        res: { statusCode: 201 },
      });
      expect(JSON.stringify(logged)).not.toMatch(/secret/);
    });

    it('logs a refused request at warn, a failed one at error as errored, and no probe', async () => {
      const { logger, lines } = capturingLogger();
      const { app } = thingsService({ logger });
      await request(app).get('/v1/things/nowhere-to-be-found').set('X-Request-Id', 'r-404');
      await request(app).get('/v1/things/boom').set('X-Request-Id', 'r-500');
      await request(app).get('/health');
      const ends = lines().filter((line) => line['msg'] === 'request completed' || line['msg'] === 'request errored');
      expect(ends).toEqual([
        expect.objectContaining({ level: 40, msg: 'request completed', req: expect.objectContaining({ id: 'r-404' }), res: { statusCode: 404 }, responseTime: expect.any(Number) }),
        expect.objectContaining({ level: 50, msg: 'request errored', req: expect.objectContaining({ id: 'r-500' }), correlationId: 'r-500', res: { statusCode: 500 } }),
      ]);
    });
  });

  describe('when the document requires a bearer token', () => {
    const secured = createHttpApp({
      name: 'secured',
      openApi: {
        ...thingsDocument,
        security: [{ bearer: [] }],
        components: { ...(thingsDocument['components'] as object), securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      },
      logger: silentLogger(),
      routes: (app) => app.get('/v1/things/:id', (_req, res) => void res.json({ id: 'x', name: 'x', quantity: 1, revision: 0 })),
    });

    it('answers a request without one with a 401 problem and a challenge, before looking at its input', async () => {
      const res = await request(secured).post('/v1/things').send({ unknown: true });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body).toMatchObject({
        type: 'https://bdbazar.dev/problems/unauthenticated',
        title: 'Not signed in',
        detail: 'This needs an access token: send it as "Authorization: Bearer <token>".',
      });
    });
  });

  describe('when the routes come as a router', () => {
    const router = Router();
    router.get('/v1/things/:id', (req, res) => {
      res.json({ id: req.params['id'], name: 'lamp', quantity: 1, revision: 0 });
    });
    const routed = createHttpApp({ name: 'things', openApi: thingsDocument, logger: silentLogger(), validateResponses: true, routes: router });

    it('mounts it behind the validator and before the problem handler', async () => {
      expect((await request(routed).get('/v1/things/t-1')).body).toEqual({ id: 't-1', name: 'lamp', quantity: 1, revision: 0 });
      expect((await request(routed).get('/v1/things/t-1?colour=red')).status).toBe(400);
      const missing = await request(routed).post('/v1/things').send({ name: 'lamp', quantity: 1 });
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toMatch(PROBLEM_JSON);
    });
  });

  describe('docs and probes', () => {
    it('serves Swagger UI at /docs', async () => {
      const redirect = await request(app).get('/docs');
      expect(redirect.status).toBe(301);
      expect(redirect.headers['location']).toBe('docs/');
      const page = await request(app).get('/docs/');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('swagger-ui');
      const init = await request(app).get('/docs/swagger-ui-init.js');
      expect(init.status).toBe(200);
      expect(init.text).toContain('"title": "Things"');
      const css = await request(app).get('/docs/swagger-ui.css');
      expect(css.status).toBe(200);
    });

    it('keeps each app its own document in Swagger UI', async () => {
      const other = thingsService({ openApi: { ...thingsDocument, info: { ...thingsDocument.info, title: 'Other things' } } }).app;
      expect((await request(other).get('/docs/swagger-ui-init.js')).text).toContain('"title": "Other things"');
      expect((await request(app).get('/docs/swagger-ui-init.js')).text).toContain('"title": "Things"');
    });

    it('serves the raw document at /openapi.json', async () => {
      const res = await request(app).get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(Object.keys(res.body.paths)).toEqual(['/v1/things', '/v1/things/{id}']);
    });

    it('answers /health and /ready', async () => {
      expect((await request(app).get('/health')).body).toEqual({ status: 'ok' });
      // routing is not strict: a trailing slash or another case reaches the same route
      expect((await request(app).get('/health/')).body).toEqual({ status: 'ok' });
      expect((await request(app).get('/Health')).body).toEqual({ status: 'ok' });
      const ready = await request(app).get('/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready' });
    });

    it('answers /ready with a 503 problem while a readiness check says why not, or fails', async () => {
      let state: 'ready' | 'reason' | 'fails' = 'reason';
      const { app } = thingsService({
        readiness: async () => {
          if (state === 'reason') return 'The event store is not reachable yet.';
          if (state === 'fails') throw new Error('connect ECONNREFUSED 10.1.2.3:5432');
        },
      });
      const notYet = await request(app).get('/ready');
      expect(notYet.status).toBe(503);
      expect(notYet.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(notYet.body).toMatchObject({ type: 'https://bdbazar.dev/problems/not_ready', detail: 'The event store is not reachable yet.' });
      state = 'fails';
      const failing = await request(app).get('/ready');
      expect(failing.status).toBe(503);
      expect(failing.text).not.toContain('10.1.2.3');
      state = 'ready';
      expect((await request(app).get('/ready')).status).toBe(200);
      expect((await request(app).get('/health')).status).toBe(200);
    });
  });
});
