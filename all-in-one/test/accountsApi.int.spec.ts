/**
 * The account service and the query API over HTTP, against the real PostgreSQL: every route,
 * every role, every refusal; bad input never gives a 500 nor writes anything.
 */
import { createHmac, createSign, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithServer, requireServerUrl } from '../../test/servers';
import { addressBody, kycBody, TestMarketplace, type Actor, type Answer } from './marketplaceHarness';

const PROBLEM = 'application/problem+json';

describeWithServer('postgres', 'the accounts API', () => {
  let t: TestMarketplace;
  let admin: Actor;
  let buyer: Actor;

  beforeAll(async () => {
    t = await TestMarketplace.start(requireServerUrl('postgres'));
    admin = await t.createAdmin();
    buyer = await t.register('buyer');
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  const expectProblem = (answer: Answer, status: number) => {
    expect({ status: answer.status, type: answer.headers.get('content-type')?.split(';')[0] }).toEqual({ status, type: PROBLEM });
    expect(answer.body).toEqual(expect.objectContaining({ status, title: expect.any(String), detail: expect.any(String) }));
  };

  describe('a seller from registration to approval, read back with read-your-writes', () => {
    it('registers, submits KYC, is approved by an admin, and the query API shows it', async () => {
      const seller = await t.register('seller', 'মিম ফ্যাশন হাউস');
      const kyc = await t.call<{ position: string; revision: number }>('POST', `/v1/vendors/${seller.id}/kyc`, { token: seller.accessToken, body: kycBody() });
      expect(kyc.status).toBe(200);
      expect(kyc.headers.get('etag')).toBe(`"${kyc.body.revision}"`);

      const queue = await t.call<{ items: Array<{ accountId: string; status: string }> }>('GET', '/v1/admin/kyc?status=pending', { token: admin.accessToken, headers: { 'X-Consistent-After': kyc.body.position } });
      expect(queue.body.items).toContainEqual(expect.objectContaining({ accountId: seller.id, status: 'pending', nationalIdNumber: '1990123456789', documents: [{ kind: 'trade_licence', reference: 'kyc/licence.pdf' }] }));

      expect((await t.call('PUT', `/v1/admin/kyc/${seller.id}/approve`, { token: admin.accessToken })).status).toBe(200);
      const approved = await t.call<{ position: string }>('PUT', `/v1/vendors/${seller.id}/approve`, { token: admin.accessToken });
      expect(approved.status).toBe(200);

      const profile = await t.call('GET', `/v1/users/${seller.id}`, { token: seller.accessToken, headers: { 'X-Consistent-After': approved.body.position } });
      expect(profile.status).toBe(200);
      expect(profile.body).toEqual(expect.objectContaining({ id: seller.id, role: 'seller', name: 'মিম ফ্যাশন হাউস', sellerApproved: true, kyc: { status: 'approved', reason: null } }));
      const vendor = await t.call('GET', `/v1/vendors/${seller.id}`);
      expect(vendor.body).toEqual({ id: seller.id, name: 'মিম ফ্যাশন হাউস', approved: true, since: expect.any(String) });
    });

    it('answers 503 with Retry-After when the read model cannot catch up in time', async () => {
      const farAhead = `${'9'.repeat(20)}/${'0'.repeat(20)}`;
      const answer = await t.call('GET', `/v1/users/${buyer.id}`, { token: buyer.accessToken, headers: { 'X-Consistent-After': farAhead } });
      expectProblem(answer, 503);
      expect(answer.headers.get('retry-after')).toBe('1');
    });
  });

  describe('the access matrix', () => {
    type Who = 'anonymous' | 'buyer' | 'seller' | 'other seller' | 'admin';
    let seller: Actor;
    let other: Actor;
    let addressId: string;
    const token = (who: Who) => ({ anonymous: undefined, buyer: buyer.accessToken, seller: seller.accessToken, 'other seller': other.accessToken, admin: admin.accessToken })[who];

    beforeAll(async () => {
      seller = await t.register('seller');
      other = await t.register('seller');
      const added = await t.call('POST', `/v1/users/${seller.id}/addresses`, { token: seller.accessToken, body: addressBody() });
      addressId = added.headers.get('location')!.split('/').pop()!;
    });

    // The statuses of those who may not; the ones who may are exercised with a real change.
    const cases: Array<{ route: string; call: () => [string, string, unknown?]; expected: Partial<Record<Who, number>> }> = [
      { route: 'PUT /v1/users/{id}', call: () => ['PUT', `/v1/users/${seller.id}`, { name: 'New Name' }], expected: { anonymous: 401, buyer: 403, 'other seller': 403, seller: 200, admin: 200 } },
      { route: 'PUT /v1/users/{id}/password', call: () => ['PUT', `/v1/users/${seller.id}/password`, { currentPassword: 'wrong one!', newPassword: 'another password' }], expected: { anonymous: 401, buyer: 403, 'other seller': 403, admin: 403, seller: 403 } },
      { route: 'POST /v1/users/{id}/addresses', call: () => ['POST', `/v1/users/${seller.id}/addresses`, addressBody()], expected: { anonymous: 401, buyer: 403, 'other seller': 403, seller: 201, admin: 201 } },
      { route: 'PUT /v1/users/{id}/addresses/{addressId}', call: () => ['PUT', `/v1/users/${seller.id}/addresses/${addressId}`, addressBody('House 99')], expected: { anonymous: 401, buyer: 403, 'other seller': 403, seller: 200, admin: 200 } },
      { route: 'PUT /v1/users/{id}/default-address', call: () => ['PUT', `/v1/users/${seller.id}/default-address`, { addressId }], expected: { anonymous: 401, buyer: 403, 'other seller': 403, seller: 200, admin: 200 } },
      { route: 'DELETE /v1/users/{id}/addresses/{addressId}', call: () => ['DELETE', `/v1/users/${seller.id}/addresses/${randomUUID()}`], expected: { anonymous: 401, buyer: 403, 'other seller': 403, seller: 404, admin: 404 } },
      { route: 'POST /v1/vendors/{id}/kyc', call: () => ['POST', `/v1/vendors/${seller.id}/kyc`, kycBody()], expected: { anonymous: 401, buyer: 403, 'other seller': 403, admin: 403 } },
      { route: 'PUT /v1/admin/kyc/{id}/approve', call: () => ['PUT', `/v1/admin/kyc/${seller.id}/approve`], expected: { anonymous: 401, buyer: 403, seller: 403, 'other seller': 403 } },
      { route: 'PUT /v1/admin/kyc/{id}/reject', call: () => ['PUT', `/v1/admin/kyc/${seller.id}/reject`, { reason: 'Blurry scan of the licence.' }], expected: { anonymous: 401, buyer: 403, seller: 403, 'other seller': 403 } },
      { route: 'PUT /v1/vendors/{id}/approve', call: () => ['PUT', `/v1/vendors/${seller.id}/approve`], expected: { anonymous: 401, buyer: 403, seller: 403, 'other seller': 403, admin: 409 } },
      { route: 'PUT /v1/admin/users/{id}/block', call: () => ['PUT', `/v1/admin/users/${other.id}/block`, { reason: 'Selling counterfeit goods.' }], expected: { anonymous: 401, buyer: 403, seller: 403, 'other seller': 403 } },
      { route: 'PUT /v1/admin/users/{id}/unblock', call: () => ['PUT', `/v1/admin/users/${other.id}/unblock`], expected: { anonymous: 401, buyer: 403, seller: 403, 'other seller': 403, admin: 200 } },
      { route: 'DELETE /v1/admin/users/{id}', call: () => ['DELETE', `/v1/admin/users/${randomUUID()}`], expected: { anonymous: 401, buyer: 403, seller: 403, 'other seller': 403, admin: 404 } },
      { route: 'GET /v1/users/{id}', call: () => ['GET', `/v1/users/${seller.id}`], expected: { anonymous: 401, buyer: 403, 'other seller': 403, seller: 200, admin: 200 } },
      { route: 'GET /v1/vendors/{id}', call: () => ['GET', `/v1/vendors/${seller.id}`], expected: { anonymous: 200, buyer: 200, seller: 200, 'other seller': 200, admin: 200 } },
      { route: 'GET /v1/admin/users', call: () => ['GET', '/v1/admin/users'], expected: { anonymous: 401, buyer: 403, seller: 403, 'other seller': 403, admin: 200 } },
      { route: 'GET /v1/admin/kyc', call: () => ['GET', '/v1/admin/kyc'], expected: { anonymous: 401, buyer: 403, seller: 403, 'other seller': 403, admin: 200 } },
    ];

    it.each(cases.map((c) => [c.route, c]))('%s', async (_route, { call, expected }) => {
      const results: Partial<Record<Who, number>> = {};
      for (const who of Object.keys(expected) as Who[]) {
        const [method, path, body] = call();
        const answer = await t.call(method, path, { token: token(who), body });
        results[who] = answer.status;
        if (answer.status >= 400) expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        if (answer.status === 401) expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
      expect(results).toEqual(expected);
    });
  });

  describe('bad input: a 4xx problem, never a 500, nothing written', () => {
    let seller: Actor;
    beforeAll(async () => {
      seller = await t.register('seller');
    });

    const routes = (): Array<[string, string, string, () => string | undefined]> => [
      ['POST', '/v1/auth/register', 'register', () => undefined],
      ['POST', '/v1/auth/login', 'login', () => undefined],
      ['POST', '/v1/auth/refresh', 'refresh', () => undefined],
      ['POST', '/v1/auth/logout', 'logout', () => undefined],
      ['PUT', `/v1/users/${seller.id}`, 'profile', () => seller.accessToken],
      ['PUT', `/v1/users/${seller.id}/password`, 'password', () => seller.accessToken],
      ['POST', `/v1/users/${seller.id}/addresses`, 'add address', () => seller.accessToken],
      ['PUT', `/v1/users/${seller.id}/default-address`, 'default address', () => seller.accessToken],
      ['POST', `/v1/vendors/${seller.id}/kyc`, 'kyc', () => seller.accessToken],
      ['PUT', `/v1/admin/kyc/${seller.id}/reject`, 'reject kyc', () => admin.accessToken],
      ['PUT', `/v1/admin/users/${seller.id}/block`, 'block', () => admin.accessToken],
    ];

    it.each([
      ['malformed JSON', { rawBody: '{"email": "a@b.c", ' }, 400],
      ['a JSON array', { rawBody: '[1,2,3]' }, 400],
      ['wrong types', { body: { email: 42, password: true, name: [], role: 7, refreshToken: 5, nationalIdNumber: 1, reason: false, addressId: 3, currentPassword: 1, newPassword: 2, label: 1 } }, 400],
      ['missing fields', { body: {} }, 400],
      ['an unknown field', { body: { surprise: 'field' } }, 400],
      ['an oversized body', { body: { email: 'a@b.co', padding: 'x'.repeat(200_000) } }, 413],
    ])('refuses %s on every command route', async (_what, request, status) => {
      const before = await t.head();
      for (const [method, path, , token] of routes()) {
        const answer = await t.call(method, path, { token: token(), ...request });
        expect({ route: `${method} ${path}`, status: answer.status }).toEqual({ route: `${method} ${path}`, status });
        expectProblem(answer, status);
      }
      expect(await t.head()).toBe(before);
    });

    it.each([
      ['role admin slipped into registration', { email: 'sneaky@example.com', password: 'a good password', name: 'Sneaky', role: 'admin' }],
      ['a password longer than 72 bytes (Bangla, 30 characters)', { email: 'long@example.com', password: 'আমার সোনার বাংলা আমি তোমায় ভালোবাসি', name: 'Long', role: 'buyer' }],
      ['an email that is not one', { email: 'not-an-email', password: 'a good password', name: 'X', role: 'buyer' }],
      ['a phone that is not Bangladeshi', { email: 'p@example.com', password: 'a good password', name: 'X', phone: '+15551234567', role: 'buyer' }],
      ['a blank name', { email: 'b@example.com', password: 'a good password', name: '   ', role: 'buyer' }],
    ])('refuses registration with %s', async (_what, body) => {
      const before = await t.head();
      const answer = await t.call('POST', '/v1/auth/register', { body });
      expectProblem(answer, 400);
      expect(await t.head()).toBe(before);
    });

    it.each([
      ['registration', () => ['POST', '/v1/auth/register', { email: 'extra@example.com', password: 'a good password', name: 'Extra', role: 'buyer', isAdmin: true }, undefined]],
      ['a new address', () => ['POST', `/v1/users/${seller.id}/addresses`, { ...addressBody(), verified: true }, seller.accessToken]],
      ['a profile', () => ['PUT', `/v1/users/${seller.id}`, { name: 'Ok', role: 'admin' }, seller.accessToken]],
      ['a KYC submission', () => ['POST', `/v1/vendors/${seller.id}/kyc`, { ...kycBody(), approved: true }, seller.accessToken]],
    ] as Array<[string, () => [string, string, unknown, string | undefined]]>)('refuses %s whose only fault is one field too many, naming it', async (_what, make) => {
      const [method, path, body, token] = make();
      const before = await t.head();
      const answer = await t.call<{ errors: Array<{ path: string; message: string }> }>(method, path, { token, body });
      expectProblem(answer, 400);
      expect(JSON.stringify(answer.body.errors)).toMatch(/must NOT have additional properties/);
      expect(await t.head()).toBe(before);
    });

    it('refuses a second account for a registered email, whatever its case', async () => {
      const answer = await t.call('POST', '/v1/auth/register', { body: { email: buyer.email.toUpperCase(), password: 'a good password', name: 'Twin', role: 'buyer' } });
      expectProblem(answer, 409);
    });

    it('refuses a malformed id in the path with 400, an unknown one with 404', async () => {
      expectProblem(await t.call('GET', '/v1/users/not-a-uuid', { token: admin.accessToken }), 400);
      // a form the validator's uuid format takes and PostgreSQL's uuid type does not
      expectProblem(await t.call('GET', `/v1/users/urn:uuid:${randomUUID()}`, { token: admin.accessToken }), 400);
      expectProblem(await t.call('GET', `/v1/users/${randomUUID()}`, { token: admin.accessToken }), 404);
      expectProblem(await t.call('GET', `/v1/vendors/${buyer.id}`), 404);
      expectProblem(await t.call('GET', '/v1/nothing-here'), 404);
    });

    it('refuses a bad query: an unknown parameter, a limit above 100, a forged cursor', async () => {
      expectProblem(await t.call('GET', '/v1/admin/users?colour=blue', { token: admin.accessToken }), 400);
      expectProblem(await t.call('GET', '/v1/admin/users?limit=500', { token: admin.accessToken }), 400);
      expectProblem(await t.call('GET', '/v1/admin/users?cursor=bm9wZQ', { token: admin.accessToken }), 400);
      expectProblem(await t.call('GET', `/v1/users/${buyer.id}`, { token: buyer.accessToken, headers: { 'X-Consistent-After': 'soon' } }), 400);
    });
  });

  describe('access tokens', () => {
    const keyDir = () => join(t.config.BDBAZAR_DATA_DIR, 'keys');
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = (overrides: Record<string, unknown> = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return { sub: buyer.id, role: 'admin', sid: randomUUID(), iss: 'bdbazar', aud: 'bdbazar', iat: now, exp: now + 600, ...overrides };
    };
    const kid = () => JSON.parse(Buffer.from(buyer.accessToken.split('.')[0]!, 'base64url').toString()).kid as string;
    const rs256 = (payload: Record<string, unknown>) => {
      const unsigned = `${b64({ alg: 'RS256', typ: 'JWT', kid: kid() })}.${b64(payload)}`;
      const signature = createSign('RSA-SHA256').update(unsigned).sign(readFileSync(join(keyDir(), 'jwt-private.pem'), 'utf8')).toString('base64url');
      return `${unsigned}.${signature}`;
    };

    it.each([
      ['alg none', () => `${b64({ alg: 'none', typ: 'JWT', kid: kid() })}.${b64(claims())}.`],
      [
        'HS256 signed with the public key',
        () => {
          const unsigned = `${b64({ alg: 'HS256', typ: 'JWT', kid: kid() })}.${b64(claims())}`;
          return `${unsigned}.${createHmac('sha256', readFileSync(join(keyDir(), 'jwt-public.pem'))).update(unsigned).digest('base64url')}`;
        },
      ],
      ['expired', () => rs256(claims({ iat: 1_700_000_000, exp: 1_700_000_600 }))],
      ['for another audience', () => rs256(claims({ aud: 'someone-else' }))],
      ['from another issuer', () => rs256(claims({ iss: 'evil' }))],
      [
        'with a tampered payload',
        () => {
          const [header, , signature] = buyer.accessToken.split('.');
          return `${header}.${b64(claims())}.${signature}`;
        },
      ],
      ['that is not a JWT', () => 'not.a.token'],
    ])('refuses a token %s with 401', async (_what, make) => {
      const answer = await t.call('GET', '/v1/admin/users', { token: make() });
      expectProblem(answer, 401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    });

    it('accepts a well-signed token (the control)', async () => {
      expect((await t.call('GET', `/v1/users/${buyer.id}`, { token: rs256(claims({ role: 'buyer' })) })).status).toBe(200);
    });
  });

  describe('sessions', () => {
    it('rotates refresh tokens, ends the session on reuse, and logs out', async () => {
      const user = await t.register('buyer');
      const rotated = await t.call<{ refreshToken: string; accessToken: string }>('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(rotated.status).toBe(200);
      expectProblem(await t.call('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } }), 401);
      expectProblem(await t.call('POST', '/v1/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } }), 401);

      const again = await t.login(user.email, user.password);
      expect((await t.call('POST', '/v1/auth/logout', { body: { refreshToken: again.refreshToken } })).status).toBe(204);
      expectProblem(await t.call('POST', '/v1/auth/refresh', { body: { refreshToken: again.refreshToken } }), 401);
    });

    it('refuses login and refresh to a blocked user', async () => {
      const user = await t.register('buyer');
      expect((await t.call('PUT', `/v1/admin/users/${user.id}/block`, { token: admin.accessToken, body: { reason: 'Abusive messages to sellers.' } })).status).toBe(200);
      expectProblem(await t.call('POST', '/v1/auth/login', { body: { email: user.email, password: user.password } }), 403);
      expectProblem(await t.call('POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } }), 401);
    });

    it('rate-limits failed logins with 429 and Retry-After', async () => {
      const user = await t.register('buyer');
      const answers: number[] = [];
      for (let n = 0; n < 12; n++) answers.push((await t.call('POST', '/v1/auth/login', { body: { email: user.email, password: 'not the password' } })).status);
      expect(answers.slice(0, 10)).toEqual(Array(10).fill(401));
      const limited = await t.call('POST', '/v1/auth/login', { body: { email: user.email, password: user.password } });
      expectProblem(limited, 429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('commands', () => {
    it('replays a registration retried with its Idempotency-Key, and refuses the key with another body', async () => {
      const body = { email: `idem.${randomUUID().slice(0, 8)}@example.com.bd`, password: 'a good password', name: 'Idem', role: 'buyer' };
      const key = randomUUID();
      const first = await t.call('POST', '/v1/auth/register', { body, headers: { 'Idempotency-Key': key } });
      const again = await t.call('POST', '/v1/auth/register', { body, headers: { 'Idempotency-Key': key } });
      expect(first.status).toBe(201);
      expect(again).toEqual(expect.objectContaining({ status: 201, body: first.body }));
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expectProblem(await t.call('POST', '/v1/auth/register', { body: { ...body, name: 'Other' }, headers: { 'Idempotency-Key': key } }), 422);
    });

    it('honours If-Match: the current revision passes, a stale one is a 412', async () => {
      const user = await t.register('buyer');
      const first = await t.call<{ revision: number }>('PUT', `/v1/users/${user.id}`, { token: user.accessToken, body: { name: 'First' }, headers: { 'If-Match': '"0"' } });
      expect(first.status).toBe(200);
      expect(first.headers.get('etag')).toBe('"1"');
      expectProblem(await t.call('PUT', `/v1/users/${user.id}`, { token: user.accessToken, body: { name: 'Second' }, headers: { 'If-Match': '"0"' } }), 412);
    });

    it('deletes a user: gone for others, kept without personal data for admins, the email free again', async () => {
      const user = await t.register('buyer', 'Erase Me');
      const deleted = await t.call<{ position: string }>('DELETE', `/v1/admin/users/${user.id}`, { token: admin.accessToken });
      expect(deleted.status).toBe(200);
      const asAdmin = await t.call('GET', `/v1/users/${user.id}`, { token: admin.accessToken, headers: { 'X-Consistent-After': deleted.body.position } });
      expect(asAdmin.body).toEqual(expect.objectContaining({ id: user.id, status: 'deleted', email: null, name: null, phone: null, addresses: [] }));
      const list = await t.call<{ items: unknown[] }>('GET', `/v1/admin/users?q=${encodeURIComponent('Erase Me')}`, { token: admin.accessToken });
      expect(list.body.items).toEqual([]);
      expect((await t.call('POST', '/v1/auth/register', { body: { email: user.email, password: 'a good password', name: 'New Owner', role: 'buyer' } })).status).toBe(201);
    });
  });

  describe('profiles read at once', () => {
    it('gives each of many concurrent readers its own profile, an admin the deleted one', async () => {
      // Concurrent profile reads share queries (userLoader): each must still get its own row.
      const tag = randomUUID().slice(0, 6);
      const users = await Promise.all([0, 1, 2, 3, 4, 5].map(() => t.register('buyer')));
      const renamed = await Promise.all(users.map((user, i) => t.call<{ position: string }>('PUT', `/v1/users/${user.id}`, { token: user.accessToken, body: { name: `Reader ${tag} ${i}` } })));
      const deleted = await t.call<{ position: string }>('DELETE', `/v1/admin/users/${users[5]!.id}`, { token: admin.accessToken });
      const after = { 'X-Consistent-After': deleted.body.position };
      await t.call('GET', `/v1/users/${users[0]!.id}`, { token: users[0]!.accessToken, headers: after });
      expect(renamed.every((answer) => answer.status === 200)).toBe(true);

      const reads = await Promise.all(
        [...users, ...users].map((user) => t.call<{ id: string; name: string }>('GET', `/v1/users/${user.id}`, { token: user === users[5] ? admin.accessToken : user.accessToken })),
      );

      reads.forEach((read, i) => {
        const index = i % users.length;
        if (index === 5) {
          // an admin still sees the deleted account, without its personal data
          expect(read.status).toBe(200);
          expect(read.body).toMatchObject({ id: users[5]!.id, name: null, status: 'deleted' });
        } else {
          expect(read.status).toBe(200);
          expect(read.body).toMatchObject({ id: users[index]!.id, name: `Reader ${tag} ${index}` });
        }
      });
    });
  });

  describe('admin lists', () => {
    it('filters, searches and pages the users, newest first', async () => {
      const tag = randomUUID().slice(0, 6);
      const made: Actor[] = [];
      for (let n = 0; n < 5; n++) made.push(await t.register('seller', `Shop ${tag} ${n}`));
      const last = await t.call<{ position: string }>('PUT', `/v1/users/${made[4]!.id}`, { token: made[4]!.accessToken, body: { name: `Shop ${tag} 4` } });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/v1/admin/users?role=seller&q=${encodeURIComponent(`shop ${tag}`)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page: Answer<{ items: Array<{ id: string }>; nextCursor: string | null }> = await t.call('GET', query, { token: admin.accessToken, headers: { 'X-Consistent-After': last.body.position } });
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((u) => u.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(made.map((m) => m.id).reverse());
      const buyers = await t.call<{ items: Array<{ role: string }> }>('GET', '/v1/admin/users?role=buyer&status=active&limit=100', { token: admin.accessToken });
      expect(buyers.body.items.length).toBeGreaterThan(0);
      expect(buyers.body.items.every((u) => u.role === 'buyer')).toBe(true);
    });
  });
});
