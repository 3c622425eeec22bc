import { ConflictError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { slugGuardDecider, slugGuardStreamId } from './slugGuard';

const now = '2026-11-24T10:00:00.000Z';
const slug = 'mim-fashion-house';
const spec = DeciderSpecification.for(slugGuardDecider);
const claimed = (shopId: string) => ({ type: 'ShopSlugClaimed' as const, data: { slug, shopId, claimedAt: now } });
const released = (shopId: string) => ({ type: 'ShopSlugReleased' as const, data: { slug, shopId, releasedAt: now } });
const claim = (shopId: string) => ({ type: 'ClaimShopSlug' as const, data: { slug, shopId, now } });
const release = (shopId: string) => ({ type: 'ReleaseShopSlug' as const, data: { slug, shopId, now } });

describe('the shop slug guard', () => {
  it('names its stream after the slug, in its own category', () => expect(slugGuardStreamId(slug)).toBe('shopslug-mim-fashion-house'));
  it('lets the first shop claim a free slug', () => spec.given([]).when(claim('a')).then([claimed('a')]));
  it('treats a claim by the same shop as done', () => spec.given([claimed('a')]).when(claim('a')).thenNothingHappened());
  it('refuses a claim by another shop, saying what to do', () =>
    spec.given([claimed('a')]).when(claim('b')).thenThrows(ConflictError, /Another shop already has this name \(its address would be \/shops\/mim-fashion-house\); choose a name/));
  it('lets a slug be claimed again once released (a rename moved away)', () => spec.given([claimed('a'), released('a')]).when(claim('b')).then([claimed('b')]));
  it('releases only for the shop that holds it', () => {
    spec.given([claimed('a')]).when(release('a')).then([released('a')]);
    spec.given([claimed('a')]).when(release('b')).thenNothingHappened();
    spec.given([]).when(release('a')).thenNothingHappened();
  });
});
