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
  type Database,
  type EventStore,
  type Logger,
} from '@bdbazar/shared-kernel';
import { startProjectionsService } from './projectionsService';
import { projectors } from './registry';

/**
 * The event store and the read-model database over the configured stores, as projectors use
 * them: personal data read decrypted (and as null once forgotten); they never encrypt. The
 * workers and the CLI open them so: a rebuild or a republish that read the raw store would write
 * the ciphertext into read models and messages.
 */
export async function openProjectionStores(config: Config): Promise<{ store: EventStore; db: Database; close(): Promise<void> }> {
  const raw = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  const store = decryptingEventStore(raw, await openPersonalDataVault(db));
  return { store, db, close: async () => (await db.close(), await raw.close()) };
}

export async function startConfiguredProjections(config: Config, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const { store, db, close } = await openProjectionStores(config);
  const transport = config.BDBAZAR_RABBITMQ_URL ? await openConfiguredRabbitMqTransport(config, logger) : null;
  const service = await startProjectionsService({ store, db, runtimeSchema: DEFAULT_RUNTIME_SCHEMA, definitions: projectors, publisher: transport, logger });
  logger.info({ projectors: projectors.map((p) => p.name), bus: transport ? 'rabbitmq' : 'none' }, 'projections service started');
  return {
    stop: async () => {
      await service.stop();
      await transport?.close();
      await close();
    },
  };
}
