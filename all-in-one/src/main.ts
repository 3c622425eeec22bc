/** `npm start`: the marketplace in one process; see marketplace.ts. */
import { ConfigError, createLogger, loadConfig, lockDataDirectory } from '@bdbazar/shared-kernel';
import { startMarketplace } from './marketplace';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'bdbazar', level: config.LOG_LEVEL });
  if (config.BDBAZAR_EVENT_STORE === 'embedded' || !config.BDBAZAR_READ_MODEL_URL) lockDataDirectory(config, 'npm start');
  const marketplace = await startMarketplace(config, logger);
  logger.info({ url: marketplace.url, docs: `${marketplace.url}/docs`, eventStore: config.BDBAZAR_EVENT_STORE, dataDir: config.BDBAZAR_DATA_DIR }, 'bdbazar is running');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await marketplace.stop();
    logger.info('stopped');
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
