/**
 * What a buyer may do to their cart. What the catalogue says of a variant (price, stock, whether it
 * is on sale) is looked up by the service and comes in the command as an `offer`, so that the
 * decision stays pure.
 *
 * Stock in the cart is a guide, not a promise: adding more than is available now is refused, but
 * only the reservation at checkout decides (the catalogue copy may be a moment behind).
 */
import { IllegalStateError, NotFoundError, ValidationError, type Decider, type Money } from '@bdbazar/shared-kernel';
import { cartItemId, evolveCart, initialCartState, MAX_CART_ITEMS, MAX_ITEM_QUANTITY, type CartEvent, type CartItem, type CartState } from './cart';

/** A variant as the catalogue offers it now. */
export interface Offer {
  productId: string;
  sku: string;
  shopId: string;
  title: string;
  price: Money;
  available: number;
  /** Null when it can be bought; otherwise why not (unpublished, shop suspended, ...). */
  notOnSale: string | null;
}

export type CartCommand =
  | { type: 'AddCartItem'; data: { buyerId: string; offer: Offer; quantity: number; now: string } }
  | { type: 'ChangeCartItemQuantity'; data: { buyerId: string; itemId: string; quantity: number; offer: Offer | null; now: string } }
  | { type: 'RemoveCartItem'; data: { buyerId: string; itemId: string; now: string } }
  | { type: 'ClearCart'; data: { buyerId: string; now: string } }
  | { type: 'CheckOutCart'; data: { buyerId: string; checkoutId: string; itemIds: string[]; now: string } };

export function decideCart(command: CartCommand, state: CartState): CartEvent[] {
  const { buyerId, now } = command.data;
  switch (command.type) {
    case 'AddCartItem': {
      const { offer } = command.data;
      const quantity = checkedQuantity(command.data.quantity);
      if (offer.notOnSale !== null) throw new IllegalStateError(offer.notOnSale, { productId: offer.productId, sku: offer.sku });
      const itemId = cartItemId(offer.productId, offer.sku);
      const current = state.items.find((i) => i.itemId === itemId);
      if (current) {
        const total = current.quantity + quantity;
        if (total > MAX_ITEM_QUANTITY) {
          throw new ValidationError(`The cart already has ${current.quantity} of ${offer.sku}; at most ${MAX_ITEM_QUANTITY} of one variant fit in a cart.`, { field: 'quantity' });
        }
        enoughStock(offer, total);
        return [{ type: 'CartItemQuantityChanged', data: { buyerId, itemId, quantity: total, changedAt: now } }];
      }
      if (state.items.length >= MAX_CART_ITEMS) {
        throw new IllegalStateError(`The cart is full: it holds ${MAX_CART_ITEMS} different items. Check out or remove some first.`, { limit: MAX_CART_ITEMS });
      }
      enoughStock(offer, quantity);
      const item: CartItem = { itemId, productId: offer.productId, sku: offer.sku, shopId: offer.shopId, title: offer.title, quantity, priceWhenAdded: offer.price, addedAt: now };
      return [{ type: 'CartItemAdded', data: { buyerId, item } }];
    }
    case 'ChangeCartItemQuantity': {
      const item = itemOf(state, command.data.itemId);
      const quantity = checkedQuantity(command.data.quantity);
      if (quantity === item.quantity) return [];
      if (quantity > item.quantity && command.data.offer) {
        if (command.data.offer.notOnSale !== null) throw new IllegalStateError(command.data.offer.notOnSale, { itemId: item.itemId });
        enoughStock(command.data.offer, quantity);
      }
      return [{ type: 'CartItemQuantityChanged', data: { buyerId, itemId: item.itemId, quantity, changedAt: now } }];
    }
    case 'RemoveCartItem': {
      const item = itemOf(state, command.data.itemId);
      return [{ type: 'CartItemRemoved', data: { buyerId, itemId: item.itemId, removedAt: now } }];
    }
    case 'ClearCart':
      return state.items.length === 0 ? [] : [{ type: 'CartCleared', data: { buyerId, clearedAt: now } }];
    case 'CheckOutCart': {
      const { checkoutId } = command.data;
      if (state.checkoutIds.includes(checkoutId)) return [];
      const inCart = new Set(state.items.map((i) => i.itemId));
      const itemIds = command.data.itemIds.filter((id) => inCart.has(id));
      return [{ type: 'CartCheckedOut', data: { buyerId, checkoutId, itemIds, checkedOutAt: now } }];
    }
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

function checkedQuantity(quantity: number): number {
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > MAX_ITEM_QUANTITY) {
    throw new ValidationError(`quantity must be a whole number from 1 to ${MAX_ITEM_QUANTITY}; got ${quantity}. To take an item out, delete it.`, { field: 'quantity' });
  }
  return quantity;
}

function enoughStock(offer: Offer, quantity: number): void {
  if (offer.available <= 0) throw new IllegalStateError(`${offer.title} (${offer.sku}) is out of stock.`, { productId: offer.productId, sku: offer.sku, available: 0 });
  if (quantity > offer.available) {
    throw new IllegalStateError(`Only ${offer.available} of ${offer.title} (${offer.sku}) are available; the cart would hold ${quantity}.`, {
      productId: offer.productId,
      sku: offer.sku,
      available: offer.available,
    });
  }
}

function itemOf(state: CartState, itemId: string): CartItem {
  const item = state.items.find((i) => i.itemId === itemId);
  if (!item) throw new NotFoundError(`There is no item ${itemId} in your cart.`, { itemId });
  return item;
}

export const cartDecider: Decider<CartCommand, CartEvent, CartState> = { initialState: initialCartState, evolve: evolveCart, decide: decideCart };
