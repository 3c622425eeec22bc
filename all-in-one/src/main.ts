/** `npm start`: the marketplace in one process (see marketplace.ts), or over several sharing its port (cluster.ts). */
import cluster from 'node:cluster';
import { createLogger, loadConfig, lockDataDirectory, runMain } from '@bdbazar/shared-kernel';
import { startCluster, startClusterWorker } from './cluster';
import { startMarketplace } from './marketplace';

runMain(async () => {
  const config = loadConfig();
  const logger = createLogger({ name: 'bdbazar', level: config.LOG_LEVEL });
  if (cluster.isWorker) return startClusterWorker(config, logger.child({ worker: cluster.worker?.id }));
  if (config.BDBAZAR_EVENT_STORE === 'embedded' || !config.BDBAZAR_READ_MODEL_URL) lockDataDirectory(config, 'npm start');
  const running = config.BDBAZAR_HTTP_WORKERS > 1 ? await startCluster(config, logger) : await startMarketplace(config, logger);
  logger.info(
    { url: running.url, docs: `${running.url}/docs`, eventStore: config.BDBAZAR_EVENT_STORE, dataDir: config.BDBAZAR_DATA_DIR, httpWorkers: config.BDBAZAR_HTTP_WORKERS },
    'bdbazar is running',
  );
  return {
    stop: async () => {
      logger.info('stopping');
      await running.stop();
      logger.info('stopped');
    },
  };
});
