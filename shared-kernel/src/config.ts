/**
 * Configuration from the environment (and `.env`, when present), checked once at start-up with
 * zod: a wrong value stops the process with a message naming the variable, not a crash later.
 * Unset, everything runs on the embedded default: PGlite files under BDBAZAR_DATA_DIR.
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { createTokenVerifier, type TokenVerifier } from './auth/tokenVerifier';
import { publicKeysFromPems } from './auth/signingKeys';
import { openDatabase, type Database } from './database/database';
import type { EventStore } from './eventStore/eventStore';
import { createEventStoreDbEventStore } from './eventStore/eventStoreDb/eventStoreDbEventStore';
import { createEmbeddedEventStore, createPostgresEventStore } from './eventStore/postgresEventStore';
import type { Logger } from './logging';
import { openRabbitMqTransport, type RabbitMqTransport } from './messaging/rabbitmq/rabbitMqTransport';

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    BDBAZAR_DATA_DIR: z.string().min(1).default('.data'),
    BDBAZAR_EVENT_STORE: z.enum(['embedded', 'postgres', 'eventstoredb']).default('embedded'),
    /** postgres:// for BDBAZAR_EVENT_STORE=postgres, esdb:// for eventstoredb. */
    BDBAZAR_EVENT_STORE_URL: url(['postgres:', 'postgresql:', 'esdb:', 'esdb+discover:']).optional(),
    /** The read-model database; unset: PGlite under BDBAZAR_DATA_DIR. */
    BDBAZAR_READ_MODEL_URL: url(['postgres:', 'postgresql:']).optional(),
    /** Unset: the in-process bus (every service in one process). */
    BDBAZAR_RABBITMQ_URL: url(['amqp:', 'amqps:']).optional(),
    /** The topic exchange integration events go through. */
    BDBAZAR_RABBITMQ_EXCHANGE: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,199}$/, 'must be 1 to 200 letters, digits, _ . : -').default('bdbazar.events'),
    /** Put before every queue's name, so that several marketplaces can share one broker. */
    BDBAZAR_RABBITMQ_QUEUE_PREFIX: z.string().regex(/^([A-Za-z0-9_][A-Za-z0-9_.:-]{0,99})?$/, 'must be up to 100 letters, digits, _ . : -').default(''),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** RS256 private key (PEM) of the account service, which signs access tokens; unset: generated under BDBAZAR_DATA_DIR. */
    BDBAZAR_JWT_PRIVATE_KEY: z.string().min(1).optional(),
    /** The public key (PEM) every other service verifies access tokens with. */
    BDBAZAR_JWT_PUBLIC_KEY: z.string().min(1).optional(),
    BDBAZAR_JWT_ISSUER: z.string().min(1).default('bdbazar'),
    BDBAZAR_JWT_AUDIENCE: z.string().min(1).default('bdbazar'),
    /** bcrypt's cost factor for passwords. */
    BDBAZAR_BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
    /** Login attempts allowed per account, and per client address, in 15 minutes. */
    BDBAZAR_LOGIN_ATTEMPTS_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
    BDBAZAR_LOGIN_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
    /**
     * `npm start` only: HTTP worker processes sharing the one port (node:cluster), beside a primary
     * that runs the projectors, the relay and the consumers. More than 1 needs server stores.
     */
    BDBAZAR_HTTP_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
    /** How long a buyer has to pay an order (online payment) before it is cancelled and its stock released; at most a week. */
    BDBAZAR_ORDER_PAYMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(604_800).default(1_800),
    /** Days a consumer's inbox remembers the messages it handled (a redelivery within them is skipped). */
    BDBAZAR_INBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
  });

/** Rules between variables, checked on their own so that one message names every problem. */
function crossChecks(env: NodeJS.ProcessEnv): Array<{ variable: string; message: string }> {
  const problems: Array<{ variable: string; message: string }> = [];
  const store = env['BDBAZAR_EVENT_STORE'];
  const storeUrl = env['BDBAZAR_EVENT_STORE_URL'] ?? '';
  if (store === 'postgres' && !storeUrl.startsWith('postgres')) {
    problems.push({ variable: 'BDBAZAR_EVENT_STORE_URL', message: 'must be a postgres:// URL when BDBAZAR_EVENT_STORE=postgres' });
  }
  if (store === 'eventstoredb' && !storeUrl.startsWith('esdb')) {
    problems.push({ variable: 'BDBAZAR_EVENT_STORE_URL', message: 'must be an esdb:// URL when BDBAZAR_EVENT_STORE=eventstoredb' });
  }
  // PGlite's files are one process's: several processes need server stores.
  if (Number(env['BDBAZAR_HTTP_WORKERS'] ?? 1) > 1 && ((store ?? 'embedded') === 'embedded' || !env['BDBAZAR_READ_MODEL_URL'])) {
    problems.push({
      variable: 'BDBAZAR_HTTP_WORKERS',
      message: 'more than 1 needs server stores: BDBAZAR_EVENT_STORE (postgres or eventstoredb) with BDBAZAR_EVENT_STORE_URL, and BDBAZAR_READ_MODEL_URL',
    });
  }
  return problems;
}

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Reads `.env` from the working directory if there is one; the environment wins over it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { dotenv?: string | false } = {}): Config {
  const dotenv = options.dotenv ?? '.env';
  if (dotenv && env === process.env && existsSync(dotenv)) process.loadEnvFile(dotenv);
  const parsed = configSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => ({ variable: issue.path.join('.'), message: issue.message }))),
    ...crossChecks(env),
  ];
  if (!parsed.success || problems.length > 0) {
    const lines = problems.map((p) => `  ${p.variable}: ${p.message}`);
    throw new ConfigError(`The configuration is not valid:\n${lines.join('\n')}\nSee .env.example.`);
  }
  return parsed.data;
}

