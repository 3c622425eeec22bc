/** Preconditions shared by the shop's use cases. */
import { ForbiddenError, NotFoundError } from '@bdbazar/shared-kernel';
import type { Shop, ShopState } from './shop';

/** The shop exists. */
export function existing(state: ShopState, shopId: string): Shop {
  if (state.status === 'none') throw new NotFoundError(`There is no shop ${shopId}.`, { shopId });
  return state;
}

/** Who asks for a change, as the access token says. */
export interface ShopActor {
  id: string;
  role: 'buyer' | 'seller' | 'admin';
}

/** Only the shop's owner, or an admin, changes a shop. */
export function ownerOrAdmin(shop: Shop, actor: ShopActor): void {
  if (actor.role === 'admin' || (actor.role === 'seller' && actor.id === shop.ownerId)) return;
  throw new ForbiddenError(`Only the owner of shop ${shop.shopId} (or an admin) can change it; you are not its owner.`, { shopId: shop.shopId });
}
