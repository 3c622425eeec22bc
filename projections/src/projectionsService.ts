/**
 * The projections service: every registered projector's worker, and the outbox relay that carries
 * their integration events to the bus. Used alone (`start:projections`) and inside `npm start`.
 */
import {
  migrateRuntimeSchema,
  startOutboxRelay,
  startProjectorWorker,
  type Database,
  type EventStore,
  type Logger,
  type OutboxRelay,
  type ProjectorDefinition,
  type ProjectorWorker,
  type Publisher,
} from '@bdbazar/shared-kernel';

export interface ProjectionsServiceOptions {
  store: EventStore;
  db: Database;
  runtimeSchema: string;
  definitions: ProjectorDefinition[];
  /** Where integration events go; without one they wait in the outbox. */
  publisher: Publisher | null;
  logger: Logger;
}

export interface ProjectionsService {
  workers: ProjectorWorker[];
  relay: OutboxRelay | null;
  stop(): Promise<void>;
}

export async function startProjectionsService(options: ProjectionsServiceOptions): Promise<ProjectionsService> {
  const { store, db, runtimeSchema, definitions, publisher, logger } = options;
  await migrateRuntimeSchema(db, runtimeSchema);
  const relay = publisher ? await startOutboxRelay({ db, schema: runtimeSchema, publisher, logger: logger.child({ component: 'outbox-relay' }) }) : null;
  if (!publisher) logger.warn('no message bus is configured: integration events wait in the outbox until a relay runs');
  const workers = definitions.map((definition) =>
    startProjectorWorker({ store, db, runtimeSchema, definition, logger, onOutboxWritten: () => relay?.notify() }),
  );
  return {
    workers,
    relay,
    stop: async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await relay?.stop();
    },
  };
}
