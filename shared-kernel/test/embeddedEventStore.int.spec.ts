import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createEmbeddedEventStore } from '../src/eventStore';
import { eventStoreContract } from './eventStoreContract';

describe('embedded (PGlite) adapter', () => {
  eventStoreContract({
    name: 'embedded PGlite',
    capabilities: { detectsConflictingRetries: true },
    open: () => createEmbeddedEventStore({ dataDir: 'memory://' }),
  });

  it('keeps its events in the data folder across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bdbazar-es-'));
    try {
      const first = await createEmbeddedEventStore({ dataDir });
      const id = `order-${randomUUID()}`;
      const appended = await first.appendToStream(id, [{ id: randomUUID(), type: 'OrderPlaced', data: { total: { amount: 12_500, currency: 'BDT' } } }]);
      await first.close();

      const second = await createEmbeddedEventStore({ dataDir });
      const read = await second.readStream(id);
      expect(read).toEqual([expect.objectContaining({ streamId: id, revision: 0, type: 'OrderPlaced', position: appended.position, data: { total: { amount: 12_500, currency: 'BDT' } } })]);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