/**
 * Claims the data folder for this process: PGlite's files must never be opened by two processes.
 * Refuses, naming the process, when another live process holds it; releases on exit.
 */
export function lockDataDirectory(config: Config, purpose: string): void {
  const dir = dataDirectory(config);
  const lock = resolve(dir, '.lock');
  try {
    writeFileSync(lock, JSON.stringify({ pid: process.pid, purpose }), { flag: 'wx' });
  } catch {
    let holder: { pid?: number; purpose?: string } = {};
    try {
      holder = JSON.parse(readFileSync(lock, 'utf8')) as typeof holder;
    } catch {
      holder = {};
    }
    if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new ConfigError(
        `The data folder ${dir} is in use by process ${holder.pid} (${holder.purpose ?? 'bdbazar'}). ` +
          'Stop it first (Ctrl+C in its terminal): the embedded store can be opened by one process at a time.',
      );
    }
    writeFileSync(lock, JSON.stringify({ pid: process.pid, purpose }));
  }
  process.once('exit', () => {
    try {
      const current = JSON.parse(readFileSync(lock, 'utf8')) as { pid?: number };
      if (current.pid === process.pid) unlinkSync(lock);
    } catch {
      // already gone
    }
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A service run on its own shares the event store and the read models with the other services,
 * so they must be servers; the embedded files belong to one process (`npm start`).
 */
export function requireServerStores(config: Config, service: string): void {
  if (config.BDBAZAR_EVENT_STORE === 'embedded' || !config.BDBAZAR_READ_MODEL_URL) {
    throw new ConfigError(
      `The ${service} service run on its own needs server stores: set BDBAZAR_EVENT_STORE (postgres or eventstoredb) with ` +
        'BDBAZAR_EVENT_STORE_URL, and BDBAZAR_READ_MODEL_URL (see .env.example). For the embedded default, run everything with `npm start`.',
    );
  }
}

export function dataDirectory(config: Config, ...parts: string[]): string {
  const dir = resolve(config.BDBAZAR_DATA_DIR, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function openConfiguredEventStore(config: Config): Promise<EventStore> {
  switch (config.BDBAZAR_EVENT_STORE) {
    case 'embedded':
      return createEmbeddedEventStore({ dataDir: dataDirectory(config, 'event-store') });
    case 'postgres':
      return createPostgresEventStore({ connectionString: config.BDBAZAR_EVENT_STORE_URL! });
    case 'eventstoredb':
      return createEventStoreDbEventStore(config.BDBAZAR_EVENT_STORE_URL!);
  }
}

/** The RabbitMQ transport .env describes; call only when BDBAZAR_RABBITMQ_URL is set. */
export function openConfiguredRabbitMqTransport(config: Config, logger: Logger): Promise<RabbitMqTransport> {
  if (!config.BDBAZAR_RABBITMQ_URL) throw new ConfigError('BDBAZAR_RABBITMQ_URL is not set (see .env.example).');
  return openRabbitMqTransport({ url: config.BDBAZAR_RABBITMQ_URL, exchange: config.BDBAZAR_RABBITMQ_EXCHANGE, queuePrefix: config.BDBAZAR_RABBITMQ_QUEUE_PREFIX, logger });
}

/** The read models' database: PostgreSQL when configured, otherwise PGlite beside the event store. */
export async function openConfiguredReadModelDatabase(config: Config): Promise<Database> {
  if (config.BDBAZAR_READ_MODEL_URL) return openDatabase({ kind: 'postgres', connectionString: config.BDBAZAR_READ_MODEL_URL });
  return openDatabase({ kind: 'pglite', dataDir: dataDirectory(config, 'read-models') });
}

/**
 * How a service other than the account service checks access tokens: with the account service's
 * public key, which it must be given (only the account service holds the private key).
 */
export function configuredTokenVerifier(config: Config, service: string): TokenVerifier {
  if (!config.BDBAZAR_JWT_PUBLIC_KEY) {
    throw new ConfigError(`The ${service} verifies access tokens with the account service's public key: set BDBAZAR_JWT_PUBLIC_KEY (PEM).`);
  }
  return createTokenVerifier({ publicKeys: publicKeysFromPems(config.BDBAZAR_JWT_PUBLIC_KEY), issuer: config.BDBAZAR_JWT_ISSUER, audience: config.BDBAZAR_JWT_AUDIENCE });
}
