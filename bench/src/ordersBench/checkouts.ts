/**
 * The checkouts the orders bench sends: explicit `items` (1 to 3 lines from 1 or 2 shops), a
 * random buyer and their address, cash on delivery or bKash, all drawn from a seed so that every
 * run sends the same mix. Bodies are serialised once, before the run.
 */
import { random } from '../catalogBench/random';
import type { CheckoutRequest } from './protocol';
import type { Buyer, Variant } from './setup';

export interface CheckoutMix {
  checkouts: CheckoutRequest[];
  /** Shares of the mix, for the report. */
  stats: { checkouts: number; ordersPerCheckout: number; linesPerCheckout: number; twoShopShare: number; cashOnDeliveryShare: number };
}

export const PAYMENT_METHODS = ['cash_on_delivery', 'bkash'] as const;

export function checkoutMix(input: { seed: number; count: number; buyers: readonly Buyer[]; variantsByShop: ReadonlyMap<string, readonly Variant[]>; twoShopShare: number }): CheckoutMix {
  const r = random(input.seed, 0xc4ec0);
  const shops = [...input.variantsByShop.keys()];
  const checkouts: CheckoutRequest[] = [];
  let orders = 0;
  let lines = 0;
  let twoShops = 0;
  let cashOnDelivery = 0;
  for (let n = 0; n < input.count; n++) {
    const buyer = r.int(0, input.buyers.length - 1);
    const lineCount = r.int(1, 3);
    const shopCount = lineCount > 1 && r.chance(input.twoShopShare) ? 2 : 1;
    const chosenShops = r.shuffle(shops).slice(0, shopCount);
    // Each shop gets one line, the rest go to the first; no variant twice in one checkout.
    const items: Array<{ productId: string; sku: string; quantity: number }> = [];
    const used = new Set<string>();
    for (let line = 0; line < lineCount; line++) {
      const shop = chosenShops[line < shopCount ? line : 0] as string;
      const candidates = (input.variantsByShop.get(shop) ?? []).filter((v) => !used.has(v.sku));
      if (candidates.length === 0) continue;
      const variant = r.pick(candidates);
      used.add(variant.sku);
      items.push({ productId: variant.productId, sku: variant.sku, quantity: r.int(1, 3) });
    }
    const paymentMethod = r.pick(PAYMENT_METHODS);
    const body = JSON.stringify({ addressId: (input.buyers[buyer] as Buyer).addressId, paymentMethod, items });
    checkouts.push({ buyer, body, orders: shopCount, lines: items.length, paymentMethod });
    orders += shopCount;
    lines += items.length;
    if (shopCount === 2) twoShops++;
    if (paymentMethod === 'cash_on_delivery') cashOnDelivery++;
  }
  const count = Math.max(1, checkouts.length);
  return {
    checkouts,
    stats: { checkouts: checkouts.length, ordersPerCheckout: orders / count, linesPerCheckout: lines / count, twoShopShare: twoShops / count, cashOnDeliveryShare: cashOnDelivery / count },
  };
}
