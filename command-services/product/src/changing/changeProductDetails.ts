import { IllegalStateError, canonicalJson } from '@bdbazar/shared-kernel';
import { factsOf, type ProductDetails, type ProductEvent, type ProductState } from '../product';
import { existing, notFinal, ownerOrAdmin, type ProductActor } from '../guards';
import { checkedLevel, openingLevel } from '../stock/stockLevels';

/**
 * The seller (or an admin) replaces a product's details whole. Variants are matched by SKU: a
 * kept SKU keeps its stock, a new one starts at its opening stock, and a SKU that orders still
 * hold stock of cannot be removed. Its place on the storefront does not change. (The route has
 * checked the category and, through the SKU guard, that new SKUs are free within the shop.)
 */
export interface ChangeProductDetails {
  type: 'ChangeProductDetails';
  data: {
    productId: string;
    actor: ProductActor;
    details: ProductDetails;
    /** Units on hand by SKU, for the SKUs this change adds; the others keep their stock. */
    openingStock: Record<string, number>;
    now: string;
  };
}

export function changeProductDetails(command: ChangeProductDetails, state: ProductState): ProductEvent[] {
  const { productId, actor, details, openingStock, now } = command.data;
  const product = existing(state, productId);
  ownerOrAdmin(product, actor);
  notFinal(product, 'change its details');
  // Key order is not meaning (and a store may not keep it: EventStoreDB's clients, our earlier jsonb).
  if (canonicalJson(product.details) === canonicalJson(details)) return [];

  const newSkus = new Set(details.variants.map((variant) => variant.sku));
  const oldSkus = product.details.variants.map((variant) => variant.sku);
  const removedSkus = oldSkus.filter((sku) => !newSkus.has(sku));
  const held = removedSkus.filter((sku) => (product.stock[sku]?.reserved ?? 0) > 0);
  if (held.length > 0) {
    const list = held.map((sku) => `${sku} (${product.stock[sku]!.reserved} held)`).join(', ');
    throw new IllegalStateError(
      `Orders still hold stock of ${list}, so ${held.length === 1 ? 'that variant' : 'those variants'} cannot be removed yet; remove ${held.length === 1 ? 'it' : 'them'} once those orders have shipped or been cancelled.`,
      { productId, skus: held },
    );
  }
  const addedSkus = details.variants.map((variant) => variant.sku).filter((sku) => !oldSkus.includes(sku));
  const stock = details.variants.map(({ sku }) => {
    const kept = product.stock[sku];
    return kept ? checkedLevel(sku, kept) : openingLevel(sku, openingStock);
  });
  return [
    {
      type: 'ProductDetailsChanged',
      data: { ...factsOf(product), ...details, status: product.status, addedSkus, removedSkus, stock, changedBy: actor.id, changedAt: now },
    },
  ];
}
