/** `npm run start:account`: the account service on its own (server stores from .env). */
import { createLogger, loadConfig, openConfiguredEventStore, openConfiguredReadModelDatabase, requireServerStores, runMain, startHttpServer, startIdempotencyHousekeeping } from '@bdbazar/shared-kernel';
import { openAccountModule } from './accountModule';
import { ACCOUNT_SCHEMA, createAccountApp } from './app';

runMain(async () => {
  const config = loadConfig();
  requireServerStores(config, 'account');
  const logger = createLogger({ name: 'account', level: config.LOG_LEVEL });
  const store = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  const module = await openAccountModule({ store, db, config });
  const server = await startHttpServer(await createAccountApp({ module, db, logger }), { port: config.PORT, logger });
  const housekeeping = await startIdempotencyHousekeeping({ db, schemas: [ACCOUNT_SCHEMA], logger });
  logger.info({ port: server.port, jwks: module.keys.publicJwks() }, 'account service running');
  return {
    stop: async () => {
      await server.close();
      await housekeeping.stop();
      await db.close();
      await store.close();
    },
  };
});
