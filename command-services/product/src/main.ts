/** `node command-services/product/dist/main.js`: the product service on its own (server stores and RabbitMQ from .env). */
import {
  ConfigError,
  DEFAULT_RUNTIME_SCHEMA,
  configuredTokenVerifier,
  createLogger,
  loadConfig,
  migrateRuntimeSchema,
  openConfiguredEventStore,
  openConfiguredReadModelDatabase,
  openConfiguredRabbitMqTransport,
  requireServerStores,
  runMain,
  startHttpServer,
  startIdempotencyHousekeeping,
} from '@bdbazar/shared-kernel';
import { createProductApp } from './app';
import { PRODUCT_SCHEMA, openProductModule } from './productModule';

runMain(async () => {
  const config = loadConfig();
  requireServerStores(config, 'product');
  if (!config.BDBAZAR_RABBITMQ_URL) {
    throw new ConfigError('The product service run on its own learns of shops from RabbitMQ: set BDBAZAR_RABBITMQ_URL (see .env.example).');
  }
  const logger = createLogger({ name: 'product', level: config.LOG_LEVEL });
  const verifier = configuredTokenVerifier(config, 'product service');
  const store = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  await migrateRuntimeSchema(db, DEFAULT_RUNTIME_SCHEMA);
  const transport = await openConfiguredRabbitMqTransport(config, logger);
  const module = await openProductModule({ store, db, config, verifier, transport, logger });
  const server = await startHttpServer(await createProductApp({ module, db, logger }), { port: config.PORT, logger });
  const housekeeping = await startIdempotencyHousekeeping({ db, schemas: [PRODUCT_SCHEMA], logger });
  logger.info({ port: server.port }, 'product service running');
  return {
    stop: async () => {
      await server.close();
      await housekeeping.stop();
      await module.stop();
      await transport.close();
      await db.close();
      await store.close();
    },
  };
});
