import { IllegalStateError, NotFoundError, poisha, ValidationError } from '@bdbazar/shared-kernel';
import { DeciderSpecification } from '@bdbazar/shared-kernel/decider/testing';
import { buyerId, cartCleared, cartItem, checkedOut, checkoutId, itemAdded, itemRemoved, L, now, offer, quantityChanged, sareeItem, tshirtItem } from '../testing/orderBuilders';
import { cartItemId } from './cart';
import { cartDecider, type CartCommand, type Offer } from './cartDecider';

const spec = DeciderSpecification.for(cartDecider);
const add = (what: Offer, quantity: number): CartCommand => ({ type: 'AddCartItem', data: { buyerId, offer: what, quantity, now } });
const change = (itemId: string, quantity: number, what: Offer | null = offer()): CartCommand => ({ type: 'ChangeCartItemQuantity', data: { buyerId, itemId, quantity, offer: what, now } });
const remove = (itemId: string): CartCommand => ({ type: 'RemoveCartItem', data: { buyerId, itemId, now } });
const clear = (): CartCommand => ({ type: 'ClearCart', data: { buyerId, now } });
const checkOut = (itemIds: string[], checkout = checkoutId): CartCommand => ({ type: 'CheckOutCart', data: { buyerId, checkoutId: checkout, itemIds, now } });

const otherCheckoutId = '0193a5c2-0000-4000-8000-00000000c0c2';
const unknownItemId = cartItemId('0193a5c2-0000-4000-8000-00000000b0ff', 'XX-1');
const quantityRule = (got: number) => `quantity must be a whole number from 1 to 100; got ${got}. To take an item out, delete it.`;
/** Two T-shirts in M in the cart. */
const withTshirts = [itemAdded(tshirtItem)];

describe('adding an item to the cart', () => {
  describe('when the variant is not in the cart yet', () => {
    it('adds it at today\'s price', () => spec.given([]).when(add(offer(), 2)).then([itemAdded(tshirtItem)]));

    it('adds another variant of the same product as an item of its own', () =>
      spec
        .given(withTshirts)
        .when(add(offer({ sku: L }), 1))
        .then([itemAdded(cartItem({ sku: L, quantity: 1 }))]));

    it('adds exactly what is available', () => spec.given([]).when(add(offer({ available: 2 }), 2)).then([itemAdded(tshirtItem)]));
  });

  describe('when the same variant is in the cart', () => {
    it('adds to its quantity', () => spec.given(withTshirts).when(add(offer(), 3)).then([quantityChanged(tshirtItem.itemId, 5)]));

    it('knows it by its SKU whatever its case', () => spec.given(withTshirts).when(add(offer({ sku: 'ts-red-m' }), 1)).then([quantityChanged(tshirtItem.itemId, 3)]));

    it('allows 100 of one variant', () =>
      spec
        .given([itemAdded(cartItem({ quantity: 60 }))])
        .when(add(offer({ available: 500 }), 40))
        .then([quantityChanged(tshirtItem.itemId, 100)]));

    it('refuses more than 100 of one variant', () =>
      spec
        .given([itemAdded(cartItem({ quantity: 60 }))])
        .when(add(offer({ available: 500 }), 41))
        .thenThrows(ValidationError, 'The cart already has 60 of TS-RED-M; at most 100 of one variant fit in a cart.'));

    it('refuses a total beyond what is available', () =>
      spec
        .given(withTshirts)
        .when(add(offer({ available: 3 }), 2))
        .thenThrows(IllegalStateError, 'Only 3 of Cotton T-shirt (TS-RED-M) are available; the cart would hold 4.'));

    it('refuses it once it is no longer on sale', () =>
      spec.given(withTshirts).when(add(offer({ notOnSale: 'Cotton T-shirt is no longer sold.' }), 1)).thenThrows(IllegalStateError, 'Cotton T-shirt is no longer sold.'));
  });

  describe('when the cart is full', () => {
    const fullCart = Array.from({ length: 50 }, (_, n) => itemAdded(cartItem({ sku: `TS-${n}`, quantity: 1 })));

    it('refuses a 51st item', () =>
      spec.given(fullCart).when(add(offer(), 1)).thenThrows(IllegalStateError, 'The cart is full: it holds 50 different items. Check out or remove some first.'));

    it('still adds to an item it holds', () => spec.given(fullCart).when(add(offer({ sku: 'TS-7' }), 2)).then([quantityChanged(cartItem({ sku: 'TS-7' }).itemId, 3)]));

    it('takes a new item once one is removed', () =>
      spec
        .given([...fullCart, itemRemoved(cartItem({ sku: 'TS-0' }).itemId)])
        .when(add(offer(), 2))
        .then([itemAdded(tshirtItem)]));
  });

  it('refuses a variant that is not on sale, saying why', () =>
    spec
      .given([])
      .when(add(offer({ notOnSale: 'Mim Fashion is suspended; its products cannot be bought now.' }), 1))
      .thenThrows(IllegalStateError, 'Mim Fashion is suspended; its products cannot be bought now.'));

  it('refuses a variant that is out of stock', () =>
    spec.given([]).when(add(offer({ available: 0 }), 1)).thenThrows(IllegalStateError, 'Cotton T-shirt (TS-RED-M) is out of stock.'));

  it('refuses more than is available', () =>
    spec.given([]).when(add(offer({ available: 3 }), 4)).thenThrows(IllegalStateError, 'Only 3 of Cotton T-shirt (TS-RED-M) are available; the cart would hold 4.'));

  it.each([0, -1, 1.5, 101])('refuses a quantity of %s', (quantity) => spec.given([]).when(add(offer({ available: 500 }), quantity)).thenThrows(ValidationError, quantityRule(quantity)));
});

