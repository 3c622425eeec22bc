/** `node command-services/order/dist/main.js`: the order service on its own (server stores and RabbitMQ from .env). */
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
import { createOrderApp } from './app';
import { ORDER_SCHEMA, openOrderModule } from './orderModule';

runMain(async () => {
  const config = loadConfig();
  requireServerStores(config, 'order');
  if (!config.BDBAZAR_RABBITMQ_URL) {
    throw new ConfigError('The order service run on its own learns of products, shops and addresses, and moves orders on, through RabbitMQ: set BDBAZAR_RABBITMQ_URL (see .env.example).');
  }
  const logger = createLogger({ name: 'order', level: config.LOG_LEVEL });
  const verifier = configuredTokenVerifier(config, 'order service');
  const store = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  await migrateRuntimeSchema(db, DEFAULT_RUNTIME_SCHEMA);
  const transport = await openConfiguredRabbitMqTransport(config, logger);
  const module = await openOrderModule({ store, db, config, verifier, transport, logger });
  const server = await startHttpServer(createOrderApp({ module, logger }), { port: config.PORT, logger });
  const housekeeping = await startIdempotencyHousekeeping({ db, schemas: [ORDER_SCHEMA], logger });
  logger.info({ port: server.port }, 'order service running');
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
