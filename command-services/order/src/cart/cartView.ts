/**
 * The cart as GET /v1/cart shows it: each item with today's price and stock beside what the
 * buyer saw when adding it, and a warning a person can act on when the two differ.
 */
import { poisha, type Money } from '@bdbazar/shared-kernel';
import { variantKey, type SellableVariant } from '../copies/catalogCopy';
import type { CartItem } from './cart';

export type CartWarningCode = 'price_changed' | 'out_of_stock' | 'not_enough_stock' | 'not_on_sale' | 'unavailable';

export interface CartWarning {
  code: CartWarningCode;
  message: string;
}

export interface CartItemView {
  itemId: string;
  productId: string;
  sku: string;
  shopId: string;
  shopName: string | null;
  title: string;
  image: string | null;
  options: Record<string, string>;
  quantity: number;
  priceWhenAdded: Money;
  /** Today's price; null when the product can no longer be found. */
  price: Money | null;
  lineTotal: Money | null;
  available: number;
  addedAt: string;
  warnings: CartWarning[];
}

export interface CartView {
  buyerId: string;
  items: CartItemView[];
  shops: Array<{ shopId: string; shopName: string | null; itemCount: number; itemsTotal: Money }>;
  /** Of the items that can be ordered now, at today's prices (shipping is priced at checkout). */
  itemsTotal: Money;
  /** True when any item carries a warning. */
  hasWarnings: boolean;
}

export const taka = (money: Money): string => `৳${(money.amount / 100).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function cartView(buyerId: string, items: readonly CartItem[], variants: ReadonlyMap<string, SellableVariant>): CartView {
  const views = items.map((item): CartItemView => {
    const variant = variants.get(variantKey(item.productId, item.sku));
    const warnings: CartWarning[] = [];
    if (!variant) {
      warnings.push({ code: 'unavailable', message: `${item.title} (${item.sku}) can no longer be found; remove it from your cart.` });
    } else if (variant.notOnSale) {
      warnings.push({ code: 'not_on_sale', message: variant.notOnSale });
    } else {
      if (variant.price.amount !== item.priceWhenAdded.amount) {
        warnings.push({ code: 'price_changed', message: `The price of ${item.title} changed from ${taka(item.priceWhenAdded)} to ${taka(variant.price)} since you added it.` });
      }
      if (variant.available <= 0) warnings.push({ code: 'out_of_stock', message: `${item.title} (${item.sku}) is out of stock.` });
      else if (variant.available < item.quantity) {
        warnings.push({ code: 'not_enough_stock', message: `Only ${variant.available} of ${item.title} (${item.sku}) are available; your cart has ${item.quantity}.` });
      }
    }
    return {
      itemId: item.itemId,
      productId: item.productId,
      sku: item.sku,
      shopId: item.shopId,
      shopName: variant?.shopName ?? null,
      title: variant?.title ?? item.title,
      image: variant?.image ?? null,
      options: variant?.options ?? {},
      quantity: item.quantity,
      priceWhenAdded: item.priceWhenAdded,
      price: variant?.price ?? null,
      lineTotal: variant ? poisha(variant.price.amount * item.quantity) : null,
      available: variant?.available ?? 0,
      addedAt: item.addedAt,
      warnings,
    };
  });
  const orderable = (v: CartItemView) => v.lineTotal !== null && !v.warnings.some((w) => w.code === 'not_on_sale' || w.code === 'unavailable');
  const shops = new Map<string, CartView['shops'][number]>();
  for (const view of views) {
    const shop = shops.get(view.shopId) ?? { shopId: view.shopId, shopName: view.shopName, itemCount: 0, itemsTotal: poisha(0) };
    shop.itemCount += 1;
    shop.shopName ??= view.shopName;
    if (orderable(view)) shop.itemsTotal = poisha(shop.itemsTotal.amount + view.lineTotal!.amount);
    shops.set(view.shopId, shop);
  }
  const itemsTotal = poisha([...shops.values()].reduce((sum, s) => sum + s.itemsTotal.amount, 0));
  return { buyerId, items: views, shops: [...shops.values()], itemsTotal, hasWarnings: views.some((v) => v.warnings.length > 0) };
}
