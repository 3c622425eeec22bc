import { IllegalStateError, ValidationError } from '@bdbazar/shared-kernel';
import { factsOf, type ShopEvent, type ShopState } from '../shop';
import { existing } from '../guards';

/** An admin's decisions on a shop's standing (the route has checked the admin role). */
export type AdminShopCommand =
  | { type: 'ApproveShop'; data: { shopId: string; adminId: string; now: string } }
  | { type: 'SuspendShop'; data: { shopId: string; adminId: string; reason: string; now: string } }
  | { type: 'ReinstateShop'; data: { shopId: string; adminId: string; now: string } };

/**
 * pending --approve--> active; pending or active --suspend--> suspended --reinstate--> where it was
 * (active if it had been approved, pending if not). Repeating a decision already in force changes
 * nothing, so that a retried request is harmless.
 */
export function administerShop(command: AdminShopCommand, state: ShopState): ShopEvent[] {
  const { shopId, adminId, now } = command.data;
  const shop = existing(state, shopId);
  const facts = factsOf(shop);
  switch (command.type) {
    case 'ApproveShop':
      if (shop.status === 'active') return [];
      if (shop.status === 'suspended') {
        throw new IllegalStateError(`Shop ${shopId} is suspended (${shop.suspendedReason ?? 'no reason given'}); reinstate it rather than approve it.`, { shopId, status: shop.status });
      }
      return [{ type: 'ShopApproved', data: { ...facts, approvedBy: adminId, approvedAt: now } }];
    case 'SuspendShop':
      if (command.data.reason.trim() === '') throw new ValidationError('Say why the shop is suspended: its owner sees the reason and needs it to put things right.', { field: 'reason' });
      if (shop.status === 'suspended') return [];
      return [{ type: 'ShopSuspended', data: { ...facts, reason: command.data.reason, suspendedBy: adminId, suspendedAt: now } }];
    case 'ReinstateShop':
      if (shop.status !== 'suspended') return [];
      return [{ type: 'ShopReinstated', data: { ...facts, status: shop.approved ? 'active' : 'pending', reinstatedBy: adminId, reinstatedAt: now } }];
  }
}
