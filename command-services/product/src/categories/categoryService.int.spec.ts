/**
 * How a listing's category is checked, with two replicas of the product service over one store:
 * a burst of listings reads the tree once, a category another replica created is never refused,
 * and another replica's retirement is seen within the bound. On the embedded store.
 */
import { createEmbeddedEventStore, type EventStore, type ReadStreamOptions } from '@bdbazar/shared-kernel';
import { CATEGORY_TREE_STREAM } from './categoryTree';
import { createCategoryService } from './categoryService';

const context = { correlationId: 'c-1', causationId: 'c-1', actor: { id: 'admin', role: 'admin' as const } };
const ACCEPT_WITHIN_MS = 200;

describe('checking a listing against the category tree', () => {
  let store: EventStore;
  let treeReads = 0;
  /** The store as replica B sees it, counting B's reads of the tree. */
  let counted: EventStore;

  beforeAll(async () => {
    store = await createEmbeddedEventStore({ dataDir: 'memory://' });
    counted = Object.create(store) as EventStore;
    counted.readStream = (streamId: string, options?: ReadStreamOptions) => {
      if (streamId === CATEGORY_TREE_STREAM) treeReads++;
      return store.readStream(streamId, options);
    };
  });
  afterAll(async () => {
    await store.close();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('reads the tree once for a burst of listings, never refuses a category another replica just created, and sees a retirement within the bound', async () => {
    const a = createCategoryService({ store, acceptWithinMs: ACCEPT_WITHIN_MS });
    const b = createCategoryService({ store: counted, acceptWithinMs: ACCEPT_WITHIN_MS });
    const sarees = (await a.create('admin', { name: 'Sarees' }, context)).id;

    treeReads = 0;
    expect(await b.problemWith(sarees)).toBeNull();
    const burst = await Promise.all(Array.from({ length: 50 }, () => b.problemWith(sarees)));
    expect(burst.every((problem) => problem === null)).toBe(true);
    expect(treeReads).toBe(1);

    // Created by the other replica a moment ago: B's kept tree lacks it, and a refusal is only decided on a fresh read.
    const lungis = (await a.create('admin', { name: 'Lungis' }, context)).id;
    expect(await b.problemWith(lungis)).toBeNull();
    expect(treeReads).toBe(2);

    // Retired by the other replica: within the bound, B still accepts it, as it would have a moment earlier...
    await a.retire(sarees, 'admin', context);
    expect(await b.problemWith(sarees)).toBeNull();
    expect(treeReads).toBe(2);
    // ...and past it, B reads the tree again and refuses it.
    await sleep(ACCEPT_WITHIN_MS + 50);
    expect(await b.problemWith(sarees)).toMatch(/"Sarees" is retired/);
    expect(treeReads).toBe(3);
  });

  it("sees its own replica's changes at once, and refuses a category that does not exist", async () => {
    const a = createCategoryService({ store: counted, acceptWithinMs: 60_000 });
    const panjabis = (await a.create('admin', { name: 'Panjabis' }, context)).id;
    expect(await a.problemWith(panjabis)).toBeNull();
    await a.retire(panjabis, 'admin', context);
    expect(await a.problemWith(panjabis)).toMatch(/"Panjabis" is retired/);
    expect(await a.problemWith('6f1c1c7e-0000-4000-8000-000000000000')).toMatch(/There is no category/);
  });

  it('reads the tree for every check when it may keep nothing', async () => {
    const b = createCategoryService({ store: counted, acceptWithinMs: 0 });
    const a = createCategoryService({ store });
    const kurtas = (await a.create('admin', { name: 'Kurtas' }, context)).id;
    treeReads = 0;
    for (let i = 0; i < 3; i++) {
      expect(await b.problemWith(kurtas)).toBeNull();
      await sleep(2);
    }
    expect(treeReads).toBe(3);
  });
});
