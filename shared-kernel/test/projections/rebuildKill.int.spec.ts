/**
 * A rebuild killed with SIGKILL at random points, again and again, must end with the same read
 * model as a clean rebuild: no event lost, none applied twice.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describeWithServer, requireServerUrl } from '../../../test/servers';
import { createPostgresEventStore, openDatabase, rebuildProjector, silentLogger, type Database, type EventStore } from '../../src';
import { orderSummariesProjector, sampleOrderHistory } from '../../src/projections/fixtures/orderSummaries';
import { readModelHash } from './readModel';

const ORDERS = 25_000; // two events each: 50,000 events
const KILLS = 10;

describeWithServer('postgres', 'a rebuild killed at random points', () => {
  const suffix = randomBytes(4).toString('hex');
  const esSchema = `es_kill_${suffix}`;
  const runtimeSchema = `rt_kill_${suffix}`;
  const clean = `orders_clean_${suffix}`;
  const killed = `orders_killed_${suffix}`;
  let store: EventStore;
  let db: Database;

  beforeAll(async () => {
    const url = requireServerUrl('postgres');
    store = await createPostgresEventStore({ connectionString: url, schema: esSchema, poolConfig: { max: 16 } });
    db = await openDatabase({ kind: 'postgres', connectionString: url });
    const history = sampleOrderHistory(ORDERS, 2_500);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < history.length) {
          const { streamId, events } = history[next++]!;
          await store.appendToStream(streamId, events);
        }
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    for (const schema of [esSchema, runtimeSchema, clean, `${clean}_g1`, killed, `${killed}_g1`]) await db?.knex.raw(`drop schema if exists "${schema}" cascade`);
    await db?.close();
  });

  /** Runs the child; kills it `killAfterMs` after its first progress line. Resolves how it ended. */
  function runChild(killAfterMs: number | null): Promise<{ killed: boolean; code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'rebuildChild.ts')], {
        env: {
          ...process.env,
          KILL_PROJECTOR: killed,
          KILL_RUNTIME_SCHEMA: runtimeSchema,
          KILL_POSTGRES_URL: requireServerUrl('postgres'),
          KILL_EVENT_STORE_SCHEMA: esSchema,
          SWC_NODE_PROJECT: join(__dirname, '../../../tsconfig.json'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      let timer: NodeJS.Timeout | undefined;
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (killAfterMs !== null && !timer && /events/.test(output)) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ killed: signal === 'SIGKILL', code, output });
      });
    });
  }

  it('ends with the same read model as a clean rebuild, after at least 10 kills', async () => {
    await rebuildProjector({ store, db, runtimeSchema, definition: orderSummariesProjector({ name: clean }), logger: silentLogger() });
    const expected = await readModelHash(db, clean);
    expect(expected.orders).toBe(ORDERS);

    let kills = 0;
    for (let attempt = 0; attempt < KILLS * 3 && kills < KILLS; attempt++) {
      const run = await runChild(Math.floor(Math.random() * 100));
      if (run.killed) kills++;
      else if (run.code === 0) break; // finished before the kill landed
      else throw new Error(`the rebuild failed on its own:\n${run.output}`);
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    const last = await runChild(null);
    expect(last.output).toContain('readers now see it');
    expect(await readModelHash(db, killed)).toEqual(expected);
  }, 300_000);
});
