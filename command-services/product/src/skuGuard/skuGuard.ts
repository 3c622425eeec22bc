/**
 * One SKU, one product, within a shop: each (shop, SKU) pair has a guard stream, and a product
 * claims its SKUs there before it is written. A claim is an append expecting the stream not to
 * exist (or to end in a release), so of two products racing for one SKU exactly one wins, with
 * no read in the usual case. A product releases its SKUs when it drops a variant, is archived or
 * is removed, and the SKU can then be used again. Stream `sku-<uuid v5 of shop and SKU>`.
 */
import { ConflictError, nameBasedId, type Decider } from '@bdbazar/shared-kernel';

export type SkuGuardEvent =
  | { type: 'SkuClaimed'; data: { shopId: string; sku: string; productId: string; claimedAt: string } }
  | { type: 'SkuReleased'; data: { shopId: string; sku: string; productId: string; releasedAt: string } };

export type SkuGuardCommand =
  | { type: 'ClaimSku'; data: { shopId: string; sku: string; productId: string; now: string } }
  | { type: 'ReleaseSku'; data: { shopId: string; sku: string; productId: string; now: string } };

export interface SkuGuardState {
  heldBy: string | null;
  claimedAt: string | null;
}

/** The namespace of SKU guard ids (a UUID v5 namespace of our own). */
const SKU_NAMESPACE = '3b0c1f0e-6a2d-5c4b-8e7f-9a1b2c3d4e5f';

/** A name-based UUID (v5) of the shop and the SKU, as a stream id safe for any SKU. */
export function skuGuardStreamId(shopId: string, sku: string): string {
  return `sku-${nameBasedId(SKU_NAMESPACE, `${shopId.toLowerCase()}:${sku}`)}`;
}

export const skuTaken = (sku: string, shopId: string, holder: string): ConflictError =>
  new ConflictError(`SKU ${sku} is already used by another product of this shop (${holder}); give this variant a SKU of its own, or archive that product first.`, {
    field: 'sku',
    sku,
    shopId,
    productId: holder,
  });

export function decideSkuGuard(command: SkuGuardCommand, state: SkuGuardState): SkuGuardEvent[] {
  const { shopId, sku, productId, now } = command.data;
  switch (command.type) {
    case 'ClaimSku':
      if (state.heldBy === productId) return [];
      if (state.heldBy !== null) throw skuTaken(sku, shopId, state.heldBy);
      return [{ type: 'SkuClaimed', data: { shopId, sku, productId, claimedAt: now } }];
    case 'ReleaseSku':
      return state.heldBy === productId ? [{ type: 'SkuReleased', data: { shopId, sku, productId, releasedAt: now } }] : [];
  }
}

export const skuGuardDecider: Decider<SkuGuardCommand, SkuGuardEvent, SkuGuardState> = {
  initialState: () => ({ heldBy: null, claimedAt: null }),
  evolve: (_state, event) => (event.type === 'SkuClaimed' ? { heldBy: event.data.productId, claimedAt: event.data.claimedAt } : { heldBy: null, claimedAt: null }),
  decide: decideSkuGuard,
};
