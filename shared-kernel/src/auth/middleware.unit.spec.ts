import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { DomainError } from '../errors';
import { authOf, authenticate, maybeAuthOf, requireApprovedSeller, requireRole, requireSelfOrAdmin } from './middleware';
import type { AccessTokenSubject } from './tokenIssuer';
import { createTokenIssuer } from './tokenIssuer';
import { createTokenVerifier } from './tokenVerifier';
import { AUDIENCE, ISSUER, NOW, SESSION_ID, USER_ID, claims, hs256WithPublicKey, makeTestKeys, type TestKeys } from './testing/jwtFixtures';

const OTHER_USER_ID = '0195a1b2-0000-7000-8000-000000000002';

let keys: TestKeys;
beforeAll(() => {
  keys = makeTestKeys();
});

const clock = () => NOW;

function tokenFor(subject: Partial<AccessTokenSubject> = {}, ttlSeconds = 900): string {
  const issuer = createTokenIssuer({ privateKey: keys.privateKey, kid: keys.kid, issuer: ISSUER, audience: AUDIENCE, accessTokenTtlSeconds: ttlSeconds, clock });
  return issuer.issueAccessToken({ userId: USER_ID, role: 'buyer', sessionId: SESSION_ID, ...subject }).token;
}

/**
 * A minimal app; the error handler stands in for the HTTP kit's problem+json mapping and relies
 * only on what the auth errors carry (`status`, `code`, `headers`).
 */
function app() {
  const verifier = createTokenVerifier({ publicKeys: { [keys.kid]: keys.publicKey }, issuer: ISSUER, audience: AUDIENCE, clock });
  const server = express();
  server.get('/me', authenticate(verifier), (_req, res) => {
    res.json(authOf(res));
  });
  server.get('/listings', authenticate(verifier, { optional: true }), (_req, res) => {
    res.json({ caller: maybeAuthOf(res)?.userId ?? 'anonymous' });
  });
  server.get('/admin/users', authenticate(verifier), requireRole('admin'), (_req, res) => {
    res.json({ ok: true });
  });
  server.get('/listings/mine', authenticate(verifier, { optional: true }), requireRole('seller', 'admin'), (_req, res) => {
    res.json({ ok: true });
  });
  server.put('/users/:id', authenticate(verifier), requireSelfOrAdmin(), (req, res) => {
    res.json({ updated: req.params.id });
  });
  server.get('/shops/:shopId/owners/:userId', authenticate(verifier), requireSelfOrAdmin('userId'), (_req, res) => {
    res.json({ ok: true });
  });
  server.post('/products', authenticate(verifier), requireApprovedSeller(), (_req, res) => {
    res.status(201).json({ ok: true });
  });
  const problems: ErrorRequestHandler = (error, _req, res, _next) => {
    if (error instanceof DomainError && 'status' in error) {
      res.status(error.status as number).json({ code: error.code, detail: error.message, ...error.details });
      return;
    }
    res.status(500).json({ code: 'bug', detail: String(error) });
  };
  server.use(problems);
  return server;
}

