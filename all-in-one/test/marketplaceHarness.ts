/**
 * A marketplace for API tests: the all-in-one process's app over a fresh PostgreSQL database (the
 * event store and the read models), responses validated against the OpenAPI documents, and a
 * small client with the actors tests need.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startConfiguredProjections } from '@bdbazar/projections';
import { createLogger, loadConfig, silentLogger, type Config, type Logger } from '@bdbazar/shared-kernel';
import { deleteBrokerObjects } from '../../shared-kernel/test/messaging/fixtures';
import { startCluster } from '../src/cluster';
import { MARKETPLACE_CONSUMERS, startMarketplace, type RunningMarketplace } from '../src/marketplace';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Actor {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export class TestMarketplace {
  private constructor(
    readonly market: RunningMarketplace,
    readonly config: Config,
    private readonly cleanup: () => Promise<void>,
  ) {}

  /**
   * `rabbitmqUrl`: integration events go through that broker (an exchange and queues of this
   * marketplace's own) instead of the in-process bus. `env`: more configuration.
   */
  static async start(
    serverUrl: string,
    options: { rabbitmqUrl?: string; env?: Record<string, string>; projectionsApart?: boolean; httpWorkers?: number } = {},
  ): Promise<TestMarketplace> {
    const database = `bdbazar_api_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    const dataDir = await mkdtemp(join(tmpdir(), 'bdbazar-api-'));
    const env: Record<string, string> = {
        PORT: '0',
        BDBAZAR_DATA_DIR: dataDir,
        BDBAZAR_EVENT_STORE: 'postgres',
        BDBAZAR_EVENT_STORE_URL: url.toString(),
        BDBAZAR_READ_MODEL_URL: url.toString(),
        BDBAZAR_BCRYPT_COST: '4',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        ...(options.rabbitmqUrl
          ? { BDBAZAR_RABBITMQ_URL: options.rabbitmqUrl, BDBAZAR_RABBITMQ_EXCHANGE: `${database}.events`, BDBAZAR_RABBITMQ_QUEUE_PREFIX: `${database}.` }
          : {}),
        ...(options.httpWorkers ? { BDBAZAR_HTTP_WORKERS: String(options.httpWorkers) } : {}),
        ...options.env,
      };
    const config = loadConfig(env, { dotenv: false });
    const logger = testLogger(config);
    // Over several processes, as `npm start` runs with BDBAZAR_HTTP_WORKERS: the workers run
    // all-in-one/src/main.ts under the TypeScript loader the e2e tests use (they validate no responses).
    const market =
      config.BDBAZAR_HTTP_WORKERS > 1
        ? await startCluster(config, logger, { env: { ...env, SWC_NODE_PROJECT: join(__dirname, '../../tsconfig.json') }, execArgv: ['-r', '@swc-node/register'] })
        : await startMarketplace(config, logger, { validateResponses: true, projections: !options.projectionsApart });
    // As `npm run start:projections` runs them beside the services: stores and a broker connection of their own.
    const projections = options.projectionsApart ? await startConfiguredProjections(config, logger) : null;
    return new TestMarketplace(market, config, async () => {
      await projections?.stop();
      await market.stop();
      if (options.rabbitmqUrl) {
        const queues = MARKETPLACE_CONSUMERS.flatMap((name) => [`${config.BDBAZAR_RABBITMQ_QUEUE_PREFIX}${name}`, `${config.BDBAZAR_RABBITMQ_QUEUE_PREFIX}${name}.dlq`]);
        await deleteBrokerObjects(options.rabbitmqUrl, queues, [config.BDBAZAR_RABBITMQ_EXCHANGE]);
      }
      const drop = new Client({ connectionString: serverUrl });
      await drop.connect();
      await drop.query(`drop database if exists ${database} with (force)`);
      await drop.end();
      await rm(dataDir, { recursive: true, force: true });
    });
  }

  /** The marketplace on its embedded default, as `npm start` runs it: PGlite in a fresh data folder, in-process bus. */
  static async startEmbedded(options: { env?: Record<string, string> } = {}): Promise<TestMarketplace> {
    const dataDir = await mkdtemp(join(tmpdir(), 'bdbazar-embedded-'));
    const config = loadConfig({ PORT: '0', BDBAZAR_DATA_DIR: dataDir, BDBAZAR_BCRYPT_COST: '4', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...options.env }, { dotenv: false });
    const market = await startMarketplace(config, testLogger(config), { validateResponses: true });
    return new TestMarketplace(market, config, async () => {
      await market.stop();
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
    const response = await fetch(`${this.market.url}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  async register(role: 'buyer' | 'seller', name = `${role} ${randomBytes(2).toString('hex')}`): Promise<Actor> {
    const email = `${role}.${randomBytes(4).toString('hex')}@example.com.bd`;
    const password = 'a good password';
    const registered = await this.call<{ id: string }>('POST', '/v1/auth/register', { body: { email, password, name, role } });
    if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
    return this.login(email, password);
  }

  async createAdmin(): Promise<Actor> {
    const email = `admin.${randomBytes(4).toString('hex')}@example.com.bd`;
    const password = 'an admin password';
    await this.market.account.service.createAdmin({ email, password, name: 'Admin' }, { correlationId: 'test', causationId: 'test', actor: { id: 'test', role: 'system' } });
    return this.login(email, password);
  }

  async login(email: string, password: string): Promise<Actor> {
    const answer = await this.call<{ accountId: string; accessToken: string; refreshToken: string }>('POST', '/v1/auth/login', { body: { email, password } });
    if (answer.status !== 200) throw new Error(`login: ${answer.status} ${JSON.stringify(answer.body)}`);
    return { id: answer.body.accountId, email, password, accessToken: answer.body.accessToken, refreshToken: answer.body.refreshToken };
  }

  /** A seller whose KYC an admin approved, and whom the admin approved. */
  async approvedSeller(admin: Actor): Promise<Actor> {
    const seller = await this.register('seller');
    await this.call('POST', `/v1/vendors/${seller.id}/kyc`, { token: seller.accessToken, body: kycBody() });
    await this.call('PUT', `/v1/admin/kyc/${seller.id}/approve`, { token: admin.accessToken });
    await this.call('PUT', `/v1/vendors/${seller.id}/approve`, { token: admin.accessToken });
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

/** Silent, unless TEST_LOG_LEVEL asks to see the marketplace's logs. */
function testLogger(config: Config): Logger {
  return process.env.TEST_LOG_LEVEL ? createLogger({ name: 'test-marketplace', level: config.LOG_LEVEL }) : silentLogger();
}

export const kycBody = () => ({ nationalIdNumber: '1990123456789', tradeLicenceNumber: 'TRAD/DNCC/123456/2026', documents: [{ kind: 'trade_licence', reference: 'kyc/licence.pdf' }] });

export const addressBody = (line1 = 'House 12, Road 5, Dhanmondi') => ({
  label: 'Home',
  recipient: 'Rahim Uddin',
  phone: '+8801711000000',
  division: 'Dhaka',
  district: 'Dhaka',
  line1,
});
