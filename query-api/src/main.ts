/** `npm run start:query-api`: the query API on its own, over the read models in PostgreSQL. */
import {
  DEFAULT_RUNTIME_SCHEMA,
  createLogger,
  configuredTokenVerifier,
  loadConfig,
  openConfiguredReadModelDatabase,
  requireServerStores,
  runMain,
  startHttpServer,
} from '@bdbazar/shared-kernel';
import { createQueryApp } from './app';

runMain(async () => {
  const config = loadConfig();
  requireServerStores(config, 'query API');
  const logger = createLogger({ name: 'query-api', level: config.LOG_LEVEL });
  const db = await openConfiguredReadModelDatabase(config);
  const verifier = configuredTokenVerifier(config, 'query API');
  const server = await startHttpServer(createQueryApp({ db, verifier, runtimeSchema: DEFAULT_RUNTIME_SCHEMA, logger }), { port: config.PORT, logger });
  logger.info({ port: server.port }, 'query API running');
  return {
    stop: async () => {
      await server.close();
      await db.close();
    },
  };
});
