import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { publicKeysFromPems } from './auth/signingKeys';
import { createTokenIssuer } from './auth/tokenIssuer';
import { ConfigError, configuredTokenVerifier, loadConfig, lockDataDirectory } from './config';

describe('loading the configuration', () => {
  it('runs on the embedded default when nothing is set', () => {
    expect(loadConfig({}, { dotenv: false })).toEqual({
      PORT: 3000,
      BDBAZAR_DATA_DIR: '.data',
      BDBAZAR_EVENT_STORE: 'embedded',
      LOG_LEVEL: 'info',
      BDBAZAR_JWT_ISSUER: 'bdbazar',
      BDBAZAR_JWT_AUDIENCE: 'bdbazar',
      BDBAZAR_BCRYPT_COST: 12,
      BDBAZAR_LOGIN_ATTEMPTS_PER_ACCOUNT: 10,
      BDBAZAR_LOGIN_ATTEMPTS_PER_ADDRESS: 100,
      BDBAZAR_ORDER_PAYMENT_TIMEOUT_SECONDS: 1800,
      BDBAZAR_INBOX_RETENTION_DAYS: 30,
      BDBAZAR_RABBITMQ_EXCHANGE: 'bdbazar.events',
      BDBAZAR_RABBITMQ_QUEUE_PREFIX: '',
      BDBAZAR_HTTP_WORKERS: 1,
    });
  });

  it('runs several HTTP workers only on server stores', () => {
    const servers = { BDBAZAR_EVENT_STORE: 'postgres', BDBAZAR_EVENT_STORE_URL: 'postgres://u@db:5432/events', BDBAZAR_READ_MODEL_URL: 'postgres://u@db:5432/reads' };
    expect(loadConfig({ ...servers, BDBAZAR_HTTP_WORKERS: '4' }, { dotenv: false }).BDBAZAR_HTTP_WORKERS).toBe(4);
    const needsServers = /BDBAZAR_HTTP_WORKERS: more than 1 needs server stores/;
    expect(() => loadConfig({ BDBAZAR_HTTP_WORKERS: '2' }, { dotenv: false })).toThrow(needsServers);
    expect(() => loadConfig({ ...servers, BDBAZAR_READ_MODEL_URL: undefined, BDBAZAR_HTTP_WORKERS: '2' }, { dotenv: false })).toThrow(needsServers);
    expect(() => loadConfig({ ...servers, BDBAZAR_HTTP_WORKERS: '0' }, { dotenv: false })).toThrow(/BDBAZAR_HTTP_WORKERS/);
  });

  it('keeps inbox records for a whole number of days, at least one', () => {
    expect(loadConfig({ BDBAZAR_INBOX_RETENTION_DAYS: '7' }, { dotenv: false }).BDBAZAR_INBOX_RETENTION_DAYS).toBe(7);
    for (const days of ['0', '-3', '1.5', 'a week']) {
      expect(() => loadConfig({ BDBAZAR_INBOX_RETENTION_DAYS: days }, { dotenv: false })).toThrow(/BDBAZAR_INBOX_RETENTION_DAYS/);
    }
  });

  it('accepts a PostgreSQL event store with its URL', () => {
    const config = loadConfig({ BDBAZAR_EVENT_STORE: 'postgres', BDBAZAR_EVENT_STORE_URL: 'postgres://u@db:5432/events', PORT: '8080' }, { dotenv: false });
    expect(config).toEqual(expect.objectContaining({ BDBAZAR_EVENT_STORE: 'postgres', BDBAZAR_EVENT_STORE_URL: 'postgres://u@db:5432/events', PORT: 8080 }));
  });

  it('names every wrong variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({ BDBAZAR_EVENT_STORE: 'postgres', PORT: 'eighty', BDBAZAR_RABBITMQ_URL: 'http://rabbit', LOG_LEVEL: 'loud' }, { dotenv: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const variable of ['PORT', 'BDBAZAR_EVENT_STORE_URL', 'BDBAZAR_RABBITMQ_URL', 'LOG_LEVEL']) expect(message).toContain(variable);
    expect(message).toContain('must be a postgres:// URL when BDBAZAR_EVENT_STORE=postgres');
  });

  it('refuses an EventStoreDB store given a PostgreSQL URL', () => {
    expect(() => loadConfig({ BDBAZAR_EVENT_STORE: 'eventstoredb', BDBAZAR_EVENT_STORE_URL: 'postgres://x/y' }, { dotenv: false })).toThrow(/esdb:\/\/ URL/);
  });
});

describe('the data folder lock', () => {
  it('refuses a folder a live process holds, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bdbazar-lock-'));
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: process.ppid, purpose: 'npm start' }));
    expect(() => lockDataDirectory(loadConfig({ BDBAZAR_DATA_DIR: dir }, { dotenv: false }), 'admin:create')).toThrow(
      new RegExp(`in use by process ${process.ppid} \\(npm start\\)\\. Stop it first`),
    );
  });

  it('takes over a lock left by a process that is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bdbazar-lock-'));
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, purpose: 'crashed' }));
    lockDataDirectory(loadConfig({ BDBAZAR_DATA_DIR: dir }, { dotenv: false }), 'admin:create');
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toEqual({ pid: process.pid, purpose: 'admin:create' });
    expect(existsSync(join(dir, '.lock'))).toBe(true);
  });
});

describe('the token verifier of a service other than the account service', () => {
  it('refuses to start without the account service\'s public key, saying which variable to set', () => {
    expect(() => configuredTokenVerifier(loadConfig({}, { dotenv: false }), 'query API')).toThrow(
      new ConfigError("The query API verifies access tokens with the account service's public key: set BDBAZAR_JWT_PUBLIC_KEY (PEM)."),
    );
  });

  it('verifies tokens signed with the matching private key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const config = loadConfig({ BDBAZAR_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString() }, { dotenv: false });
    const verifier = configuredTokenVerifier(config, 'query API');
    const [kid] = Object.keys(publicKeysFromPems(config.BDBAZAR_JWT_PUBLIC_KEY!));
    const token = createTokenIssuer({ privateKey, kid: kid!, issuer: 'bdbazar', audience: 'bdbazar' }).issueAccessToken({ userId: randomUUID(), role: 'buyer', sessionId: randomUUID() });
    expect(verifier.verifyAccessToken(token.token)).toEqual(expect.objectContaining({ role: 'buyer' }));
  });
});
