import { poisha } from '@bdbazar/shared-kernel';
import { variantKey, type SellableVariant } from '../copies/catalogCopy';
import { buyerId, cartItem, L, now, otherShopId, SAREE, sareeId, sareeItem as usualSareeItem, sellable, tshirtItem } from '../testing/orderBuilders';
import type { CartItem } from './cart';
import { cartView, taka, type CartWarning } from './cartView';

const catalogue = (...variants: SellableVariant[]) => new Map(variants.map((v) => [variantKey(v.productId, v.sku), v]));
const warningsOf = (item: CartItem, variant: SellableVariant | null): CartWarning[] => cartView(buyerId, [item], variant ? catalogue(variant) : catalogue()).items[0]!.warnings;

const saree = sellable({
  productId: sareeId,
  sku: SAREE,
  title: 'Jamdani saree',
  image: null,
  options: { colour: 'Blue' },
  price: poisha(250_050),
  weightGrams: null,
  available: 3,
  shopId: otherShopId,
  shopName: 'Dhakai Tant',
});
/** The saree, from another shop than the T-shirts. */
const sareeItem = { ...usualSareeItem, shopId: otherShopId };
const goneItem = cartItem({ productId: '0193a5c2-0000-4000-8000-00000000b0ff', sku: 'XX-1', title: 'Clay pot', shopId: otherShopId, quantity: 1, priceWhenAdded: poisha(40_000) });

describe('taka', () => {
  it('shows poisha as taka with two decimals', () => {
    expect(taka(poisha(125_050))).toBe('৳1,250.50');
    expect(taka(poisha(85_000))).toBe('৳850.00');
    expect(taka(poisha(5))).toBe('৳0.05');
  });

  it('groups large amounts in lakhs, as Bangladesh writes them', () => expect(taka(poisha(12_345_600))).toBe('৳1,23,456.00'));
});

