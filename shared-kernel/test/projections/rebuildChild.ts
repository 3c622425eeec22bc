/**
 * A rebuild in its own process, for the kill test: the real CLI over the sample projector, printing
 * a progress line per batch so that the test knows events are being applied when it kills us.
 */
import { createPostgresEventStore, openDatabase, runProjectionsCli, silentLogger } from '../../src';
import { orderSummariesProjector } from '../../src/projections/fixtures/orderSummaries';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

void runProjectionsCli(['rebuild', env('KILL_PROJECTOR')], {
  definitions: [orderSummariesProjector({ name: env('KILL_PROJECTOR') })],
  runtimeSchema: env('KILL_RUNTIME_SCHEMA'),
  logger: silentLogger(),
  out: process.stdout,
  progressEveryMs: 0,
  maxBatchSize: 500,
  open: async () => {
    const store = await createPostgresEventStore({ connectionString: env('KILL_POSTGRES_URL'), schema: env('KILL_EVENT_STORE_SCHEMA') });
    const db = await openDatabase({ kind: 'postgres', connectionString: env('KILL_POSTGRES_URL') });
    return { store, db, close: async () => (await db.close(), await store.close()) };
  },
}).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
