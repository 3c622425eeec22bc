/** `npm run start:projections`: the projector workers and the outbox relay as a service of their own. */
import {
  ConfigError,
  DEFAULT_RUNTIME_SCHEMA,
  createLogger,
  loadConfig,
  openConfiguredEventStore,
  openConfiguredReadModelDatabase,
  decryptingEventStore,
  openPersonalDataVault,
  openRabbitMqTransport,
  requireServerStores,
} from '@bdbazar/shared-kernel';
import { startProjectionsService } from './projectionsService';
import { projectors } from './registry';

async function main(): Promise<void> {
  const config = loadConfig();
  requireServerStores(config, 'projections');
  const logger = createLogger({ name: 'projections', level: config.LOG_LEVEL });
  const store = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  const transport = config.BDBAZAR_RABBITMQ_URL ? await openRabbitMqTransport({ url: config.BDBAZAR_RABBITMQ_URL, logger }) : null;
  // Projectors read personal data decrypted (and as null once forgotten); they never encrypt.
  const reader = decryptingEventStore(store, await openPersonalDataVault(db));
  const service = await startProjectionsService({ store: reader, db, runtimeSchema: DEFAULT_RUNTIME_SCHEMA, definitions: projectors, publisher: transport, logger });
  logger.info({ projectors: projectors.map((p) => p.name), bus: transport ? 'rabbitmq' : 'none' }, 'projections service started');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await service.stop();
    await transport?.close();
    await db.close();
    await store.close();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