describe('auth middleware', () => {
  describe('authenticate', () => {
    it('puts the caller on res.locals.auth', async () => {
      const response = await request(app()).get('/me').set('Authorization', `Bearer ${tokenFor({ role: 'seller', sellerApproved: true })}`);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ userId: USER_ID, role: 'seller', sessionId: SESSION_ID, sellerApproved: true });
    });

    it('accepts the scheme in any case', async () => {
      const response = await request(app()).get('/me').set('Authorization', `bearer ${tokenFor()}`);
      expect(response.status).toBe(200);
    });

    it('answers 401 with a bare Bearer challenge when there is no token', async () => {
      const response = await request(app()).get('/me');

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.body).toEqual({
        code: 'unauthenticated',
        detail: 'This needs an access token: send it as "Authorization: Bearer <token>".',
        reason: 'missing',
      });
    });

    it('answers 401 invalid_request for another scheme', async () => {
      const response = await request(app()).get('/me').set('Authorization', 'Basic cmFoaW06c2VjcmV0');

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        `Bearer error="invalid_request", error_description="The Authorization header must be 'Bearer <access token>'."`,
      );
    });

    it('answers 401 invalid_token, saying when, for an expired token', async () => {
      const expired = tokenFor({}, 1);
      const verifier = createTokenVerifier({
        publicKeys: { [keys.kid]: keys.publicKey },
        issuer: ISSUER,
        audience: AUDIENCE,
        clock: () => new Date(NOW.getTime() + 60_000),
      });
      const server = express();
      server.get('/me', authenticate(verifier), (_req, res) => {
        res.json(authOf(res));
      });

      const response = await request(server).get('/me').set('Authorization', `Bearer ${expired}`);

      // No custom error handler here: Express's own honours `status` and `headers` too.
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="The access token expired at 2025-03-01T10:00:01.000Z; refresh it or log in again."',
      );
    });

    it('answers 401 for the HS256 confusion attack', async () => {
      const forged = hs256WithPublicKey(keys, claims({ role: 'admin' }));

      const response = await request(app()).get('/admin/users').set('Authorization', `Bearer ${forged}`);

      expect(response.status).toBe(401);
      expect(response.body.reason).toBe('algorithm');
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    });

    describe('when authentication is optional', () => {
      it('lets an anonymous request through', async () => {
        const response = await request(app()).get('/listings');
        expect(response.body).toEqual({ caller: 'anonymous' });
      });

      it('knows the caller when there is a token', async () => {
        const response = await request(app()).get('/listings').set('Authorization', `Bearer ${tokenFor()}`);
        expect(response.body).toEqual({ caller: USER_ID });
      });

      it('still refuses a bad token rather than treating it as anonymous', async () => {
        const response = await request(app()).get('/listings').set('Authorization', 'Bearer not-a-token');
        expect(response.status).toBe(401);
      });
    });
  });

  describe('requireRole', () => {
    it('lets the role in', async () => {
      const response = await request(app()).get('/admin/users').set('Authorization', `Bearer ${tokenFor({ role: 'admin' })}`);
      expect(response.status).toBe(200);
    });

    it('answers 403 to another role, naming who may', async () => {
      const response = await request(app()).get('/admin/users').set('Authorization', `Bearer ${tokenFor({ role: 'seller' })}`);

      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        code: 'forbidden',
        detail: 'Only admin accounts may do this; yours is a seller account.',
        role: 'seller',
        allowed: ['admin'],
      });
    });

    it('answers 401, not 403, to an anonymous caller behind optional authentication', async () => {
      const response = await request(app()).get('/listings/mine');
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    });
  });

  describe('requireSelfOrAdmin', () => {
    it('lets a user change their own account', async () => {
      const response = await request(app()).put(`/users/${USER_ID}`).set('Authorization', `Bearer ${tokenFor()}`);
      expect(response.body).toEqual({ updated: USER_ID });
    });

    it('answers 403 to a user changing someone else\'s', async () => {
      const response = await request(app()).put(`/users/${OTHER_USER_ID}`).set('Authorization', `Bearer ${tokenFor({ role: 'seller' })}`);

      expect(response.status).toBe(403);
      expect(response.body.detail).toBe('You may only see and change your own account.');
    });

    it('lets an admin change anyone\'s', async () => {
      const response = await request(app()).put(`/users/${OTHER_USER_ID}`).set('Authorization', `Bearer ${tokenFor({ role: 'admin' })}`);
      expect(response.status).toBe(200);
    });

    it('reads the parameter it is told to', async () => {
      const mine = await request(app()).get(`/shops/s1/owners/${USER_ID}`).set('Authorization', `Bearer ${tokenFor()}`);
      const theirs = await request(app()).get(`/shops/s1/owners/${OTHER_USER_ID}`).set('Authorization', `Bearer ${tokenFor()}`);

      expect([mine.status, theirs.status]).toEqual([200, 403]);
    });

    it('answers 401 without a token', async () => {
      expect((await request(app()).put(`/users/${USER_ID}`)).status).toBe(401);
    });
  });

  describe('requireApprovedSeller', () => {
    it.each([
      ['an approved seller', { role: 'seller', sellerApproved: true }, 201],
      ['a seller awaiting approval', { role: 'seller', sellerApproved: false }, 403],
      ['a buyer', { role: 'buyer' }, 403],
      ['an admin', { role: 'admin' }, 403],
    ] as const)('answers %s with %s', async (_name, subject, status) => {
      const response = await request(app()).post('/products').set('Authorization', `Bearer ${tokenFor(subject)}`);
      expect(response.status).toBe(status);
    });

    it('tells a seller awaiting approval what to do once approved', async () => {
      const response = await request(app()).post('/products').set('Authorization', `Bearer ${tokenFor({ role: 'seller' })}`);
      expect(response.body.detail).toMatch(/not been approved yet.*refresh your access token/);
    });
  });
});