describe('changing an item\'s quantity', () => {
  const fiveTshirts = [itemAdded(cartItem({ quantity: 5 }))];

  it('decides nothing for the quantity it has', () => spec.given(fiveTshirts).when(change(tshirtItem.itemId, 5)).thenNothingHappened());

  it('raises it within what is available', () => spec.given(fiveTshirts).when(change(tshirtItem.itemId, 10)).then([quantityChanged(tshirtItem.itemId, 10)]));

  it('refuses to raise it beyond what is available', () =>
    spec
      .given(fiveTshirts)
      .when(change(tshirtItem.itemId, 6, offer({ available: 5 })))
      .thenThrows(IllegalStateError, 'Only 5 of Cotton T-shirt (TS-RED-M) are available; the cart would hold 6.'));

  it('refuses to raise it when out of stock or no longer on sale', () => {
    spec.given(fiveTshirts).when(change(tshirtItem.itemId, 6, offer({ available: 0 }))).thenThrows(IllegalStateError, 'Cotton T-shirt (TS-RED-M) is out of stock.');
    spec.given(fiveTshirts).when(change(tshirtItem.itemId, 6, offer({ notOnSale: 'Cotton T-shirt is no longer sold.' }))).thenThrows(IllegalStateError, 'Cotton T-shirt is no longer sold.');
  });

  it('always lowers it, whatever the catalogue says now', () => {
    spec.given(fiveTshirts).when(change(tshirtItem.itemId, 2, offer({ available: 1 }))).then([quantityChanged(tshirtItem.itemId, 2)]);
    spec.given(fiveTshirts).when(change(tshirtItem.itemId, 2, offer({ available: 0 }))).then([quantityChanged(tshirtItem.itemId, 2)]);
    spec.given(fiveTshirts).when(change(tshirtItem.itemId, 1, offer({ notOnSale: 'Cotton T-shirt is no longer sold.' }))).then([quantityChanged(tshirtItem.itemId, 1)]);
    spec.given(fiveTshirts).when(change(tshirtItem.itemId, 1, null)).then([quantityChanged(tshirtItem.itemId, 1)]);
  });

  it('refuses an item that is not in the cart', () => {
    spec.given(fiveTshirts).when(change(unknownItemId, 1)).thenThrows(NotFoundError, `There is no item ${unknownItemId} in your cart.`);
    spec.given([...fiveTshirts, itemRemoved(tshirtItem.itemId)]).when(change(tshirtItem.itemId, 1)).thenThrows(NotFoundError, `There is no item ${tshirtItem.itemId} in your cart.`);
  });

  it.each([0, 101, -3, 2.5])('refuses a quantity of %s', (quantity) => spec.given(fiveTshirts).when(change(tshirtItem.itemId, quantity)).thenThrows(ValidationError, quantityRule(quantity)));
});

