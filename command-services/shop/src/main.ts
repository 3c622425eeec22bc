/** `node command-services/shop/dist/main.js`: the shop service on its own (server stores from .env). */
import {
  ConfigError,
  createLogger,
  createTokenVerifier,
  loadConfig,
  openConfiguredEventStore,
  openConfiguredReadModelDatabase,
  publicKeysFromPems,
  requireServerStores,
  runMain,
  startHttpServer,
} from '@bdbazar/shared-kernel';
import { createShopApp } from './app';
import { openShopModule } from './shopModule';

runMain(async () => {
  const config = loadConfig();
  requireServerStores(config, 'shop');
  if (!config.BDBAZAR_JWT_PUBLIC_KEY) throw new ConfigError("The shop service verifies access tokens with the account service's public key: set BDBAZAR_JWT_PUBLIC_KEY (PEM).");
  const logger = createLogger({ name: 'shop', level: config.LOG_LEVEL });
  const verifier = createTokenVerifier({ publicKeys: publicKeysFromPems(config.BDBAZAR_JWT_PUBLIC_KEY), issuer: config.BDBAZAR_JWT_ISSUER, audience: config.BDBAZAR_JWT_AUDIENCE });
  const store = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  const module = await openShopModule({ store, db, config, verifier });
  const server = await startHttpServer(await createShopApp({ module, db, logger }), { port: config.PORT, logger });
  logger.info({ port: server.port }, 'shop service running');
  return {
    stop: async () => {
      await server.close();
      await db.close();
      await store.close();
    },
  };
});
