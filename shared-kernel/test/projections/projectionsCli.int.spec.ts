import { CliUsageError, createEmbeddedEventStore, openDatabase, type Database, type EventStore } from '../../src';
import { projectionsCliOutput } from './cliOutput';
import { orderSummariesProjector, sampleOrderHistory } from '../../src/projections/fixtures/orderSummaries';

describe('the projections CLI', () => {
  let store: EventStore;
  let db: Database;
  const definition = orderSummariesProjector({ name: 'cli_orders' });

  beforeAll(async () => {
    store = await createEmbeddedEventStore({ dataDir: 'memory://' });
    db = await openDatabase({ kind: 'pglite' });
    for (const { streamId, events } of sampleOrderHistory(300, 30)) await store.appendToStream(streamId, events);
  });
  afterAll(async () => {
    await db.close();
    await store.close();
  });

  const cli = (...argv: string[]): Promise<string> =>
    projectionsCliOutput(argv, {
      definitions: [definition],
      runtimeSchema: 'bdbazar',
      progressEveryMs: 0,
      maxBatchSize: 100,
      open: async () => ({ store, db, close: async () => undefined }),
    });

  it('says a projector never ran', async () => {
    expect(await cli('status')).toBe('cli_orders (code version 1): live generation -\n  never run\n');
  });

  it('rebuilds with progress, switches over, and reports the new generation', async () => {
    const output = await cli('rebuild', 'cli_orders');
    const lines = output.trim().split('\n');
    expect(lines[0]).toMatch(/^cli_orders g1: 100 \/ 600 events \(16\.7%\) {2}[\d,]+ events\/s {2}about \d+ s left$/);
    expect(lines).toContain(lines.find((l) => l.startsWith('cli_orders g1: 600 / 600 events (100.0%)')));
    expect(lines.at(-1)).toBe('Rebuilt cli_orders generation 1; readers now see it. Drop the old one with: npm run projections -- drop-old cli_orders');

    const again = await cli('rebuild', 'cli_orders');
    expect(again).toContain('Rebuilt cli_orders generation 2');
    const status = await cli('status', 'cli_orders');
    expect(status).toMatch(/live generation 2\n {2}g1 v1 old +caught_up +600 applied {2}0 events \/ 0\.0 s behind\n {2}g2 v1 live +caught_up +600 applied {2}0 events \/ 0\.0 s behind\n$/);
    expect(await cli('drop-old', 'cli_orders')).toBe('Dropped generation(s) 1 of cli_orders.\n');
    expect(await cli('drop-old', 'cli_orders')).toBe('cli_orders has no old generation to drop.\n');
  });

  it.each([
    [[], /^usage: npm run projections/],
    [['launch'], /^usage: npm run projections/],
    [['rebuild'], /^rebuild needs a projector name: one of cli_orders\.$/],
    [['rebuild', 'nope'], /^No projector is called 'nope'\. Known: cli_orders\.$/],
    [['status', 'cli_orders', 'extra'], /^usage/],
  ])('refuses %j with a message saying what to type', async (argv, message) => {
    await expect(cli(...argv)).rejects.toThrow(CliUsageError);
    await expect(cli(...argv)).rejects.toThrow(message);
  });
});
