/**
 * Refresh tokens: opaque strings `<sessionId>.<secret>`, the secret 32 random bytes in base64url.
 * Only the SHA-256 of the whole token is stored (a stolen event store yields no usable token);
 * plain SHA-256 suffices because the secret is random, not a password.
 *
 * The session id is readable by anyone who holds the token (and is in the access token's `sid`),
 * so it is no secret: the session aggregate that rotates these tokens should treat a hash it has
 * never issued as a forgery (refuse), and only a hash it has already rotated away as reuse (revoke).
 */
import { createHash, randomBytes } from 'node:crypto';
import { validate as isUuid } from 'uuid';
import { UnauthenticatedError } from './errors';

const SECRET_BYTES = 32;
const SECRET = /^[A-Za-z0-9_-]{43}$/; // 32 bytes in unpadded base64url

export interface NewRefreshToken {
  /** Give to the client once; never store it. */
  token: string;
  /** Store this (hex SHA-256 of the token). */
  hash: string;
}

export interface ParsedRefreshToken {
  sessionId: string;
  hash: string;
}

export function newRefreshToken(sessionId: string): NewRefreshToken {
  if (!isCanonicalUuid(sessionId)) throw new Error(`A refresh token needs a lowercase UUID as its session id, not ${JSON.stringify(sessionId)}.`);
  const token = `${sessionId}.${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

/** Throws UnauthenticatedError for anything that is not a refresh token of ours. */
export function parseRefreshToken(token: string): ParsedRefreshToken {
  const parts = typeof token === 'string' ? token.split('.') : [];
  const [sessionId, secret] = parts;
  if (parts.length !== 2 || !sessionId || !secret || !isCanonicalUuid(sessionId) || !SECRET.test(secret)) {
    throw new UnauthenticatedError('The refresh token is malformed; log in again.', { reason: 'malformed' }, { bearerError: 'invalid_token' });
  }
  return { sessionId, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

// Lowercase only, as we issue them: an upper-cased copy would hash differently anyway.
function isCanonicalUuid(value: string): boolean {
  return isUuid(value) && value === value.toLowerCase();
}
