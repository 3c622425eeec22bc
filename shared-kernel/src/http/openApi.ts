/**
 * The service's OpenAPI 3.1 document, already loaded (from YAML or JSON), and the validator that
 * holds every request to it (and, in tests, every response).
 */
import type { RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { ValidationError } from '../errors';
import { inSequence, pathPrefixOf, routePrefixOf } from './prefixRouting';
import { cacheRouteMatchers } from './routeMatcherCache';

/** Loosely typed on purpose: documents come from YAML files; the validator checks them in full. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; [key: string]: unknown };
  paths?: Record<string, unknown>;
  [key: string]: unknown;
}

type ValidatorOptions = Parameters<typeof OpenApiValidator.middleware>[0];

export interface OpenApiValidationOptions {
  validateResponses: boolean;
  /** Passed to the validator as is; by default it checks that the credentials a route needs are present. */
  validateSecurity?: ValidatorOptions['validateSecurity'];
}

/**
 * The validator, split by path prefix. express-openapi-validator 5.6 finds a request's operation
 * by trying every documented path in turn (its `lookupRoute`): with the whole marketplace's 51
 * paths that was 8% of a profile read's CPU. So each prefix ('/v1/users', '/v1/products', ...)
 * gets a validator of its own over a copy of the document holding only that prefix's paths (the
 * components all kept), made when the first request of that prefix arrives. A request's operation
 * can only be among its prefix's paths, so it is found, validated and refused exactly as by the
 * whole document. A request of no documented prefix goes to the validator of the whole document
 * (which answers 404), as does every request when some path could match many prefixes or the
 * document's servers put the API under a base path.
 */
export function openApiValidation(document: OpenApiDocument, options: OpenApiValidationOptions): RequestHandler {
  cacheRouteMatchers();
  const whole = validatorOver(document, options, true);
  const groups = pathsByPrefix(document);
  if (groups === null) return whole;
  const validators = new Map<string, RequestHandler>();
  return (req, res, next) => {
    const prefix = pathPrefixOf(req.path);
    const paths = groups.get(prefix);
    if (paths === undefined) return whole(req, res, next);
    let validator = validators.get(prefix);
    if (validator === undefined) {
      // The document itself is checked once, by the validator of the whole.
      validator = validatorOver({ ...document, paths }, options, false);
      validators.set(prefix, validator);
    }
    return validator(req, res, next);
  };
}

/** The document's paths grouped by prefix, or null when a split could match differently. */
function pathsByPrefix(document: OpenApiDocument): Map<string, Record<string, unknown>> | null {
  if (!servesAtRoot(document)) return null;
  const groups = new Map<string, Record<string, unknown>>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const prefix = routePrefixOf(path);
    if (prefix === null) return null;
    let group = groups.get(prefix);
    if (group === undefined) groups.set(prefix, (group = {}));
    group[path] = item;
  }
  return groups;
}

/** Whether every server of the document serves the paths at the root (the validator's base path is then ''). */
function servesAtRoot(document: OpenApiDocument): boolean {
  const servers = document['servers'];
  if (servers === undefined) return true;
  if (!Array.isArray(servers)) return false;
  return servers.every((server: { url?: unknown }) => {
    if (typeof server?.url !== 'string') return false;
    try {
      return new URL(server.url, 'http://host').pathname === '/';
    } catch {
      return false;
    }
  });
}

/** One express-openapi-validator over `document`, its middlewares run in order. */
function validatorOver(document: OpenApiDocument, options: OpenApiValidationOptions, validateApiSpec: boolean): RequestHandler {
  const middlewares = OpenApiValidator.middleware({
    // The validator deep-clones the document, so /openapi.json serves it unchanged.
    apiSpec: document as unknown as ValidatorOptions['apiSpec'],
    validateApiSpec,
    validateRequests: {
      // Query and path parameters are strings on the wire and are coerced by the validator
      // regardless; bodies are JSON and must have the right types already.
      coerceTypes: false,
      allowUnknownQueryParameters: false,
      // A person fixing a request wants every mistake at once, not one per attempt.
      allErrors: true,
    },
    validateResponses: options.validateResponses ? { coerceTypes: false, removeAdditional: false, allErrors: true } : false,
    validateSecurity: options.validateSecurity ?? true,
    // No multipart routes: uploads go to object storage, documents travel by reference.
    fileUploader: false,
  }) as unknown as RequestHandler[];
  return inSequence([...middlewares, refuseNonFiniteQueryNumbers]);
}

/**
 * express-openapi-validator 5.6 coerces a query value such as `1e309` or `Infinity` to Infinity
 * and lets it past the schema's `maximum`; PostgreSQL then refuses it, as a 500. No route sees one.
 */
const refuseNonFiniteQueryNumbers: RequestHandler = (req, _res, next) => {
  for (const [name, value] of Object.entries(req.query)) {
    if ((Array.isArray(value) ? value : [value]).some((item) => typeof item === 'number' && !Number.isFinite(item))) {
      next(new ValidationError(`The query parameter ${name} must be a finite number within its documented range; ${String(value)} is not one.`, { field: name }));
      return;
    }
  }
  next();
};
