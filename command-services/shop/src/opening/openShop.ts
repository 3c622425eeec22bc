import { IllegalStateError } from '@bdbazar/shared-kernel';
import type { ShopDetails, ShopEvent, ShopState } from '../shop';

/** An approved seller opens a shop (the route has checked the approval); it waits for an admin's approval. */
export interface OpenShop {
  type: 'OpenShop';
  data: { shopId: string; ownerId: string; details: ShopDetails; now: string };
}

export function openShop(command: OpenShop, state: ShopState): ShopEvent[] {
  const { shopId, ownerId, details, now } = command.data;
  if (state.status !== 'none') {
    // The same opening retried: nothing more to do.
    if (state.ownerId === ownerId && state.details.slug === details.slug) return [];
    throw new IllegalStateError(`Shop ${shopId} is already open.`, { shopId });
  }
  return [{ type: 'ShopOpened', data: { shopId, ownerId, status: 'pending', ...details, openedAt: now } }];
}
