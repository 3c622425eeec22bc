import { IllegalStateError, canonicalJson } from '@bdbazar/shared-kernel';
import type { ProductDetails, ProductEvent, ProductState } from '../product';
import { openingLevel } from '../stock/stockLevels';

/**
 * A seller lists a product under their shop, as a draft, with each variant's opening stock, and
 * publishes it at once if asked. (The route has checked that the shop is the seller's and that
 * the category exists and is not retired; the SKU guard keeps SKUs unique within the shop.)
 */
export interface ListProduct {
  type: 'ListProduct';
  data: {
    productId: string;
    shopId: string;
    sellerId: string;
    details: ProductDetails;
    /** Units on hand by SKU; a variant left out starts at 0. */
    openingStock: Record<string, number>;
    publish: boolean;
    /** Who lists it: the seller, or an admin on their behalf. */
    actorId: string;
    now: string;
  };
}

export function listProduct(command: ListProduct, state: ProductState): ProductEvent[] {
  const { productId, shopId, sellerId, details, openingStock, publish, actorId, now } = command.data;
  if (state.status !== 'none') {
    // The same listing retried (whatever became of it since, published or not): nothing more to do.
    if (state.sellerId === sellerId && state.shopId === shopId && canonicalJson(state.details) === canonicalJson(details)) return [];
    throw new IllegalStateError(`Product ${productId} is already listed; a new listing needs a new product id.`, { productId });
  }
  const facts = { productId, shopId, sellerId };
  const stock = details.variants.map((variant) => openingLevel(variant.sku, openingStock));
  const listed: ProductEvent = { type: 'ProductListed', data: { ...facts, ...details, status: 'draft', stock, listedBy: actorId, listedAt: now } };
  if (!publish) return [listed];
  return [listed, { type: 'ProductPublished', data: { ...facts, publishedBy: actorId, publishedAt: now } }];
}
