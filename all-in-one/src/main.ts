/**
 * `npm start`: the marketplace in one process, on the embedded default unless `.env` says
 * otherwise: the event store (PGlite under BDBAZAR_DATA_DIR), the projector workers with their read
 * models, and the outbox relay over an in-process bus. The command services and the query API
 * join this process, on one port with /docs, as they are built.
 */
import {
  ConfigError,
  DEFAULT_RUNTIME_SCHEMA,
  createInProcessBus,
  createLogger,
  loadConfig,
  openConfiguredEventStore,
  openConfiguredReadModelDatabase,
  openRabbitMqTransport,
  type Transport,
} from '@bdbazar/shared-kernel';
import { projectors, startProjectionsService } from '@bdbazar/projections';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'bdbazar', level: config.LOG_LEVEL });
  const store = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  const bus: Transport = config.BDBAZAR_RABBITMQ_URL ? await openRabbitMqTransport({ url: config.BDBAZAR_RABBITMQ_URL, logger }) : createInProcessBus({ logger });
  const projections = await startProjectionsService({ store, db, runtimeSchema: DEFAULT_RUNTIME_SCHEMA, definitions: projectors, publisher: bus, logger });
  const head = await store.headPosition();
  logger.info(
    {
      eventStore: config.BDBAZAR_EVENT_STORE === 'embedded' ? `embedded in ${config.BDBAZAR_DATA_DIR}` : config.BDBAZAR_EVENT_STORE,
      readModels: config.BDBAZAR_READ_MODEL_URL ? 'postgres' : `embedded in ${config.BDBAZAR_DATA_DIR}`,
      bus: bus.kind,
      projectors: projectors.map((p) => p.name),
      newestEvent: head,
    },
    'bdbazar is running',
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await projections.stop();
    await bus.close();
    await db.close();
    await store.close();
    logger.info('stopped');
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
