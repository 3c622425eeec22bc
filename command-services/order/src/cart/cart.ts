/**
 * The cart aggregate: what a buyer means to buy, across any number of shops. Stream
 * `cart-<buyerId>` (one cart per buyer, for as long as the account lives).
 *
 * An item is one variant (product and SKU); adding the same variant again adds to its quantity.
 * Its id is derived from the product and the SKU, so the same variant keeps the same item id.
 * The price a line was added at is kept, so that the cart can say when the price has changed.
 */
import type { Money } from '@bdbazar/shared-kernel';
import { nameBasedId } from '@bdbazar/shared-kernel';

/** Limits a real cart needs: a line per variant, a sensible quantity each. */
export const MAX_CART_ITEMS = 50;
export const MAX_ITEM_QUANTITY = 100;

export interface CartItem {
  itemId: string;
  productId: string;
  sku: string;
  shopId: string;
  title: string;
  quantity: number;
  /** The price when the item was first added. */
  priceWhenAdded: Money;
  addedAt: string;
}

export type CartEvent =
  | { type: 'CartItemAdded'; data: { buyerId: string; item: CartItem } }
  | { type: 'CartItemQuantityChanged'; data: { buyerId: string; itemId: string; quantity: number; changedAt: string } }
  | { type: 'CartItemRemoved'; data: { buyerId: string; itemId: string; removedAt: string } }
  | { type: 'CartCleared'; data: { buyerId: string; clearedAt: string } }
  /** The items a checkout took: they leave the cart. */
  | { type: 'CartCheckedOut'; data: { buyerId: string; checkoutId: string; itemIds: string[]; checkedOutAt: string } };

export interface CartState {
  /** In the order they were first added. */
  items: CartItem[];
  /** Checkouts already applied (a repeated checkout of the same items changes nothing). */
  checkoutIds: string[];
}

export const initialCartState = (): CartState => ({ items: [], checkoutIds: [] });

export const cartStreamId = (buyerId: string): string => `cart-${buyerId}`;

const CART_ITEM_NAMESPACE = '2b0f4d55-8c7e-4a1e-9a0d-6f3c1e5b7a21';

/** The id of a variant's line in a cart: the same product and SKU, the same item. */
export const cartItemId = (productId: string, sku: string): string => nameBasedId(CART_ITEM_NAMESPACE, `${productId}:${sku.toUpperCase()}`);

export function evolveCart(state: CartState, event: CartEvent): CartState {
  switch (event.type) {
    case 'CartItemAdded':
      return { ...state, items: [...state.items.filter((i) => i.itemId !== event.data.item.itemId), event.data.item] };
    case 'CartItemQuantityChanged':
      return { ...state, items: state.items.map((i) => (i.itemId === event.data.itemId ? { ...i, quantity: event.data.quantity } : i)) };
    case 'CartItemRemoved':
      return { ...state, items: state.items.filter((i) => i.itemId !== event.data.itemId) };
    case 'CartCleared':
      return { ...state, items: [] };
    case 'CartCheckedOut': {
      const gone = new Set(event.data.itemIds);
      return { items: state.items.filter((i) => !gone.has(i.itemId)), checkoutIds: [...state.checkoutIds, event.data.checkoutId].slice(-20) };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
