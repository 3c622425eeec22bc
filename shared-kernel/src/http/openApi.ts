/**
 * The service's OpenAPI 3.1 document, already loaded (from YAML or JSON), and the validator that
 * holds every request to it (and, in tests, every response).
 */
import type { RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
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

export function openApiValidation(document: OpenApiDocument, options: OpenApiValidationOptions): RequestHandler[] {
  cacheRouteMatchers();
  return OpenApiValidator.middleware({
    // The validator deep-clones the document, so /openapi.json serves it unchanged.
    apiSpec: document as unknown as ValidatorOptions['apiSpec'],
    validateApiSpec: true,
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
}
