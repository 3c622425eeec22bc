import jwt from 'jsonwebtoken';
import { UnauthenticatedError } from './errors';
import { createTokenIssuer } from './tokenIssuer';
import { createTokenVerifier, type TokenRefusal } from './tokenVerifier';
import {
  AUDIENCE,
  ISSUER,
  NOW,
  NOW_SECONDS,
  SESSION_ID,
  USER_ID,
  claims,
  hs256WithPublicKey,
  makeTestKeys,
  rs256,
  signingInput,
  unsigned,
  type TestKeys,
} from './testing/jwtFixtures';

let keys: TestKeys;
let otherKeys: TestKeys;
beforeAll(() => {
  keys = makeTestKeys();
  otherKeys = makeTestKeys();
});

const at = (date: Date) => () => date;
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

function issuer(overrides: Partial<Parameters<typeof createTokenIssuer>[0]> = {}) {
  return createTokenIssuer({
    privateKey: keys.privateKey,
    kid: keys.kid,
    issuer: ISSUER,
    audience: AUDIENCE,
    clock: at(NOW),
    newTokenId: () => 'token-1',
    ...overrides,
  });
}

function verifier(overrides: Partial<Parameters<typeof createTokenVerifier>[0]> = {}) {
  return createTokenVerifier({ publicKeys: { [keys.kid]: keys.publicKey }, issuer: ISSUER, audience: AUDIENCE, clock: at(NOW), ...overrides });
}

/** The refusal, so that each test proves the token failed for the reason it is about. */
function refusalOf(verify: () => unknown): { reason: TokenRefusal; message: string; error: UnauthenticatedError } {
  try {
    verify();
  } catch (error) {
    if (!(error instanceof UnauthenticatedError)) throw error;
    return { reason: error.details['reason'] as TokenRefusal, message: error.message, error };
  }
  throw new Error('expected the token to be refused, but it was accepted');
}