describe('the cart as the buyer sees it', () => {
  describe('when every item is as it was added', () => {
    it('shows each item with today\'s catalogue facts and no warning', () =>
      expect(cartView(buyerId, [tshirtItem], catalogue(sellable()))).toEqual({
        buyerId,
        items: [
          {
            itemId: tshirtItem.itemId,
            productId: tshirtItem.productId,
            sku: 'TS-RED-M',
            shopId: tshirtItem.shopId,
            shopName: 'Mim Fashion',
            title: 'Cotton T-shirt',
            image: 'https://cdn.bdbazar.com.bd/p/ts-red-front.jpg',
            options: { colour: 'Red', size: 'M' },
            quantity: 2,
            priceWhenAdded: poisha(85_000),
            price: poisha(85_000),
            lineTotal: poisha(170_000),
            available: 10,
            addedAt: now,
            warnings: [],
          },
        ],
        shops: [{ shopId: tshirtItem.shopId, shopName: 'Mim Fashion', itemCount: 1, itemsTotal: poisha(170_000) }],
        itemsTotal: poisha(170_000),
        hasWarnings: false,
      }));

    it('shows an empty cart with nothing to pay', () => expect(cartView(buyerId, [], catalogue())).toEqual({ buyerId, items: [], shops: [], itemsTotal: poisha(0), hasWarnings: false }));

    it('shows exactly the quantity available without a warning', () => expect(warningsOf(tshirtItem, sellable({ available: 2 }))).toEqual([]));
  });

  describe('when the price has changed since the item was added', () => {
    it('warns with both prices in taka', () =>
      expect(warningsOf(cartItem({ priceWhenAdded: poisha(125_050) }), sellable({ price: poisha(130_000) }))).toEqual([
        { code: 'price_changed', message: 'The price of Cotton T-shirt changed from ৳1,250.50 to ৳1,300.00 since you added it.' },
      ]));

    it('warns of a price that went down too', () =>
      expect(warningsOf(tshirtItem, sellable({ price: poisha(79_925) }))).toEqual([
        { code: 'price_changed', message: 'The price of Cotton T-shirt changed from ৳850.00 to ৳799.25 since you added it.' },
      ]));

    it('prices the line at today\'s price', () => {
      const [view] = cartView(buyerId, [tshirtItem], catalogue(sellable({ price: poisha(90_000) }))).items;
      expect(view).toMatchObject({ priceWhenAdded: poisha(85_000), price: poisha(90_000), lineTotal: poisha(180_000) });
    });
  });

  describe('when stock is short', () => {
    it('warns that an item is out of stock', () =>
      expect(warningsOf(tshirtItem, sellable({ available: 0 }))).toEqual([{ code: 'out_of_stock', message: 'Cotton T-shirt (TS-RED-M) is out of stock.' }]));

    it('warns that fewer are available than the cart holds', () =>
      expect(warningsOf(cartItem({ quantity: 5 }), sellable({ available: 3 }))).toEqual([
        { code: 'not_enough_stock', message: 'Only 3 of Cotton T-shirt (TS-RED-M) are available; your cart has 5.' },
      ]));

    it('warns of a changed price and the stock together', () =>
      expect(warningsOf(tshirtItem, sellable({ price: poisha(90_000), available: 0 }))).toEqual([
        { code: 'price_changed', message: 'The price of Cotton T-shirt changed from ৳850.00 to ৳900.00 since you added it.' },
        { code: 'out_of_stock', message: 'Cotton T-shirt (TS-RED-M) is out of stock.' },
      ]));
  });

  describe('when an item can no longer be ordered', () => {
    it('says why an item is not on sale, and nothing else', () =>
      expect(warningsOf(tshirtItem, sellable({ notOnSale: 'Mim Fashion is on holiday until 1 December.', price: poisha(90_000), available: 0 }))).toEqual([
        { code: 'not_on_sale', message: 'Mim Fashion is on holiday until 1 December.' },
      ]));

    it('shows an item the catalogue no longer has as it was added, with no price', () =>
      expect(cartView(buyerId, [goneItem], catalogue()).items).toEqual([
        {
          itemId: goneItem.itemId,
          productId: goneItem.productId,
          sku: 'XX-1',
          shopId: otherShopId,
          shopName: null,
          title: 'Clay pot',
          image: null,
          options: {},
          quantity: 1,
          priceWhenAdded: poisha(40_000),
          price: null,
          lineTotal: null,
          available: 0,
          addedAt: now,
          warnings: [{ code: 'unavailable', message: 'Clay pot (XX-1) can no longer be found; remove it from your cart.' }],
        },
      ]));
  });

  describe('the totals', () => {
    const tshirtL = cartItem({ sku: L, quantity: 1 });
    const items = [tshirtItem, tshirtL, sareeItem, goneItem];
    const variants = catalogue(sellable({ price: poisha(90_000) }), sellable({ sku: L, options: { colour: 'Red', size: 'L' }, notOnSale: 'This size is no longer made.' }), saree);

    it('add up, per shop and overall, only the items that can be ordered, at today\'s prices', () => {
      const view = cartView(buyerId, items, variants);
      expect(view.shops).toEqual([
        { shopId: tshirtItem.shopId, shopName: 'Mim Fashion', itemCount: 2, itemsTotal: poisha(180_000) },
        { shopId: otherShopId, shopName: 'Dhakai Tant', itemCount: 2, itemsTotal: poisha(250_050) },
      ]);
      expect(view.itemsTotal).toEqual(poisha(430_050));
      expect(view.hasWarnings).toBe(true);
    });

    it('count an item short of stock: checkout takes it, and the reservation decides', () => {
      const view = cartView(buyerId, [tshirtItem, sareeItem], catalogue(sellable({ available: 0 }), saree));
      expect(view.shops.map((s) => s.itemsTotal)).toEqual([poisha(170_000), poisha(250_050)]);
      expect(view.itemsTotal).toEqual(poisha(420_050));
    });

    it('name each shop from any of its items the catalogue still has', () =>
      expect(cartView(buyerId, [goneItem, sareeItem], catalogue(saree)).shops).toEqual([{ shopId: otherShopId, shopName: 'Dhakai Tant', itemCount: 2, itemsTotal: poisha(250_050) }]));
  });
});
