import { canonicalJson } from '@bdbazar/shared-kernel';
import type { ShopDetails, ShopEvent, ShopState } from '../shop';
import { existing, ownerOrAdmin, type ShopActor } from '../guards';

/**
 * The owner (or an admin) replaces the shop's details. Allowed whatever the shop's standing: a
 * suspended shop's owner may fix what got it suspended. Its standing does not change.
 */
export interface ChangeShopDetails {
  type: 'ChangeShopDetails';
  data: { shopId: string; actor: ShopActor; details: ShopDetails; now: string };
}

export function changeShopDetails(command: ChangeShopDetails, state: ShopState): ShopEvent[] {
  const { shopId, actor, details, now } = command.data;
  const shop = existing(state, shopId);
  ownerOrAdmin(shop, actor);
  // Key order is not meaning (and a store may not keep it: EventStoreDB's clients, our earlier jsonb).
  if (canonicalJson(shop.details) === canonicalJson(details)) return [];
  return [{ type: 'ShopDetailsChanged', data: { shopId, ownerId: shop.ownerId, status: shop.status, ...details, changedBy: actor.id, changedAt: now } }];
}
