/**
 * The projections service over the configured stores and bus, with connections of its own: what
 * `npm run start:projections` runs, and what tests run beside a marketplace that leaves its
 * projections to it.
 */
import {
  DEFAULT_RUNTIME_SCHEMA,
  decryptingEventStore,
  openConfiguredEventStore,
  openConfiguredRabbitMqTransport,
  openConfiguredReadModelDatabase,
  openPersonalDataVault,
  type Config,
  type Logger,
} from '@bdbazar/shared-kernel';
import { startProjectionsService } from './projectionsService';
import { projectors } from './registry';

export async function startConfiguredProjections(config: Config, logger: Logger): Promise<{ stop(): Promise<void> }> {
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
}
