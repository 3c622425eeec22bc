/**
 * `npm run admin:create -- --email <email> --password <password> [--name <name>]`: creates an admin
 * account in the same stores as `npm start` (or those .env names). The only way to make an admin
 * from nothing: no endpoint does it.
 */
import { parseArgs } from 'node:util';
import {
  ConfigError,
  ConflictError,
  DomainError,
  loadConfig,
  lockDataDirectory,
  openConfiguredEventStore,
  openConfiguredReadModelDatabase,
} from '@bdbazar/shared-kernel';
import { openAccountModule } from './accountModule';

const USAGE = 'usage: npm run admin:create -- --email <email> --password <password> [--name <name>]';

async function main(): Promise<void> {
  let values: { email?: string; password?: string; name?: string };
  try {
    ({ values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n${USAGE}`);
  }
  if (!values.email || !values.password) throw new ConfigError(USAGE);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email)) throw new ConfigError(`'${values.email}' is not an email address.\n${USAGE}`);

  const config = loadConfig();
  if (config.BDBAZAR_EVENT_STORE === 'embedded' || !config.BDBAZAR_READ_MODEL_URL) lockDataDirectory(config, 'admin:create');
  const store = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  try {
    const { service } = await openAccountModule({ store, db, config });
    const result = await service.createAdmin(
      { email: values.email, password: values.password, name: values.name ?? 'Administrator' },
      { correlationId: 'admin-cli', causationId: 'admin-cli', actor: { id: 'admin-cli', role: 'system' } },
    );
    console.log(`Created the admin ${values.email.trim().toLowerCase()} (account ${result.id}). Log in with POST /v1/auth/login.`);
  } finally {
    await db.close();
    await store.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConflictError) console.error('An account with this email exists already; choose another email.');
  else if (error instanceof ConfigError || error instanceof DomainError) console.error(error.message);
  else console.error(error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
