/** `node command-services/shop/dist/main.js`: the shop service on its own (server stores from .env). */
import {
  createLogger,
  configuredTokenVerifier,
  loadConfig,
  openConfiguredEventStore,
  openConfiguredReadModelDatabase,
  requireServerStores,
  runMain,
  startHttpServer,
  startIdempotencyHousekeeping,
} from '@bdbazar/shared-kernel';
import { SHOP_SCHEMA, createShopApp } from './app';
import { openShopModule } from './shopModule';

runMain(async () => {
  const config = loadConfig();
  requireServerStores(config, 'shop');
  const logger = createLogger({ name: 'shop', level: config.LOG_LEVEL });
  const verifier = configuredTokenVerifier(config, 'shop service');
  const store = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  const module = await openShopModule({ store, db, config, verifier });
  const server = await startHttpServer(await createShopApp({ module, db, logger }), { port: config.PORT, logger });
  const housekeeping = await startIdempotencyHousekeeping({ db, schemas: [SHOP_SCHEMA], logger });
  logger.info({ port: server.port }, 'shop service running');
  return {
    stop: async () => {
      await server.close();
      await housekeeping.stop();
      await db.close();
      await store.close();
    },
  };
});
