/**
 * Signs access tokens. Only the account service holds the private key; every other service
 * verifies with the public key (tokenVerifier.ts).
 */
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_ALGORITHM, type AccessTokenClaims } from './accessTokenClaims';
import { isUserRole, type UserRole } from './roles';

export interface TokenIssuerOptions {
  privateKey: KeyObject | string;
  /** Put in the token header so that verifiers can pick the key (see keyIdOf). */
  kid: string;
  issuer: string;
  audience: string;
  /** Short on purpose: an access token cannot be revoked before it expires. */
  accessTokenTtlSeconds?: number;
  clock?: () => Date;
  /** The token id (`jti`); random UUIDs by default. */
  newTokenId?: () => string;
}

export interface AccessTokenSubject {
  userId: string;
  role: UserRole;
  sessionId: string;
  sellerApproved?: boolean;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
  /** For the `expires_in` of a login or refresh answer. */
  expiresInSeconds: number;
}

export interface TokenIssuer {
  issueAccessToken(subject: AccessTokenSubject): IssuedAccessToken;
}

export function createTokenIssuer(options: TokenIssuerOptions): TokenIssuer {
  const {
    kid,
    issuer,
    audience,
    accessTokenTtlSeconds = 900,
    clock = () => new Date(),
    newTokenId = randomUUID,
  } = options;
  const privateKey = typeof options.privateKey === 'string' ? createPrivateKey(options.privateKey) : options.privateKey;
  if (!Number.isInteger(accessTokenTtlSeconds) || accessTokenTtlSeconds <= 0) {
    throw new Error(`accessTokenTtlSeconds must be a positive whole number of seconds, not ${accessTokenTtlSeconds}.`);
  }
  if (!kid || !issuer || !audience) throw new Error('A token issuer needs a kid, an issuer and an audience.');

  return {
    issueAccessToken(subject) {
      // The subject comes from our own code (a session just opened), so a bad one is a bug.
      if (!subject.userId || !subject.sessionId || !isUserRole(subject.role)) {
        throw new Error(`Cannot issue an access token for ${JSON.stringify(subject)}: it needs a userId, a sessionId and a role.`);
      }
      const iat = Math.floor(clock().getTime() / 1000);
      const claims: AccessTokenClaims = {
        sub: subject.userId,
        role: subject.role,
        sid: subject.sessionId,
        ...(subject.role === 'seller' && subject.sellerApproved === true ? { seller_approved: true } : {}),
        iss: issuer,
        aud: audience,
        iat,
        exp: iat + accessTokenTtlSeconds,
        jti: newTokenId(),
      };
      // Every time claim is set explicitly, so jsonwebtoken's own clock plays no part.
      const token = jwt.sign(claims, privateKey, { algorithm: ACCESS_TOKEN_ALGORITHM, keyid: kid });
      return { token, expiresAt: new Date(claims.exp * 1000), expiresInSeconds: accessTokenTtlSeconds };
    },
  };
}
