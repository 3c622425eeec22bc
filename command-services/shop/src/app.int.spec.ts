/**
 * The shop service's own app, as it runs alone: its own OpenAPI document (requests and responses
 * validated), tokens from the account service's key, the embedded store. The full matrix of
 * routes and roles is in all-in-one/test/shopsApi.int.spec.ts.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import {
  createEmbeddedEventStore,
  createTokenIssuer,
  createTokenVerifier,
  keyIdOf,
  loadConfig,
  openDatabase,
  silentLogger,
  startHttpServer,
  type Database,
  type EventStore,
  type RunningHttpServer,
  type UserRole,
} from '@bdbazar/shared-kernel';
import { createShopApp } from './app';
import { openShopModule } from './shopModule';
import { detailsInput } from './testing/shopBuilders';

describe('the shop service on its own', () => {
  let store: EventStore;
  let db: Database;
  let server: RunningHttpServer;
  let token: (role: UserRole, options?: { userId?: string; sellerApproved?: boolean }) => string;

  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = keyIdOf(publicKey);
    const issuer = createTokenIssuer({ privateKey, kid, issuer: 'bdbazar', audience: 'bdbazar' });
    token = (role, options = {}) =>
      issuer.issueAccessToken({ userId: options.userId ?? randomUUID(), role, sessionId: randomUUID(), sellerApproved: options.sellerApproved ?? false }).token;
    const verifier = createTokenVerifier({ publicKeys: { [kid]: publicKey }, issuer: 'bdbazar', audience: 'bdbazar' });
    store = await createEmbeddedEventStore({ dataDir: 'memory://' });
    db = await openDatabase({ kind: 'pglite' });
    const module = await openShopModule({ store, db, config: loadConfig({}, { dotenv: false }), verifier });
    server = await startHttpServer(await createShopApp({ module, db, logger: silentLogger(), validateResponses: true }), { port: 0, logger: silentLogger() });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await db.close();
  });

  const call = async (method: string, path: string, bearer: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, type: response.headers.get('content-type'), location: response.headers.get('location'), body: (await response.json()) as Record<string, unknown> };
  };

  it('lets an approved seller open a shop and an admin approve it', async () => {
    const opened = await call('POST', '/v1/shops', token('seller', { sellerApproved: true }), detailsInput({ name: 'Standalone Shop' }));
    expect(opened).toEqual(expect.objectContaining({ status: 201, location: `/v1/shops/${opened.body['id'] as string}`, body: expect.objectContaining({ revision: 0 }) }));
    const approved = await call('PUT', `/v1/admin/shops/${opened.body['id'] as string}/approve`, token('admin'));
    expect(approved).toEqual(expect.objectContaining({ status: 200, body: expect.objectContaining({ revision: 1 }) }));
  });

  it('refuses a seller not yet approved, and bad input, as problems', async () => {
    expect(await call('POST', '/v1/shops', token('seller'), detailsInput({ name: 'Not Yet' }))).toEqual(expect.objectContaining({ status: 403, type: expect.stringMatching(/^application\/problem\+json/) }));
    const approvedSeller = token('seller', { sellerApproved: true });
    for (const body of [detailsInput({ branding: { logoUrl: 'http://cdn.example.com/logo.png' } }), detailsInput({ branding: { bannerUrl: 'https://10.0.0.1/b.png' } }), { ...detailsInput(), ownerId: randomUUID() }]) {
      expect(await call('POST', '/v1/shops', approvedSeller, body)).toEqual(expect.objectContaining({ status: 400, type: expect.stringMatching(/^application\/problem\+json/) }));
    }
  });
});