describe('removing an item', () => {
  it('takes it out of the cart', () => spec.given([...withTshirts, itemAdded(sareeItem)]).when(remove(sareeItem.itemId)).then([itemRemoved(sareeItem.itemId)]));

  it('refuses an item that is not in the cart, or no longer', () => {
    spec.given(withTshirts).when(remove(unknownItemId)).thenThrows(NotFoundError, `There is no item ${unknownItemId} in your cart.`);
    spec.given([...withTshirts, itemRemoved(tshirtItem.itemId)]).when(remove(tshirtItem.itemId)).thenThrows(NotFoundError);
  });

  it('adds the variant afresh afterwards, at the price of then', () =>
    spec
      .given([...withTshirts, itemRemoved(tshirtItem.itemId)])
      .when(add(offer({ price: poisha(79_000) }), 1))
      .then([itemAdded(cartItem({ quantity: 1, priceWhenAdded: poisha(79_000) }))]));
});

describe('clearing the cart', () => {
  it('empties it', () => spec.given([...withTshirts, itemAdded(sareeItem)]).when(clear()).then([cartCleared()]));

  it('decides nothing for an empty cart', () => {
    spec.given([]).when(clear()).thenNothingHappened();
    spec.given([...withTshirts, cartCleared()]).when(clear()).thenNothingHappened();
    spec.given([...withTshirts, checkedOut([tshirtItem.itemId])]).when(clear()).thenNothingHappened();
  });
});

describe('checking the cart out', () => {
  const twoItems = [...withTshirts, itemAdded(sareeItem)];

  it('takes the named items out of the cart', () =>
    spec.given(twoItems).when(checkOut([tshirtItem.itemId, sareeItem.itemId])).then([checkedOut([tshirtItem.itemId, sareeItem.itemId])]));

  it('takes only the named items that are still in the cart', () =>
    spec
      .given([...twoItems, itemRemoved(sareeItem.itemId)])
      .when(checkOut([sareeItem.itemId, unknownItemId, tshirtItem.itemId]))
      .then([checkedOut([tshirtItem.itemId])]));

  it('leaves the items it does not name', () => spec.given(twoItems).when(checkOut([sareeItem.itemId])).then([checkedOut([sareeItem.itemId])]));

  it('decides nothing for the same checkout again, even when the items are back', () => {
    spec.given([...twoItems, checkedOut([tshirtItem.itemId])]).when(checkOut([tshirtItem.itemId])).thenNothingHappened();
    spec.given([...twoItems, checkedOut([tshirtItem.itemId]), itemAdded(tshirtItem)]).when(checkOut([tshirtItem.itemId])).thenNothingHappened();
  });

  it('takes what is left for another checkout', () =>
    spec
      .given([...twoItems, checkedOut([tshirtItem.itemId])])
      .when(checkOut([tshirtItem.itemId, sareeItem.itemId], otherCheckoutId))
      .then([checkedOut([sareeItem.itemId], otherCheckoutId)]));

  it('leaves no item it took in the cart', () =>
    spec.given([...twoItems, checkedOut([tshirtItem.itemId])]).when(change(tshirtItem.itemId, 1)).thenThrows(NotFoundError, `There is no item ${tshirtItem.itemId} in your cart.`));
});
