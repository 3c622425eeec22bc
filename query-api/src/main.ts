/** `npm run start:query-api`: the query API on its own, over the read models in PostgreSQL. */
import {
  ConfigError,
  DEFAULT_RUNTIME_SCHEMA,
  createLogger,
  createTokenVerifier,
  loadConfig,
  openConfiguredReadModelDatabase,
  publicKeysFromPems,
  requireServerStores,
  runMain,
  startHttpServer,
} from '@bdbazar/shared-kernel';
import { createQueryApp } from './app';

runMain(async () => {
  const config = loadConfig();
  requireServerStores(config, 'query API');
  if (!config.BDBAZAR_JWT_PUBLIC_KEY) throw new ConfigError("The query API verifies access tokens with the account service's public key: set BDBAZAR_JWT_PUBLIC_KEY (PEM).");
  const logger = createLogger({ name: 'query-api', level: config.LOG_LEVEL });
  const db = await openConfiguredReadModelDatabase(config);
  const verifier = createTokenVerifier({ publicKeys: publicKeysFromPems(config.BDBAZAR_JWT_PUBLIC_KEY), issuer: config.BDBAZAR_JWT_ISSUER, audience: config.BDBAZAR_JWT_AUDIENCE });
  const server = await startHttpServer(createQueryApp({ db, verifier, runtimeSchema: DEFAULT_RUNTIME_SCHEMA, logger }), { port: config.PORT, logger });
  logger.info({ port: server.port }, 'query API running');
  return {
    stop: async () => {
      await server.close();
      await db.close();
    },
  };
});