describe('access tokens', () => {
  describe('when the issuer signs a token', () => {
    it('carries subject, role, session, issuer, audience, expiry and id, signed RS256 with the kid', () => {
      const issued = issuer().issueAccessToken({ userId: USER_ID, role: 'seller', sellerApproved: true, sessionId: SESSION_ID });

      const decoded = jwt.decode(issued.token, { complete: true });
      expect(decoded?.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: keys.kid });
      expect(decoded?.payload).toEqual({
        sub: USER_ID,
        role: 'seller',
        sid: SESSION_ID,
        seller_approved: true,
        iss: ISSUER,
        aud: AUDIENCE,
        iat: NOW_SECONDS,
        exp: NOW_SECONDS + 900,
        jti: 'token-1',
      });
      expect(issued.expiresAt).toEqual(later(900));
      expect(issued.expiresInSeconds).toBe(900);
    });

    it('verifies back to who the caller is', () => {
      const { token } = issuer({ accessTokenTtlSeconds: 60 }).issueAccessToken({ userId: USER_ID, role: 'admin', sessionId: SESSION_ID });

      expect(verifier().verifyAccessToken(token)).toEqual({
        userId: USER_ID,
        role: 'admin',
        sessionId: SESSION_ID,
        sellerApproved: false,
        expiresAt: later(60),
      });
    });

    it('marks only sellers as approved sellers', () => {
      const { token } = issuer().issueAccessToken({ userId: USER_ID, role: 'buyer', sellerApproved: true, sessionId: SESSION_ID });

      expect(jwt.decode(token)).not.toHaveProperty('seller_approved');
      expect(verifier().verifyAccessToken(token).sellerApproved).toBe(false);
    });

    it('refuses to issue a token without a valid role (a bug in the caller)', () => {
      expect(() => issuer().issueAccessToken({ userId: USER_ID, role: 'root' as never, sessionId: SESSION_ID })).toThrow(/role/);
    });

    it('accepts a PEM public key and tokens within the clock tolerance', () => {
      const { token } = issuer().issueAccessToken({ userId: USER_ID, role: 'buyer', sessionId: SESSION_ID });

      const lenient = verifier({ publicKeys: { [keys.kid]: keys.publicPem }, clock: at(later(904)) });
      expect(lenient.verifyAccessToken(token).userId).toBe(USER_ID);
    });
  });

  describe('when the verifier is given a token it must refuse', () => {
    it('refuses alg none', () => {
      const refusal = refusalOf(() => verifier().verifyAccessToken(unsigned(keys.kid, claims())));
      expect(refusal.reason).toBe('algorithm');
      expect(refusal.message).toMatch(/signed with none, but only RS256/);
    });

    it('refuses alg none spelt another way, with a stray signature', () => {
      const token = `${signingInput({ alg: 'NONE', kid: keys.kid }, claims())}.c2lnbmF0dXJl`;
      expect(refusalOf(() => verifier().verifyAccessToken(token)).reason).toBe('algorithm');
    });

    it('refuses HS256 signed with the public key as the secret (algorithm confusion)', () => {
      const token = hs256WithPublicKey(keys, claims({ role: 'admin' }));
      expect(refusalOf(() => verifier().verifyAccessToken(token)).reason).toBe('algorithm');
    });

    it('refuses the confusion attack even when the header claims RS256', () => {
      // Same HMAC, header relabelled: the RSA check must fail on it.
      const [, payload, mac] = hs256WithPublicKey(keys, claims({ role: 'admin' })).split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: keys.kid })).toString('base64url');
      expect(refusalOf(() => verifier().verifyAccessToken(`${header}.${payload}.${mac}`)).reason).toBe('signature');
    });

    it('refuses an expired token, saying when it expired and what to do', () => {
      const { token } = issuer().issueAccessToken({ userId: USER_ID, role: 'buyer', sessionId: SESSION_ID });

      const refusal = refusalOf(() => verifier({ clock: at(later(906)) }).verifyAccessToken(token));
      expect(refusal.reason).toBe('expired');
      expect(refusal.message).toBe('The access token expired at 2025-03-01T10:15:00.000Z; refresh it or log in again.');
    });

    it('refuses a token used before its nbf', () => {
      const token = rs256(keys, claims({ nbf: NOW_SECONDS + 60 }));
      expect(refusalOf(() => verifier().verifyAccessToken(token)).reason).toBe('not_yet_valid');
    });

    it('refuses a token for another audience', () => {
      const { token } = issuer({ audience: 'another-marketplace' }).issueAccessToken({ userId: USER_ID, role: 'buyer', sessionId: SESSION_ID });
      expect(refusalOf(() => verifier().verifyAccessToken(token)).reason).toBe('audience');
    });

    it('refuses a token without an audience', () => {
      expect(refusalOf(() => verifier().verifyAccessToken(rs256(keys, claims({ aud: undefined })))).reason).toBe('audience');
    });

    it('refuses a token from another issuer', () => {
      const { token } = issuer({ issuer: 'https://evil.example' }).issueAccessToken({ userId: USER_ID, role: 'buyer', sessionId: SESSION_ID });
      expect(refusalOf(() => verifier().verifyAccessToken(token)).reason).toBe('issuer');
    });

    it('refuses a tampered payload', () => {
      const { token } = issuer().issueAccessToken({ userId: USER_ID, role: 'buyer', sessionId: SESSION_ID });
      const [header, , signature] = token.split('.');
      const forged = Buffer.from(JSON.stringify(claims({ role: 'admin' }))).toString('base64url');

      expect(refusalOf(() => verifier().verifyAccessToken(`${header}.${forged}.${signature}`)).reason).toBe('signature');
    });

    it('refuses a token signed by another key under our kid', () => {
      const token = rs256({ privateKey: otherKeys.privateKey, kid: keys.kid }, claims());
      expect(refusalOf(() => verifier().verifyAccessToken(token)).reason).toBe('signature');
    });

    it.each([
      ['an unknown kid', { kid: 'not-a-known-key' }],
      ['no kid', { kid: undefined }],
      ['a kid that names an Object.prototype member', { kid: '__proto__' }],
    ])('refuses %s', (_name, header) => {
      expect(refusalOf(() => verifier().verifyAccessToken(rs256(keys, claims(), header))).reason).toBe('unknown_key');
    });

    it.each([
      ['no sub', { sub: undefined }],
      ['an empty sub', { sub: '' }],
      ['no role', { role: undefined }],
      ['an unknown role', { role: 'superuser' }],
      ['no session', { sid: undefined }],
      ['no expiry', { exp: undefined }],
      ['a seller_approved that is not a boolean', { role: 'seller', seller_approved: 'yes' }],
    ])('refuses a token with %s', (_name, overrides) => {
      expect(refusalOf(() => verifier().verifyAccessToken(rs256(keys, claims(overrides)))).reason).toBe('claims');
    });

    it.each([['an empty string', ''], ['garbage', 'not.a.jwt'], ['a huge token', 'a'.repeat(10_000)]])('refuses %s', (_name, token) => {
      expect(refusalOf(() => verifier().verifyAccessToken(token)).reason).toBe('malformed');
    });

    it('answers with a Bearer invalid_token challenge', () => {
      const { error } = refusalOf(() => verifier().verifyAccessToken(unsigned(keys.kid, claims())));
      expect(error.status).toBe(401);
      expect(error.code).toBe('unauthenticated');
      expect(error.headers['WWW-Authenticate']).toBe(
        'Bearer error="invalid_token", error_description="The access token is signed with none, but only RS256 is accepted; log in again to get a new one."',
      );
    });
  });

  describe('when the same token comes again', () => {
    afterEach(() => jest.restoreAllMocks());

    it('checks its signature once and its expiry every time, refusing it once expired as it would have anyway', () => {
      const { token } = issuer().issueAccessToken({ userId: USER_ID, role: 'buyer', sessionId: SESSION_ID });
      let now = NOW;
      const cached = verifier({ clock: () => now });
      const verify = jest.spyOn(jwt, 'verify');

      const first = cached.verifyAccessToken(token);
      now = later(904); // past exp (900 s), within the 5 s tolerance
      expect(cached.verifyAccessToken(token)).toEqual(first);
      expect(verify).toHaveBeenCalledTimes(1);

      now = later(906);
      const refusal = refusalOf(() => cached.verifyAccessToken(token));
      expect(refusal.reason).toBe('expired');
      expect(refusal.message).toBe('The access token expired at 2025-03-01T10:15:00.000Z; refresh it or log in again.');
      expect(verify).toHaveBeenCalledTimes(2);
    });

    it('still refuses a tampered copy of a token it accepted', () => {
      const cached = verifier();
      const token = rs256(keys, claims({ role: 'buyer' }));
      cached.verifyAccessToken(token);
      const [header, , signature] = token.split('.');
      const forged = `${header}.${Buffer.from(JSON.stringify(claims({ role: 'admin' }))).toString('base64url')}.${signature}`;
      expect(refusalOf(() => cached.verifyAccessToken(forged)).reason).toBe('signature');
    });

    it('keeps at most cacheSize tokens, forgetting the oldest', () => {
      const cached = verifier({ cacheSize: 2 });
      const tokens = [1, 2, 3].map((n) => issuer({ newTokenId: () => `token-${n}` }).issueAccessToken({ userId: USER_ID, role: 'buyer', sessionId: SESSION_ID }).token);
      for (const token of tokens) cached.verifyAccessToken(token);
      const verify = jest.spyOn(jwt, 'verify');

      cached.verifyAccessToken(tokens[2]!);
      cached.verifyAccessToken(tokens[1]!);
      expect(verify).toHaveBeenCalledTimes(0);
      cached.verifyAccessToken(tokens[0]!);
      expect(verify).toHaveBeenCalledTimes(1);
    });
  });

  describe('when keys rotate', () => {
    it('accepts tokens signed by any key it knows, chosen by kid', () => {
      const both = verifier({ publicKeys: { [keys.kid]: keys.publicKey, [otherKeys.kid]: otherKeys.publicKey } });
      const byOther = createTokenIssuer({ privateKey: otherKeys.privateKey, kid: otherKeys.kid, issuer: ISSUER, audience: AUDIENCE, clock: at(NOW) });

      expect(both.verifyAccessToken(byOther.issueAccessToken({ userId: USER_ID, role: 'buyer', sessionId: SESSION_ID }).token).userId).toBe(USER_ID);
      expect(both.verifyAccessToken(issuer().issueAccessToken({ userId: USER_ID, role: 'buyer', sessionId: SESSION_ID }).token).userId).toBe(USER_ID);
    });
  });
});
