/** The shops read model and its integration events, built from events the shop service really writes. */
import {
  createEmbeddedEventStore,
  openDatabase,
  projectorStatus,
  rebuildProjector,
  silentLogger,
  startProjectorWorker,
  type Database,
  type EventStore,
  type ProjectorWorker,
} from '@bdbazar/shared-kernel';
import { createShopService, type ShopService } from '../../../command-services/shop/src/shopService';
import { detailsInput } from '../../../command-services/shop/src/testing/shopBuilders';
import { shopsProjector } from './shopsProjector';

const context = { correlationId: 'c', causationId: 'c', actor: { id: 'test', role: 'system' as const } };
const ownerId = '0193a5c2-0000-4000-8000-0000000000e1';
const adminId = '0193a5c2-0000-4000-8000-0000000000ad';

describe('the shops projector', () => {
  let store: EventStore;
  let db: Database;
  let service: ShopService;
  let worker: ProjectorWorker;

  beforeAll(async () => {
    store = await createEmbeddedEventStore({ dataDir: 'memory://' });
    db = await openDatabase({ kind: 'pglite' });
    service = createShopService({ store });
    worker = startProjectorWorker({ store, db, runtimeSchema: 'bdbazar', definition: shopsProjector, logger: silentLogger(), checkIntervalMs: 50 });
  });
  afterAll(async () => {
    await worker.stop();
    await store.close();
    await db.close();
  });

  const caughtUp = async () => {
    for (;;) {
      const status = await projectorStatus({ db, store, runtimeSchema: 'bdbazar', definition: shopsProjector });
      if (status.generations[0]?.eventsBehind === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const shop = async (id: string) => db.knex('shops.shops').where({ id }).first();
  const outboxOf = async (shopId: string) =>
    (await db.knex('bdbazar.outbox').orderBy('id').select('payload'))
      .map((r: { payload: { type: string; data: Record<string, unknown> } }) => r.payload)
      .filter((p) => p.data['shopId'] === shopId);

  it('follows a shop from opening through a rename, approval and a suspension to reinstatement', async () => {
    const { id } = await service.openShop(ownerId, detailsInput(), context);
    await service.changeDetails(id, { id: ownerId, role: 'seller' }, detailsInput({ name: 'Mim Fashion Sylhet', location: { division: 'Sylhet', district: 'Sylhet', addressLine: 'Zindabazar, Shop 3' } }), context);
    await service.approve(id, adminId, context);
    await service.suspend(id, adminId, 'Counterfeit goods reported by buyers.', context);
    await caughtUp();
    expect(await shop(id)).toEqual(
      expect.objectContaining({
        id,
        owner_id: ownerId,
        name: 'Mim Fashion Sylhet',
        slug: 'mim-fashion-sylhet',
        description: 'Saris, salwar kameez and panjabis from Dhaka.',
        logo_url: 'https://cdn.bdbazar.com.bd/mim/logo.png',
        banner_url: null,
        phone: '+8801811000000',
        email: 'hello@mimfashion.com.bd',
        division: 'Sylhet',
        district: 'Sylhet',
        address: 'Zindabazar, Shop 3',
        pickup: { label: 'Warehouse', recipient: 'Mim Akter', phone: '+8801811000000', division: 'Dhaka', district: 'Dhaka', area: null, line1: 'House 7, Road 3, Block C, Bashundhara R/A', line2: null, postcode: null },
        status: 'suspended',
        suspended_reason: 'Counterfeit goods reported by buyers.',
        revision: 3,
      }),
    );

    await service.reinstate(id, adminId, context);
    await caughtUp();
    expect(await shop(id)).toEqual(expect.objectContaining({ status: 'active', suspended_reason: null, revision: 4 }));

    const facts = { shopId: id, ownerId, name: 'Mim Fashion Sylhet', slug: 'mim-fashion-sylhet', division: 'Sylhet', district: 'Sylhet', at: expect.any(String) };
    expect(await outboxOf(id)).toEqual([
      { type: 'shop.ShopOpened.v1', data: { ...facts, name: 'Mim Fashion House', slug: 'mim-fashion-house', division: 'Dhaka', district: 'Dhaka', status: 'pending' } },
      { type: 'shop.ShopDetailsChanged.v1', data: { ...facts, status: 'pending' } },
      { type: 'shop.ShopApproved.v1', data: { ...facts, status: 'active' } },
      { type: 'shop.ShopSuspended.v1', data: { ...facts, status: 'suspended', reason: 'Counterfeit goods reported by buyers.' } },
      { type: 'shop.ShopReinstated.v1', data: { ...facts, status: 'active' } },
    ].map((p) => expect.objectContaining(p)));
    // The slug guard's streams (shopslug-...) are not shops: no rows, no messages.
    expect(await db.knex('shops.shops').pluck('id')).toEqual([id]);
    expect((await db.knex('bdbazar.outbox').select('payload')).map((r: { payload: { type: string } }) => r.payload.type.split('.')[0])).toEqual(Array(5).fill('shop'));
  });

  it('rebuilds to the same rows', async () => {
    await service.openShop(ownerId, detailsInput({ name: 'মিম ফ্যাশন' }), context);
    await caughtUp();
    const before = await db.knex('shops.shops').orderBy('id');
    expect(before).toHaveLength(2);
    await rebuildProjector({ store, db, runtimeSchema: 'bdbazar', definition: shopsProjector, logger: silentLogger() });
    const after = await db.knex('shops.shops').orderBy('id');
    const stable = (rows: Array<Record<string, unknown>>) => rows.map(({ updated_at: _u, ...rest }) => rest);
    expect(stable(after)).toEqual(stable(before));
  });
});
