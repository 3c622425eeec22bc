/** The shop use cases over the real embedded store (no HTTP): slugs stay unique under races and crashes. */
import { randomUUID } from 'node:crypto';
import { ConcurrencyError, ConflictError, ForbiddenError, createEmbeddedEventStore, type EventStore } from '@bdbazar/shared-kernel';
import { shopStreamId } from './shop';
import { ABANDONED_CLAIM_MS, createShopService, type ShopService } from './shopService';
import { slugGuardStreamId } from './slugGuard/slugGuard';
import { detailsInput, otherSellerId, ownerId } from './testing/shopBuilders';

const context = { correlationId: 'c-1', causationId: 'c-1', actor: { id: 'test', role: 'system' as const } };
const owner = { id: ownerId, role: 'seller' as const };

describe('the shop service', () => {
  let store: EventStore;
  let service: ShopService;
  let now: Date;

  beforeAll(async () => {
    store = await createEmbeddedEventStore({ dataDir: 'memory://' });
    now = new Date('2026-11-24T10:00:00.000Z');
    service = createShopService({ store, clock: () => now });
  });
  afterAll(async () => {
    await store.close();
  });

  const unique = (name: string) => `${name} ${randomUUID().slice(0, 6)}`;
  const slugOf = (name: string) => name.toLowerCase().replace(/ /g, '-');
  const typesIn = async (streamId: string) => (await store.readStream(streamId)).map((e) => e.type);
  /** A claim as a crashed process leaves it: in the guard, but no shop written with that slug. */
  const leftoverClaim = async (slug: string, shopId: string, claimedAt: Date) =>
    store.appendToStream(slugGuardStreamId(slug), [{ id: randomUUID(), type: 'ShopSlugClaimed', data: { slug, shopId, claimedAt: claimedAt.toISOString() } }]);

  it('opens one shop per name under 10 concurrent openings', async () => {
    const name = unique('Mim Fashion');
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => service.openShop(ownerId, detailsInput({ name }), context)));
    const opened = results.filter((r): r is PromiseFulfilledResult<{ id: string; revision: number; position: string }> => r.status === 'fulfilled');
    expect(opened).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) expect(r.reason).toBeInstanceOf(ConflictError);
    expect(await typesIn(slugGuardStreamId(slugOf(name)))).toEqual(['ShopSlugClaimed']);
    expect((await store.readStream(slugGuardStreamId(slugOf(name))))[0]!.data).toEqual(expect.objectContaining({ shopId: opened[0]!.value.id }));
  });

  it('moves the claim on a rename: the new slug claimed, the old one released', async () => {
    const before = unique('Karim Books');
    const after = unique('Karim Stationery');
    const { id } = await service.openShop(ownerId, detailsInput({ name: before }), context);
    await service.changeDetails(id, owner, detailsInput({ name: after }), context);
    expect(await typesIn(slugGuardStreamId(slugOf(before)))).toEqual(['ShopSlugClaimed', 'ShopSlugReleased']);
    expect(await typesIn(slugGuardStreamId(slugOf(after)))).toEqual(['ShopSlugClaimed']);
    // A change that keeps the name does not touch the guard.
    await service.changeDetails(id, owner, detailsInput({ name: after, description: 'Now with pens.' }), context);
    expect(await typesIn(slugGuardStreamId(slugOf(after)))).toEqual(['ShopSlugClaimed']);
  });

  it('refuses before touching the guard: another seller, a stale If-Match', async () => {
    const { id } = await service.openShop(ownerId, detailsInput({ name: unique('Nila Crafts') }), context);
    const wanted = unique('Stolen Name');
    await expect(service.changeDetails(id, { id: otherSellerId, role: 'seller' }, detailsInput({ name: wanted }), context)).rejects.toThrow(ForbiddenError);
    await expect(service.changeDetails(id, owner, detailsInput({ name: wanted }), context, 7)).rejects.toThrow(ConcurrencyError);
    expect(await typesIn(slugGuardStreamId(slugOf(wanted)))).toEqual([]);
    expect(await typesIn(shopStreamId(id))).toEqual(['ShopOpened']);
  });

  it('takes over a claim whose shop was never written, once it is old enough', async () => {
    const name = unique('Abandoned Name');
    await leftoverClaim(slugOf(name), randomUUID(), now);
    await expect(service.openShop(ownerId, detailsInput({ name }), context)).rejects.toThrow(ConflictError);

    const later = now;
    now = new Date(later.getTime() + ABANDONED_CLAIM_MS + 1000);
    try {
      const { id } = await service.openShop(ownerId, detailsInput({ name }), context);
      expect(await typesIn(slugGuardStreamId(slugOf(name)))).toEqual(['ShopSlugClaimed', 'ShopSlugReleased', 'ShopSlugClaimed']);
      expect((await store.readStream(slugGuardStreamId(slugOf(name)))).at(-1)!.data).toEqual(expect.objectContaining({ shopId: id }));
    } finally {
      now = later;
    }
  });

  it('takes over a claim left by a rename that did not release it, but never one its shop still uses', async () => {
    const name = unique('Moved Away');
    const { id } = await service.openShop(ownerId, detailsInput({ name: unique('Somewhere Else') }), context);
    await leftoverClaim(slugOf(name), id, new Date(now.getTime() - ABANDONED_CLAIM_MS - 1000));
    expect((await service.openShop(otherSellerId, detailsInput({ name }), context)).id).not.toBe(id);

    const inUse = unique('In Use');
    const early = new Date(now.getTime() - 10 * ABANDONED_CLAIM_MS);
    const earlyService = createShopService({ store, clock: () => early });
    await earlyService.openShop(ownerId, detailsInput({ name: inUse }), context);
    await expect(service.openShop(otherSellerId, detailsInput({ name: inUse }), context)).rejects.toThrow(/Another shop already has this name/);
  });
});
