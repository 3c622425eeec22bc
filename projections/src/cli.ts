/** `npm run projections -- status | rebuild <name> | drop-old <name> | republish <name> --to <consumer>`, against the configured stores. */
import { CliUsageError, ConfigError, DEFAULT_RUNTIME_SCHEMA, createLogger, loadConfig, runProjectionsCli } from '@bdbazar/shared-kernel';
import { openProjectionStores } from './configuredProjections';
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
    // As the projector workers read: personal data decrypted.
    open: () => openProjectionStores(config),
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof CliUsageError || error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof CliUsageError ? 2 : 1);
});
