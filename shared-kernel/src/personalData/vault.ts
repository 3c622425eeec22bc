/**
 * Crypto-shredding: personal data in events is encrypted with a key per data subject (an account),
 * kept outside the event store. Forgetting a subject destroys its key: its events stay (the
 * history is kept for audit) but their personal data can no longer be read anywhere.
 *
 * Keys live in `<schema>.personal_data_keys` of the platform database (the read-model database),
 * which every reader of those events can reach. Keys are cached briefly in memory; a process that
 * cached a key may still decrypt for up to `cacheTtlMs` after another process forgot it.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';
import { quoteIdentifier, withMigrationLock, type Database } from '../database/database';
import type { JsonValue } from '../eventStore/eventStore';
import { DEFAULT_RUNTIME_SCHEMA, inCodeMigrations } from '../projections/runtimeSchema';

/** How an encrypted value looks inside event data. */
export interface EncryptedValue {
  $encrypted: string;
  subject: string;
}

export function isEncryptedValue(value: unknown): value is EncryptedValue {
  return typeof value === 'object' && value !== null && typeof (value as EncryptedValue).$encrypted === 'string' && typeof (value as EncryptedValue).subject === 'string';
}

export interface PersonalDataVault {
  /** Encrypts a value under the subject's key (made on first use). `nonceSeed` makes a retried append byte-identical. */
  encrypt(subject: string, value: JsonValue, nonceSeed: string): Promise<EncryptedValue>;
  /** The plain value, or null when the subject was forgotten. */
  decrypt(value: EncryptedValue): Promise<JsonValue | null>;
  forget(subject: string): Promise<void>;
  isForgotten(subject: string): Promise<boolean>;
  /** A keyed hash for looking personal data up without storing it (e.g. an email's guard stream). */
  blindIndex(purpose: string, value: string): Promise<string>;
}

const SYSTEM_SUBJECT = '$system.blind-index';
const FORMAT = 'v1';

const migrations = {
  '0001_personal_data_keys': async (knex: Knex, schema: string) => {
    await knex.schema.withSchema(schema).createTable('personal_data_keys', (t) => {
      t.text('subject').primary();
      t.binary('key');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('forgotten_at', { useTz: true });
    });
  },
};

export async function openPersonalDataVault(db: Database, options: { schema?: string; cacheTtlMs?: number; now?: () => number } = {}): Promise<PersonalDataVault> {
  const schema = options.schema ?? DEFAULT_RUNTIME_SCHEMA;
  const cacheTtlMs = options.cacheTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  await withMigrationLock(db, `personal-data:${schema}`, async () => {
    await db.knex.raw(`create schema if not exists ${quoteIdentifier(schema)}`);
    await db.knex.migrate.latest({ schemaName: schema, tableName: 'personal_data_migrations', migrationSource: inCodeMigrations(migrations, schema) });
  });
  const table = `${schema}.personal_data_keys`;
  const cache = new LRUCache<string, { key: Buffer | null; at: number }>({ max: 10_000 });

  // Lookups of one subject's key while one is in flight wait for it rather than ask again.
  const lookups = new Map<string, Promise<Buffer | null | undefined>>();
  // Counts this vault's forgets: a lookup that a forget overtook answers null and caches nothing.
  let forgets = 0;

  /** The subject's key: null when forgotten; made when missing and `create` is set. */
  const keyOf = (subject: string, create: boolean): Promise<Buffer | null | undefined> => {
    const cached = cache.get(subject);
    if (cached && now() - cached.at < cacheTtlMs) return Promise.resolve(cached.key);
    const lookup = `${create ? 'create' : 'read'}:${subject}`;
    let pending = lookups.get(lookup);
    if (!pending) {
      pending = lookUp(subject, create).finally(() => lookups.delete(lookup));
      lookups.set(lookup, pending);
    }
    return pending;
  };

  const lookUp = async (subject: string, create: boolean): Promise<Buffer | null | undefined> => {
    const forgetsBefore = forgets;
    let row = await db.knex(table).where({ subject }).first<{ key: Buffer | null } | undefined>('key');
    if (!row && create) {
      await db.knex(table).insert({ subject, key: randomBytes(32) }).onConflict('subject').ignore();
      row = await db.knex(table).where({ subject }).first<{ key: Buffer | null } | undefined>('key');
    }
    if (forgets !== forgetsBefore && cache.get(subject)?.key === null) return null;
    if (!row) return undefined;
    const key = row.key ? Buffer.from(row.key) : null;
    cache.set(subject, { key, at: now() });
    return key;
  };

  return {
    async encrypt(subject, value, nonceSeed) {
      const key = await keyOf(subject, true);
      if (!key) throw new Error(`The personal data of ${subject} was forgotten; nothing more can be written for it.`);
      // A nonce derived from the key and the event/field: unique per value written, and the same
      // again when the same event is appended again (so retries stay byte-identical, idempotent).
      const iv = createHmac('sha256', key).update(nonceSeed).digest().subarray(0, 12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return { $encrypted: `${FORMAT}.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`, subject };
    },
    async decrypt(value) {
      const key = await keyOf(value.subject, false);
      if (!key) return null;
      const [format, iv, tag, body] = value.$encrypted.split('.');
      if (format !== FORMAT || !iv || !tag || body === undefined) throw new Error(`Unknown encrypted value format for subject ${value.subject}.`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(plain) as JsonValue;
    },
    async forget(subject) {
      if (subject === SYSTEM_SUBJECT) throw new Error('The blind-index key cannot be forgotten.');
      await db.knex(table).insert({ subject, key: null, forgotten_at: db.knex.fn.now() }).onConflict('subject').merge({ key: null, forgotten_at: db.knex.fn.now() });
      forgets++;
      cache.set(subject, { key: null, at: now() });
    },
    async isForgotten(subject) {
      return (await keyOf(subject, false)) === null;
    },
    async blindIndex(purpose, value) {
      const key = await keyOf(SYSTEM_SUBJECT, true);
      return createHmac('sha256', key!).update(`${purpose}:${value}`).digest('hex').slice(0, 40);
    },
  };
}
