/** `npm run projections -- status | rebuild <name> | drop-old <name>`, against the configured stores. */
import {
  CliUsageError,
  ConfigError,
  DEFAULT_RUNTIME_SCHEMA,
  createLogger,
  loadConfig,
  openConfiguredEventStore,
  openConfiguredReadModelDatabase,
  runProjectionsCli,
} from '@bdbazar/shared-kernel';
import { projectors } from './registry';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'projections-cli', level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  await runProjectionsCli(process.argv.slice(2), {
    definitions: projectors,
    runtimeSchema: DEFAULT_RUNTIME_SCHEMA,
    logger,
    out: process.stdout,
    signal: abort.signal,
    open: async () => {
      const store = await openConfiguredEventStore(config);
      const db = await openConfiguredReadModelDatabase(config);
      return { store, db, close: async () => (await db.close(), await store.close()) };
    },
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof CliUsageError || error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof CliUsageError ? 2 : 1);
});
