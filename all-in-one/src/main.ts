/**
 * `npm start`: the marketplace in one process on the embedded default, no server to install.
 *
 * So far the marketplace is its event store: this opens the embedded store in the data folder
 * (creating it on first start), reports what it holds, and follows new events until stopped.
 * The services (accounts, catalogue, orders, ...), the projectors and the query API join this
 * process, on one port with /docs, as they are built.
 */
import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createEmbeddedEventStore, type EventStore } from '@bdbazar/shared-kernel';

async function main(): Promise<void> {
  const dataDir = resolve(process.env['BDBAZAR_DATA_DIR'] ?? '.data');
  mkdirSync(dataDir, { recursive: true });
  const eventStoreDir = resolve(dataDir, 'event-store');
  const store: EventStore = await createEmbeddedEventStore({ dataDir: eventStoreDir });
  const head = await store.headPosition();
  console.log(`bdbazar: embedded event store open at ${eventStoreDir}`);
  console.log(`bdbazar: ${head ? `newest event at position ${head}` : 'no events yet'}`);
  console.log('bdbazar: following new events; Ctrl+C to stop.');

  const subscription = store.subscribeToAll({ fromPosition: 'end' }).subscribe({
    next: (message) => {
      if (message.kind === 'event') console.log(`${message.event.createdAt.toISOString()} ${message.event.streamId}@${message.event.revision} ${message.event.type}`);
    },
    error: (error: unknown) => {
      console.error('bdbazar: the event subscription failed:', error);
      process.exitCode = 1;
    },
  });

  const stop = async (): Promise<void> => {
    subscription.unsubscribe();
    await store.close();
    console.log('bdbazar: stopped.');
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error('bdbazar: could not start:', error);
  process.exit(1);
});
