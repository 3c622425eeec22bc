/**
 * A tiny service for the HTTP kit's tests: POST /v1/things (a command with a strict body),
 * GET /v1/things/{id}, PUT /v1/things/{id} (a command honouring If-Match). Magic ids make the
 * handlers throw, so that every kind of error can be provoked.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Express, RequestHandler } from 'express';
import {
  ConcurrencyError,
  ConflictError,
  createHttpApp,
  DomainError,
  expectedRevisionFromIfMatch,
  IllegalStateError,
  NotFoundError,
  requestContext,
  sendCommandResult,
  silentLogger,
  UnprocessableError,
  ValidationError,
  WrongExpectedVersionError,
  type HttpAppSettings,
  type Logger,
  type OpenApiDocument,
} from '../../src';

const problem = { description: 'A problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const commandResult = { content: { 'application/json': { schema: { $ref: '#/components/schemas/CommandResult' } } } };

export const thingsDocument: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Things', version: '1.0.0' },
  paths: {
    '/v1/things': {
      post: {
        operationId: 'createThing',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateThing' } } } },
        responses: { '201': { description: 'Created', ...commandResult }, default: problem },
      },
    },
    '/v1/things/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1 } }],
      get: {
        operationId: 'getThing',
        parameters: [
          { name: 'verbose', in: 'query', schema: { type: 'boolean' } },
          { name: 'within', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 1000 } },
        ],
        responses: {
          '200': { description: 'The thing', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          default: problem,
        },
      },
      put: {
        operationId: 'renameThing',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RenameThing' } } } },
        responses: { '200': { description: 'Renamed', ...commandResult }, default: problem },
      },
    },
  },
  components: {
    schemas: {
      CreateThing: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'quantity'],
        properties: {
          name: { type: 'string', minLength: 1 },
          quantity: { type: 'integer', minimum: 0 },
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
      RenameThing: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
      Thing: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'quantity', 'revision'],
        properties: { id: { type: 'string' }, name: { type: 'string' }, quantity: { type: 'integer' }, revision: { type: 'integer' }, verbose: { type: 'boolean' } },
      },
      CommandResult: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'revision', 'position'],
        properties: { id: { type: 'string' }, revision: { type: 'integer' }, position: { type: 'string' } },
      },
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status'],
        properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } },
      },
    },
  },
};

/** A refusal that carries its own status and headers, as the auth errors do. */
class SlowDownError extends DomainError {
  readonly code = 'slow_down';
  readonly status = 429;
  readonly headers = { 'Retry-After': '3' };
}

/** A DomainError the kit has no status for: a bug. */
class UnmappedError extends DomainError {
  readonly code = 'unmapped';
}

export interface Thing {
  id: string;
  name: string;
  quantity: number;
  revision: number;
}

/** Thrown by GET /v1/things/<id> for these ids (synchronously when prefixed with `sync-`). */
export const ERRORS_BY_ID: Record<string, () => Error> = {
  validation: () => new ValidationError('The name is too rude.', { field: 'name' }),
  'not-found': () => new NotFoundError('Thing 42 does not exist.', { thingId: '42' }),
  conflict: () => new ConflictError('A thing with this name exists.'),
  'illegal-state': () => new IllegalStateError('The thing is archived.'),
  concurrency: () => new ConcurrencyError('The thing changed meanwhile.'),
  'wrong-expected-version': () => new WrongExpectedVersionError('thing-1', 3, 4),
  unprocessable: () => new UnprocessableError('The quantity cannot be split.'),
  'slow-down': () => new SlowDownError('Too many things at once.', { retryAfterSeconds: 3 }),
  unmapped: () => new UnmappedError('Nobody said what status this is.'),
  boom: () => new Error('connection to 10.0.0.7 refused; password=hunter2'),
};

export interface ThingsService {
  app: Express;
  things: Map<string, Thing>;
  /** How many times POST /v1/things ran its handler. */
  creations: () => number;
}

export interface ThingsOptions extends Partial<HttpAppSettings> {
  /** Middlewares before the POST handler (idempotency). */
  beforeCreate?: RequestHandler[];
  /** Middlewares before the GET handler (consistentAfter). */
  beforeGet?: RequestHandler[];
  /** How long POST /v1/things takes. */
  createDelayMs?: number;
}

export function thingsService(options: ThingsOptions = {}): ThingsService {
  const things = new Map<string, Thing>();
  let creations = 0;
  let nextPosition = 1;
  const position = () => `${String(nextPosition++).padStart(20, '0')}/${'0'.padStart(20, '0')}`;
  const app = createHttpApp({
    name: 'things',
    openApi: thingsDocument,
    logger: silentLogger(),
    validateResponses: true,
    bodyLimit: '1kb',
    ...options,
    routes: (app) => {
      app.post('/v1/things', ...(options.beforeCreate ?? []), async (req, res) => {
        creations++;
        const body = req.body as { name: string; quantity: number };
        // Unref'd: a test that cuts the request should not wait for the timer to exit.
        if (options.createDelayMs) await sleep(options.createDelayMs, undefined, { ref: false });
        if (body.name === 'explode') throw new Error('the disk is full');
        if (body.name === 'taken') throw new ConflictError(`A thing named ${body.name} exists.`);
        const id = `thing-${creations}`;
        things.set(id, { id, name: body.name, quantity: body.quantity, revision: 0 });
        res.set('Location', `/v1/things/${id}`);
        // The correlation id is what a real command puts into the event metadata.
        res.set('X-Test-Correlation', requestContext(res).correlationId);
        sendCommandResult(res, { id, revision: 0, position: position() }, 201);
      });
      app.get('/v1/things/:id', ...(options.beforeGet ?? []), (req, res) => {
        const id = String(req.params['id']);
        if (id.startsWith('sync-')) throw ERRORS_BY_ID[id.slice('sync-'.length)]!();
        return (async () => {
          if (ERRORS_BY_ID[id]) throw ERRORS_BY_ID[id]!();
          if (id === 'bad-response') return void res.json({ id, surprise: true });
          const thing = things.get(id);
          if (!thing) throw new NotFoundError(`Thing ${id} does not exist.`);
          res.set('ETag', `"${thing.revision}"`).json({ ...thing, ...(req.query['verbose'] !== undefined ? { verbose: req.query['verbose'] } : {}) });
        })();
      });
      app.put('/v1/things/:id', (req, res) => {
        const id = String(req.params['id']);
        const thing = things.get(id);
        if (!thing) throw new NotFoundError(`Thing ${id} does not exist.`);
        const expected = expectedRevisionFromIfMatch(req);
        // What the event store does with an expected revision.
        if (typeof expected === 'number' && expected !== thing.revision) throw new WrongExpectedVersionError(id, expected, thing.revision);
        thing.name = (req.body as { name: string }).name;
        thing.revision++;
        sendCommandResult(res, { id, revision: thing.revision, position: position() });
      });
    },
  });
  return { app, things, creations: () => creations };
}

/** A logger whose lines the test can read. */
export function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

export const PROBLEM_JSON = /^application\/problem\+json; charset=utf-8$/;
