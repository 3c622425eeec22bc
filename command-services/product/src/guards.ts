/** Preconditions shared by the product's use cases. */
import { ForbiddenError, IllegalStateError, NotFoundError, type UserRole } from '@bdbazar/shared-kernel';
import type { Product, ProductState } from './product';

/** The product exists. */
export function existing(state: ProductState, productId: string): Product {
  if (state.status === 'none') throw new NotFoundError(`There is no product ${productId}.`, { productId });
  return state;
}

/** Who asks for a change, as the access token says. */
export interface ProductActor {
  id: string;
  role: UserRole;
}

/** Only the seller who listed the product, or an admin, changes it. */
export function ownerOrAdmin(product: Product, actor: ProductActor): void {
  if (actor.role === 'admin' || (actor.role === 'seller' && actor.id === product.sellerId)) return;
  throw new ForbiddenError(`Only the seller of product ${product.productId} (or an admin) can change it; you are not its seller.`, { productId: product.productId });
}

/** Archived and removed products are final: their details, place and stock no longer change. */
export function notFinal(product: Product, doing: string): void {
  if (product.status === 'archived') {
    throw new IllegalStateError(`Product ${product.productId} was archived by its seller, which is final; you cannot ${doing}. List it again as a new product instead.`, {
      productId: product.productId,
      status: product.status,
    });
  }
  if (product.status === 'removed') {
    throw new IllegalStateError(`Product ${product.productId} was removed by an admin (${product.removedReason ?? 'no reason given'}), which is final; you cannot ${doing}.`, {
      productId: product.productId,
      status: product.status,
    });
  }
}
