/**
 * The three errors of authentication, rate limiting and access control. Each carries its HTTP
 * `status` and the response `headers` it needs, so the HTTP kit can map any DomainError that has
 * them generically (Express's own error handler honours `status` and `headers` too).
 */
import { DomainError } from '../errors';

/** Why a bearer credential was refused, for RFC 6750's `error` attribute. */
export type BearerError = 'invalid_token' | 'invalid_request';

/** No valid credential: no token, or one that is malformed, expired, forged or not for us. */
export class UnauthenticatedError extends DomainError {
  readonly code: string = 'unauthenticated';
  readonly status = 401;
  /** RFC 9110 requires `WWW-Authenticate` on every 401. */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * `bearerError` is left out when the request carried no credential at all: RFC 6750 (3.1) says
   * the challenge should then name no error.
   */
  constructor(message: string, details: Record<string, unknown> = {}, options: { bearerError?: BearerError } = {}) {
    super(message, details);
    this.headers = { 'WWW-Authenticate': bearerChallenge(message, options.bearerError) };
  }
}

/** Authenticated, but this user may not do this (wrong role, someone else's resource). */
export class ForbiddenError extends DomainError {
  readonly code: string = 'forbidden';
  readonly status = 403;
}

/** Too many attempts; `details.retryAfterSeconds` and the `Retry-After` header say when to retry. */
export class TooManyRequestsError extends DomainError {
  readonly code: string = 'too_many_requests';
  readonly status = 429;
  readonly headers: Readonly<Record<string, string>>;
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number, details: Record<string, unknown> = {}) {
    super(message, { ...details, retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

function bearerChallenge(message: string, error: BearerError | undefined): string {
  if (!error) return 'Bearer';
  // A quoted-string in RFC 6750 may hold only printable ASCII without `"` and `\`.
  const description = message.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  return `Bearer error="${error}", error_description="${description}"`;
}
