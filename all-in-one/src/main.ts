/** `npm start`: the marketplace in one process; see marketplace.ts. */
import { createLogger, loadConfig, lockDataDirectory, runMain } from '@bdbazar/shared-kernel';
import { startMarketplace } from './marketplace';

runMain(async () => {
  const config = loadConfig();
  const logger = createLogger({ name: 'bdbazar', level: config.LOG_LEVEL });
  if (config.BDBAZAR_EVENT_STORE === 'embedded' || !config.BDBAZAR_READ_MODEL_URL) lockDataDirectory(config, 'npm start');
  const marketplace = await startMarketplace(config, logger);
  logger.info({ url: marketplace.url, docs: `${marketplace.url}/docs`, eventStore: config.BDBAZAR_EVENT_STORE, dataDir: config.BDBAZAR_DATA_DIR }, 'bdbazar is running');
  return {
    stop: async () => {
      logger.info('stopping');
      await marketplace.stop();
      logger.info('stopped');
    },
  };
});
