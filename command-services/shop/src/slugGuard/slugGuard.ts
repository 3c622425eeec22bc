/**
 * One slug, one shop, even when two sellers open shops of the same name at the same moment: each
 * slug has a guard stream (`shopslug-<slug>`), and claiming it is an append with an expected
 * revision, so of two claims racing for one slug exactly one wins. A read model lookup would race.
 * A rename claims the new slug before the shop changes and releases the old one after.
 */
import { ConflictError, type Decider } from '@bdbazar/shared-kernel';

export type SlugGuardEvent =
  | { type: 'ShopSlugClaimed'; data: { slug: string; shopId: string; claimedAt: string } }
  | { type: 'ShopSlugReleased'; data: { slug: string; shopId: string; releasedAt: string } };

export type SlugGuardCommand =
  | { type: 'ClaimShopSlug'; data: { slug: string; shopId: string; now: string } }
  | { type: 'ReleaseShopSlug'; data: { slug: string; shopId: string; now: string } };

export type SlugGuardState = { claimedBy: string | null; claimedAt: string | null };

/** The slug is lower-case ASCII letters, digits and dashes (slugOf in the shared kernel): safe in a stream id as it is. */
export const slugGuardStreamId = (slug: string): string => `shopslug-${slug}`;

export const slugTakenMessage = (slug: string): string =>
  `Another shop already has this name (its address would be /shops/${slug}); choose a name that sets yours apart, such as one with your area in it.`;

export function decideSlugGuard(command: SlugGuardCommand, state: SlugGuardState): SlugGuardEvent[] {
  const { slug, shopId, now } = command.data;
  switch (command.type) {
    case 'ClaimShopSlug':
      if (state.claimedBy === shopId) return [];
      if (state.claimedBy !== null) throw new ConflictError(slugTakenMessage(slug), { field: 'name', slug });
      return [{ type: 'ShopSlugClaimed', data: { slug, shopId, claimedAt: now } }];
    case 'ReleaseShopSlug':
      return state.claimedBy === shopId ? [{ type: 'ShopSlugReleased', data: { slug, shopId, releasedAt: now } }] : [];
  }
}

export const slugGuardDecider: Decider<SlugGuardCommand, SlugGuardEvent, SlugGuardState> = {
  initialState: () => ({ claimedBy: null, claimedAt: null }),
  evolve: (_state, event) =>
    event.type === 'ShopSlugClaimed' ? { claimedBy: event.data.shopId, claimedAt: event.data.claimedAt } : { claimedBy: null, claimedAt: null },
  decide: decideSlugGuard,
};
