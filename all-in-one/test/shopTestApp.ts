/**
 * The account and shop services, the query API with the shop read routes, and the accounts and
 * shops projectors, on one port over a fresh PostgreSQL database (the event store and the read
 * models), responses validated against the combined OpenAPI document: the shop slice composed as
 * the all-in-one process will compose it, for API tests until startMarketplace mounts it.
 *
 * It lives here, not in command-services/shop, because it composes several services; a command
 * service imports no other.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Router } from 'express';
import { accountRoutes, openAccountModule, type AccountModule } from '@bdbazar/account-service';
import { loadCombinedDocument } from '@bdbazar/openapi';
import { startProjectionsService } from '@bdbazar/projections';
import { queryRoutes } from '@bdbazar/query-api';
import { openShopModule, shopRoutes } from '@bdbazar/shop-service';
import {
  DEFAULT_RUNTIME_SCHEMA,
  createHttpApp,
  createLogger,
  createInProcessBus,
  decryptingEventStore,
  loadConfig,
  openConfiguredEventStore,
  openConfiguredReadModelDatabase,
  silentLogger,
  startHttpServer,
  type Config,
} from '@bdbazar/shared-kernel';
import { accountsProjector } from '../../projections/src/accounts/accountsProjector';
import { shopsProjector } from '../../projections/src/shops/shopsProjector';
import { shopQueryRoutes } from '../../query-api/src/shops/shops.route';
import { kycBody, type Actor, type Answer } from './marketplaceHarness';

export class ShopTestApp {
  private constructor(
    readonly url: string,
    readonly config: Config,
    readonly account: AccountModule,
    private readonly cleanup: () => Promise<void>,
  ) {}

  static async start(serverUrl: string): Promise<ShopTestApp> {
    const database = `bdbazar_shops_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'bdbazar-shops-'));
    const config = loadConfig(
      {
        PORT: '0',
        BDBAZAR_DATA_DIR: dataDir,
        BDBAZAR_EVENT_STORE: 'postgres',
        BDBAZAR_EVENT_STORE_URL: url.toString(),
        BDBAZAR_READ_MODEL_URL: url.toString(),
        BDBAZAR_BCRYPT_COST: '4',
        LOG_LEVEL: 'silent',
      },
      { dotenv: false },
    );
    // Silent, as the harness is; SHOP_TEST_LOG=1 prints the errors behind a 500 while debugging a test.
    const logger = process.env['SHOP_TEST_LOG'] ? createLogger({ name: 'shop-test', level: 'error' }) : silentLogger();
    const store = await openConfiguredEventStore(config);
    const db = await openConfiguredReadModelDatabase(config);
    const account = await openAccountModule({ store, db, config });
    const shop = await openShopModule({ store, db, config, verifier: account.verifier });
    const bus = createInProcessBus({ logger });
    const projections = await startProjectionsService({
      store: decryptingEventStore(store, account.vault),
      db,
      runtimeSchema: DEFAULT_RUNTIME_SCHEMA,
      definitions: [accountsProjector, shopsProjector],
      publisher: bus,
      logger,
    });

    const routes = Router();
    routes.use(await accountRoutes({ module: account, db }));
    routes.use(await shopRoutes({ module: shop, db }));
    routes.use(queryRoutes({ db, verifier: account.verifier, runtimeSchema: DEFAULT_RUNTIME_SCHEMA }));
    routes.use(shopQueryRoutes({ db, verifier: account.verifier, runtimeSchema: DEFAULT_RUNTIME_SCHEMA }));
    const app = createHttpApp({ name: 'bdbazar', openApi: loadCombinedDocument(), logger, routes, validateResponses: true, validateSecurity: false });
    const server = await startHttpServer(app, { port: 0, logger });

    return new ShopTestApp(`http://127.0.0.1:${server.port}`, config, account, async () => {
      await server.close();
      await projections.stop();
      await bus.close();
      await db.close();
      await store.close();
      const drop = new Client({ connectionString: serverUrl });
      await drop.connect();
      await drop.query(`drop database if exists ${database} with (force)`);
      await drop.end();
      await rm(dataDir, { recursive: true, force: true });
    });
  }

  stop(): Promise<void> {
    return this.cleanup();
  }

  async call<T = Record<string, unknown>>(method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  async register(role: 'buyer' | 'seller', name = `${role} ${randomBytes(2).toString('hex')}`): Promise<Actor> {
    const email = `${role}.${randomBytes(4).toString('hex')}@example.com.bd`;
    const password = 'a good password';
    const registered = await this.call('POST', '/v1/auth/register', { body: { email, password, name, role } });
    if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
    return this.login(email, password);
  }

  async createAdmin(): Promise<Actor> {
    const email = `admin.${randomBytes(4).toString('hex')}@example.com.bd`;
    const password = 'an admin password';
    await this.account.service.createAdmin({ email, password, name: 'Admin' }, { correlationId: 'test', causationId: 'test', actor: { id: 'test', role: 'system' } });
    return this.login(email, password);
  }

  async login(email: string, password: string): Promise<Actor> {
    const answer = await this.call<{ accountId: string; accessToken: string; refreshToken: string }>('POST', '/v1/auth/login', { body: { email, password } });
    if (answer.status !== 200) throw new Error(`login: ${answer.status} ${JSON.stringify(answer.body)}`);
    return { id: answer.body.accountId, email, password, accessToken: answer.body.accessToken, refreshToken: answer.body.refreshToken };
  }

  /** A seller whose KYC an admin approved, and whom the admin approved; logged in again, so that the token says so. */
  async approvedSeller(admin: Actor): Promise<Actor> {
    const seller = await this.register('seller');
    for (const [method, path, token, body] of [
      ['POST', `/v1/vendors/${seller.id}/kyc`, seller.accessToken, kycBody()],
      ['PUT', `/v1/admin/kyc/${seller.id}/approve`, admin.accessToken, undefined],
      ['PUT', `/v1/vendors/${seller.id}/approve`, admin.accessToken, undefined],
    ] as const) {
      const answer = await this.call(method, path, { token, body });
      if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return this.login(seller.email, seller.password);
  }

  /** The newest position in the store: unchanged after a refused request means nothing was written. */
  async head(): Promise<string | null> {
    const client = new Client({ connectionString: this.config.BDBAZAR_EVENT_STORE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ p: string | null }>(`select max(transaction_id::text || '/' || lpad(global_position::text, 20, '0')) as p from event_store.events`);
      return rows[0]?.p ?? null;
    } finally {
      await client.end();
    }
  }
}
