/**
 * Express middleware for authentication (who is calling) and the access checks every service
 * shares: roles, "only your own resource unless admin", approved sellers. Checks that need the
 * resource (does this shop belong to this seller?) live in the route, which has loaded it.
 */
import type { RequestHandler, Response } from 'express';
import { ForbiddenError, UnauthenticatedError } from './errors';
import type { AuthContext, UserRole } from './roles';
import type { TokenVerifier, VerifiedAccessToken } from './tokenVerifier';

export interface AuthenticateOptions {
  /** Let requests without an Authorization header through anonymously; a bad token is still a 401. */
  optional?: boolean;
}

// RFC 6750 (2.1): `Bearer`, case-insensitive, then a b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export function authenticate(verifier: Pick<TokenVerifier, 'verifyAccessToken'>, options: AuthenticateOptions = {}): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined) {
      if (options.optional) return next();
      throw challenge(res, new UnauthenticatedError('This needs an access token: send it as "Authorization: Bearer <token>".', { reason: 'missing' }));
    }
    const match = BEARER.exec(header);
    if (!match?.[1]) {
      throw challenge(
        res,
        new UnauthenticatedError('The Authorization header must be "Bearer <access token>".', { reason: 'malformed' }, { bearerError: 'invalid_request' }),
      );
    }
    let verified: VerifiedAccessToken;
    try {
      verified = verifier.verifyAccessToken(match[1]);
    } catch (error) {
      throw error instanceof UnauthenticatedError ? challenge(res, error) : error;
    }
    const auth: AuthContext = {
      userId: verified.userId,
      role: verified.role,
      sessionId: verified.sessionId,
      sellerApproved: verified.sellerApproved,
    };
    res.locals['auth'] = auth;
    next();
  };
}

/** The caller; throws UnauthenticatedError for an anonymous request (behind `optional`). */
export function authOf(res: Response): AuthContext {
  const auth = maybeAuthOf(res);
  if (!auth) throw challenge(res, new UnauthenticatedError('This needs an access token: send it as "Authorization: Bearer <token>".', { reason: 'missing' }));
  return auth;
}

/** The caller, or undefined for an anonymous request. */
export function maybeAuthOf(res: Response): AuthContext | undefined {
  return res.locals['auth'] as AuthContext | undefined;
}

export function requireRole(...roles: UserRole[]): RequestHandler {
  if (roles.length === 0) throw new Error('requireRole needs at least one role.');
  return (_req, res, next) => {
    const { role } = authOf(res);
    if (!roles.includes(role)) {
      throw new ForbiddenError(`Only ${roles.join(' or ')} accounts may do this; yours is a ${role} account.`, { role, allowed: roles });
    }
    next();
  };
}

/** A user reads and changes only their own resource (`req.params[paramName]` is a user id), unless admin. */
export function requireSelfOrAdmin(paramName = 'id'): RequestHandler {
  return (req, res, next) => {
    const auth = authOf(res);
    const target = req.params[paramName];
    // A route without that parameter is wired wrongly: a bug, not the caller's fault.
    if (typeof target !== 'string') throw new Error(`requireSelfOrAdmin('${paramName}') is used on a route without :${paramName}.`);
    if (auth.role !== 'admin' && target !== auth.userId) {
      throw new ForbiddenError('You may only see and change your own account.', { [paramName]: target });
    }
    next();
  };
}

/** Sellers an admin has approved; everyone else (admins included) is refused. */
export function requireApprovedSeller(): RequestHandler {
  return (_req, res, next) => {
    const auth = authOf(res);
    if (auth.role !== 'seller') {
      throw new ForbiddenError(`Only seller accounts may do this; yours is a ${auth.role} account.`, { role: auth.role });
    }
    if (!auth.sellerApproved) {
      throw new ForbiddenError(
        'Your seller account has not been approved yet. If an admin has approved it since you logged in, refresh your access token.',
        { role: auth.role, sellerApproved: false },
      );
    }
    next();
  };
}

/** Sets the challenge header here too, so it is on the response whatever error handler runs. */
function challenge(res: Response, error: UnauthenticatedError): UnauthenticatedError {
  res.set(error.headers);
  return error;
}
