/** `npm run start:projections`: the projector workers and the outbox relay as a service of their own. */
import {
  DEFAULT_RUNTIME_SCHEMA,
  createLogger,
  decryptingEventStore,
  loadConfig,
  openConfiguredEventStore,
  openConfiguredReadModelDatabase,
  openPersonalDataVault,
  openConfiguredRabbitMqTransport,
  requireServerStores,
  runMain,
} from '@bdbazar/shared-kernel';
import { startProjectionsService } from './projectionsService';
import { projectors } from './registry';

runMain(async () => {
  const config = loadConfig();
  requireServerStores(config, 'projections');
  const logger = createLogger({ name: 'projections', level: config.LOG_LEVEL });
  const store = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  const transport = config.BDBAZAR_RABBITMQ_URL ? await openConfiguredRabbitMqTransport(config, logger) : null;
  // Projectors read personal data decrypted (and as null once forgotten); they never encrypt.
  const reader = decryptingEventStore(store, await openPersonalDataVault(db));
  const service = await startProjectionsService({ store: reader, db, runtimeSchema: DEFAULT_RUNTIME_SCHEMA, definitions: projectors, publisher: transport, logger });
  logger.info({ projectors: projectors.map((p) => p.name), bus: transport ? 'rabbitmq' : 'none' }, 'projections service started');
  return {
    stop: async () => {
      await service.stop();
      await transport?.close();
      await db.close();
      await store.close();
    },
  };
});
