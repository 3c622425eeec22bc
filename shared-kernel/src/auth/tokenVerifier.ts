/**
 * Verifies access tokens with the public key only. Everything that can be pinned is pinned: the
 * algorithm (RS256, checked before and by jsonwebtoken, so neither `none` nor an HS256 token
 * "signed" with the public key as a secret gets through), a known `kid`, `iss`, `aud`, and a
 * required `exp`. Each refusal says what the client can do about it.
 *
 * An RS256 check is the dearest step of a read (about a tenth of a profile read's CPU in
 * bench:http), and a client sends the same token with every request until it expires. So a token
 * that passed is remembered, by its exact text, with what it proved: the same text again skips the
 * signature, never the expiry, which is checked against the clock on every use. Only tokens that
 * passed are kept (a refusal is worked out anew each time), at most `cacheSize` of them.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { ACCESS_TOKEN_ALGORITHM } from './accessTokenClaims';
import { UnauthenticatedError } from './errors';
import { isUserRole, type AuthContext } from './roles';

export interface TokenVerifierOptions {
  /** Public keys by kid; several while keys rotate. */
  publicKeys: Record<string, KeyObject | string>;
  issuer: string;
  audience: string;
  /** Allowed clock skew between the issuing and the verifying machine. */
  clockToleranceSeconds?: number;
  clock?: () => Date;
  /** Tokens that passed, remembered so that their signature is checked once; 0 turns it off. Default 10,000. */
  cacheSize?: number;
}

export interface VerifiedAccessToken extends AuthContext {
  expiresAt: Date;
}

export interface TokenVerifier {
  /** Throws UnauthenticatedError (with `details.reason`) for any token it does not accept. */
  verifyAccessToken(token: string): VerifiedAccessToken;
}

/** Why a token was refused, in `details.reason`: stable for tests and logs. */
export type TokenRefusal =
  | 'malformed'
  | 'algorithm'
  | 'unknown_key'
  | 'signature'
  | 'expired'
  | 'not_yet_valid'
  | 'issuer'
  | 'audience'
  | 'claims';

// Far above any token we issue; keeps a hostile header from costing a base64 decode of megabytes.
const MAX_TOKEN_LENGTH = 8192;
const LOG_IN_AGAIN = 'log in again to get a new one';

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { issuer, audience, clockToleranceSeconds = 5, clock = () => new Date(), cacheSize = 10_000 } = options;
  // A Map, not the record itself: a kid like `__proto__` or `toString` must not find anything.
  const keys = new Map<string, KeyObject>(
    Object.entries(options.publicKeys).map(([kid, key]) => [kid, typeof key === 'string' ? createPublicKey(key) : key]),
  );
  if (keys.size === 0) throw new Error('A token verifier needs at least one public key.');
  if (!issuer || !audience) throw new Error('A token verifier needs an issuer and an audience.');
  /** Tokens that passed, the least recently used dropped first. */
  const passed = cacheSize > 0 ? new LRUCache<string, VerifiedAccessToken>({ max: cacheSize }) : null;

  return {
    verifyAccessToken(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
        throw refuse('malformed', `The access token is not a JWT; ${LOG_IN_AGAIN}.`);
      }
      const known = passed?.get(token);
      if (known !== undefined) {
        if (clock().getTime() < known.expiresAt.getTime() + clockToleranceSeconds * 1000) return known;
        passed?.delete(token); // expired: the full check below says so, as it would have
      }
      const decoded = jwt.decode(token, { complete: true });
      if (!decoded || typeof decoded.payload === 'string') {
        throw refuse('malformed', `The access token is not a JWT; ${LOG_IN_AGAIN}.`);
      }
      const { alg, kid } = decoded.header;
      if (alg !== ACCESS_TOKEN_ALGORITHM) {
        throw refuse('algorithm', `The access token is signed with ${String(alg)}, but only ${ACCESS_TOKEN_ALGORITHM} is accepted; ${LOG_IN_AGAIN}.`);
      }
      const key = typeof kid === 'string' ? keys.get(kid) : undefined;
      if (!key) {
        throw refuse('unknown_key', `The access token is signed with a key this service does not know; ${LOG_IN_AGAIN}.`);
      }

      let payload: jwt.JwtPayload;
      try {
        payload = jwt.verify(token, key, {
          algorithms: [ACCESS_TOKEN_ALGORITHM],
          issuer,
          audience,
          clockTolerance: clockToleranceSeconds,
          clockTimestamp: Math.floor(clock().getTime() / 1000),
        }) as jwt.JwtPayload;
      } catch (error) {
        throw translate(error);
      }
      const verified = Object.freeze(toVerified(payload));
      passed?.set(token, verified);
      return verified;
    },
  };
}

function toVerified(payload: jwt.JwtPayload): VerifiedAccessToken {
  const { sub, role, sid, exp } = payload;
  const sellerApproved: unknown = payload['seller_approved'];
  // jsonwebtoken checks `exp` only when it is present; an access token without one would never expire.
  if (typeof exp !== 'number') throw refuse('claims', `The access token has no expiry; ${LOG_IN_AGAIN}.`);
  if (typeof sub !== 'string' || sub === '') throw refuse('claims', `The access token names no user; ${LOG_IN_AGAIN}.`);
  if (!isUserRole(role)) throw refuse('claims', `The access token carries no valid role; ${LOG_IN_AGAIN}.`);
  if (typeof sid !== 'string' || sid === '') throw refuse('claims', `The access token names no session; ${LOG_IN_AGAIN}.`);
  if (sellerApproved !== undefined && typeof sellerApproved !== 'boolean') {
    throw refuse('claims', `The access token's seller_approved claim is not true or false; ${LOG_IN_AGAIN}.`);
  }
  return {
    userId: sub,
    role,
    sessionId: sid,
    sellerApproved: role === 'seller' && sellerApproved === true,
    expiresAt: new Date(exp * 1000),
  };
}

/** jsonwebtoken's errors, turned into refusals a client can act on. */
function translate(error: unknown): unknown {
  if (error instanceof jwt.TokenExpiredError) {
    return refuse('expired', `The access token expired at ${error.expiredAt.toISOString()}; refresh it or log in again.`);
  }
  if (error instanceof jwt.NotBeforeError) {
    return refuse('not_yet_valid', `The access token is not valid before ${error.date.toISOString()}; check the client's clock.`);
  }
  if (!(error instanceof jwt.JsonWebTokenError)) return error; // not a verdict on the token: a bug
  const message = error.message;
  if (message.startsWith('jwt audience invalid')) {
    return refuse('audience', `The access token was issued for another audience; ${LOG_IN_AGAIN}.`);
  }
  if (message.startsWith('jwt issuer invalid')) {
    return refuse('issuer', `The access token was issued by someone else; ${LOG_IN_AGAIN}.`);
  }
  if (message === 'invalid signature') {
    return refuse('signature', `The access token's signature does not match its content; ${LOG_IN_AGAIN}.`);
  }
  if (message === 'invalid algorithm') {
    return refuse('algorithm', `The access token is not signed with ${ACCESS_TOKEN_ALGORITHM}; ${LOG_IN_AGAIN}.`);
  }
  return refuse('malformed', `The access token is not valid (${message}); ${LOG_IN_AGAIN}.`);
}

function refuse(reason: TokenRefusal, message: string): UnauthenticatedError {
  return new UnauthenticatedError(message, { reason }, { bearerError: 'invalid_token' });
}
