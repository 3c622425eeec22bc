/**
 * The one place where errors become HTTP answers: domain errors by class (or by the `status`
 * and `headers` a DomainError declares, as the auth errors do for 401, 403 and 429), the OpenAPI
 * validator's and the body parser's errors by their status, and anything else as a 500 that
 * tells nothing about the server (it is logged instead).
 */
import { error as validatorErrors } from 'express-openapi-validator';
import {
  ConcurrencyError,
  ConflictError,
  DomainError,
  IllegalStateError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../errors';
import { HttpProblemError } from './httpErrors';
import { problemType, type Problem } from './problems';

export interface MappedProblem {
  problem: Problem;
  headers: Record<string, string>;
  /** A bug rather than a refusal: log it with its stack. */
  unexpected: boolean;
}

export interface ProblemContext {
  /** The request path, as the problem's `instance`. */
  instance: string;
  requestId: string;
  method: string;
  /** The request's Content-Type, if it had one. */
  contentType?: string;
}

type DomainErrorClass = abstract new (...args: never[]) => DomainError;

/** Subclasses before their parents: the first match wins. */
const DOMAIN_STATUSES: ReadonlyArray<readonly [DomainErrorClass, number, string]> = [
  [ValidationError, 400, 'Invalid request'],
  [NotFoundError, 404, 'Not found'],
  [ConflictError, 409, 'Conflict'],
  [IllegalStateError, 409, 'Not allowed in the current state'],
  [ConcurrencyError, 412, 'Precondition failed'],
  [UnprocessableError, 422, 'Unprocessable request'],
];

/** Titles of the statuses that DomainErrors may carry themselves (the auth errors). */
const OWN_STATUS_TITLES: Readonly<Record<number, string>> = { 401: 'Not signed in', 403: 'Not allowed', 429: 'Too many requests' };

/** What the statuses of the validator and the body parser mean to a client. */
const REQUEST_STATUSES: Readonly<Record<number, readonly [code: string, title: string]>> = {
  400: ['validation', 'Invalid request'],
  // The same codes and titles as the auth errors: one type whichever layer refused.
  401: ['unauthenticated', OWN_STATUS_TITLES[401]!],
  403: ['forbidden', OWN_STATUS_TITLES[403]!],
  404: ['route_not_found', 'Not found'],
  405: ['method_not_allowed', 'Method not allowed'],
  406: ['not_acceptable', 'Not acceptable'],
  413: ['payload_too_large', 'Request body too large'],
  415: ['unsupported_media_type', 'Unsupported media type'],
};

const VALIDATOR_ERROR_CLASSES = Object.values(validatorErrors);

interface ValidatorError extends Error {
  status: number;
  path?: string;
  headers?: Record<string, string>;
  errors: Array<{ path?: string; message: string }>;
}

/** The shape of body-parser's (http-errors) errors. */
interface BodyParserError extends Error {
  type: string;
  status: number;
  expose: boolean;
  limit?: number;
}

export function toProblem(error: unknown, context: ProblemContext): MappedProblem {
  const make = (status: number, code: string, title: string, detail: string, extensions: Record<string, unknown> = {}): Problem => ({
    ...extensions,
    type: problemType(code),
    title,
    status,
    detail,
    instance: context.instance,
    requestId: context.requestId,
  });

  if (error instanceof DomainError) {
    const entry = DOMAIN_STATUSES.find(([errorClass]) => error instanceof errorClass);
    if (entry) {
      const [, status, title] = entry;
      return { problem: make(status, error.code, title, error.message, { ...error.details }), headers: {}, unexpected: false };
    }
    // Errors that carry their own 4xx status and headers (the auth kit's 401, 403 and 429).
    const status = declaredStatus(error);
    if (status !== undefined) {
      const title = OWN_STATUS_TITLES[status] ?? 'Request refused';
      return { problem: make(status, error.code, title, error.message, { ...error.details }), headers: declaredHeaders(error), unexpected: false };
    }
    // A DomainError class with no status is a gap in the table above: a bug.
  }

  if (error instanceof HttpProblemError) {
    return {
      problem: make(error.status, error.code, error.title, error.message, { ...error.extensions }),
      headers: { ...error.headers },
      unexpected: error.status >= 500 && error.status !== 503,
    };
  }

  if (isValidatorError(error)) {
    const errors = error.errors.map(({ path, message }) => ({ path: path ?? '', message }));
    // RFC 9110 requires a challenge on every 401.
    const headers: Record<string, string> = { ...error.headers, ...(error.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}) };
    if (error.status >= 500) {
      // The validator checks responses only where asked to (tests): the service broke its own contract.
      return {
        problem: make(500, 'response_validation', 'The response does not match the API description', error.message, { errors }),
        headers,
        unexpected: true,
      };
    }
    const [code, title] = REQUEST_STATUSES[error.status] ?? ['invalid_request', 'Invalid request'];
    return { problem: make(error.status, code, title, validatorDetail(error, headers, context), { errors }), headers, unexpected: false };
  }

  if (isBodyParserError(error)) {
    if (error.type === 'entity.parse.failed') {
      return { problem: make(400, 'invalid_json', 'Malformed JSON', `The request body is not valid JSON: ${error.message}`), headers: {}, unexpected: false };
    }
    if (error.type === 'entity.too.large') {
      const limit = error.limit !== undefined ? ` of ${error.limit} bytes` : '';
      return {
        problem: make(413, 'payload_too_large', 'Request body too large', `The request body is larger than the limit${limit}.`),
        headers: {},
        unexpected: false,
      };
    }
    if (error.expose && error.status >= 400 && error.status < 500) {
      // Other refusals of the body parser (an unsupported charset or encoding, an aborted upload).
      const [code, title] = REQUEST_STATUSES[error.status] ?? ['invalid_request', 'Invalid request'];
      return { problem: make(error.status, code, title, error.message), headers: {}, unexpected: false };
    }
  }

  return {
    problem: make(500, 'internal', 'Internal Server Error', `An unexpected error occurred. It was logged with request id ${context.requestId}.`),
    headers: {},
    unexpected: true,
  };
}

/** A status a DomainError subclass carries itself (UnauthenticatedError's 401); client errors only, a 5xx is never a refusal. */
function declaredStatus(error: DomainError): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined;
}

function declaredHeaders(error: DomainError): Record<string, string> {
  const headers = (error as { headers?: unknown }).headers;
  if (headers === null || typeof headers !== 'object') return {};
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The validator's messages are terse ("unsupported media type undefined"): say what to do instead. */
function validatorDetail(error: ValidatorError, headers: Record<string, string>, context: ProblemContext): string {
  switch (error.status) {
    case 401:
      return 'This needs an access token: send it as "Authorization: Bearer <token>".';
    case 404:
      return `No route matches ${context.method} ${context.instance}.`;
    case 405:
      return `${context.method} is not allowed on ${context.instance}${headers['Allow'] ? `; allowed: ${headers['Allow']}` : ''}.`;
    case 415:
      return context.contentType
        ? `The media type ${context.contentType} is not accepted here; send JSON (Content-Type: application/json).`
        : 'This request needs a body: send JSON with Content-Type: application/json.';
    default:
      return error.message;
  }
}

function isValidatorError(error: unknown): error is ValidatorError {
  return VALIDATOR_ERROR_CLASSES.some((errorClass) => error instanceof errorClass);
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return error instanceof Error && typeof (error as Partial<BodyParserError>).type === 'string' && typeof (error as Partial<BodyParserError>).status === 'number';
}
