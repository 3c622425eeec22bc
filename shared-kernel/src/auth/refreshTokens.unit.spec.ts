import { createHash } from 'node:crypto';
import { UnauthenticatedError } from './errors';
import { hashRefreshToken, newRefreshToken, parseRefreshToken } from './refreshTokens';

const SESSION_ID = '0195a1b2-0000-7000-8000-0000000000aa';

describe('refresh tokens', () => {
  describe('when a session gets a new token', () => {
    it('is the session id, a dot and 32 random bytes in base64url, with the SHA-256 of it all to store', () => {
      const { token, hash } = newRefreshToken(SESSION_ID);

      expect(token).toMatch(/^0195a1b2-0000-7000-8000-0000000000aa\.[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.split('.')[1] ?? '', 'base64url')).toHaveLength(32);
      expect(hash).toBe(createHash('sha256').update(token).digest('hex'));
    });

    it('is different every time', () => {
      expect(newRefreshToken(SESSION_ID).token).not.toBe(newRefreshToken(SESSION_ID).token);
    });

    it('needs a session id that is a UUID (anything else is a bug in the caller)', () => {
      expect(() => newRefreshToken('session-1')).toThrow(/UUID/);
    });
  });

  describe('when a client presents a token', () => {
    it('gives back the session id and the hash to compare with the stored one', () => {
      const { token, hash } = newRefreshToken(SESSION_ID);
      expect(parseRefreshToken(token)).toEqual({ sessionId: SESSION_ID, hash });
      expect(hashRefreshToken(token)).toBe(hash);
    });

    it.each([
      ['an empty string', ''],
      ['no dot', 'abc'],
      ['a session id that is not a UUID', `session-1.${'a'.repeat(43)}`],
      ['an upper-case session id', `${SESSION_ID.toUpperCase()}.${'a'.repeat(43)}`],
      ['a short secret', `${SESSION_ID}.${'a'.repeat(42)}`],
      ['a secret with characters outside base64url', `${SESSION_ID}.${'a'.repeat(42)}=`],
      ['three parts', `${SESSION_ID}.${'a'.repeat(43)}.x`],
      ['an access token', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ])('refuses %s as malformed', (_name, token) => {
      expect(() => parseRefreshToken(token)).toThrow(new UnauthenticatedError('The refresh token is malformed; log in again.'));
    });

    it('refuses something that is not a string', () => {
      expect(() => parseRefreshToken(42 as unknown as string)).toThrow(UnauthenticatedError);
    });
  });
});
