import { IllegalStateError, NotFoundError, ValidationError } from '@bdbazar/shared-kernel';
import { factsOf, type Product, type ProductEvent, type ProductState } from '../product';
import { existing, notFinal, ownerOrAdmin, type ProductActor } from '../guards';
import { MAX_STOCK, skuFrom } from '../productDetails/productDetails';
import { checkedLevel } from './stockLevels';

export const REASON_MAX_LENGTH = 200;

/**
 * The seller (or an admin) corrects a variant's stock on hand: `SetStock` after counting it,
 * `AdjustStock` for a change (received +20, damaged -2). Stock that orders hold cannot be taken
 * away: on hand never goes below reserved. Not on archived or removed products.
 */
export type StockCommand =
  | { type: 'SetStock'; data: { productId: string; actor: ProductActor; sku: string; quantity: number; reason: string; now: string } }
  | { type: 'AdjustStock'; data: { productId: string; actor: ProductActor; sku: string; change: number; reason: string; now: string } };

export function adjustStock(command: StockCommand, state: ProductState): ProductEvent[] {
  const { productId, actor, now } = command.data;
  const product = existing(state, productId);
  ownerOrAdmin(product, actor);
  const reason = reasonFrom(command.data.reason);
  const sku = skuFrom(command.data.sku);
  const target = command.type === 'SetStock' ? checkedQuantity(command.data.quantity) : checkedChange(command.data.change);
  notFinal(product, 'change its stock');
  const stock = variantStock(product, sku);

  let onHand: number;
  if (command.type === 'SetStock') {
    onHand = target;
    if (onHand === stock.onHand) return [];
    if (onHand < stock.reserved) {
      throw new IllegalStateError(
        `Orders hold ${stock.reserved} of ${sku} that have not shipped yet, so its stock on hand cannot be set below ${stock.reserved}; you asked for ${onHand}.`,
        { productId, sku, onHand: stock.onHand, reserved: stock.reserved },
      );
    }
  } else {
    onHand = stock.onHand + target;
    if (onHand < stock.reserved) {
      const held = stock.reserved > 0 ? `, and orders hold ${stock.reserved} of them that have not shipped yet` : '';
      throw new IllegalStateError(
        `${sku} has ${stock.onHand} on hand${held}: at most ${stock.onHand - stock.reserved} can be taken away, not ${-target}.`,
        { productId, sku, onHand: stock.onHand, reserved: stock.reserved },
      );
    }
    if (onHand > MAX_STOCK) {
      throw new IllegalStateError(`${sku} would have ${onHand} on hand, more than the ${MAX_STOCK} a variant may have.`, { productId, sku, onHand: stock.onHand });
    }
  }
  const level = checkedLevel(sku, { onHand, reserved: stock.reserved });
  return [{ type: 'StockAdjusted', data: { ...factsOf(product), sku, change: onHand - stock.onHand, reason, level, adjustedBy: actor.id, adjustedAt: now } }];
}

/** The stock of one of the product's variants, or a NotFoundError that lists its SKUs. */
function variantStock(product: Product, sku: string): { onHand: number; reserved: number } {
  const stock = product.stock[sku];
  if (stock) return stock;
  const skus = Object.keys(product.stock);
  throw new NotFoundError(`Product ${product.productId} has no variant with SKU ${sku}; its SKUs are ${skus.join(', ')}.`, { productId: product.productId, sku, skus });
}

function reasonFrom(value: string): string {
  const reason = value.normalize('NFC').trim();
  if (reason === '') throw new ValidationError('Say why the stock changes (counted, received, damaged, ...): the stock history shows it.', { field: 'reason' });
  if ([...reason].length > REASON_MAX_LENGTH) throw new ValidationError(`reason may have at most ${REASON_MAX_LENGTH} characters; it has ${[...reason].length}.`, { field: 'reason' });
  return reason;
}

function checkedQuantity(quantity: number): number {
  if (Number.isSafeInteger(quantity) && quantity >= 0 && quantity <= MAX_STOCK) return quantity;
  throw new ValidationError(`quantity must be a whole number of units from 0 to ${MAX_STOCK}; got ${quantity}.`, { field: 'quantity' });
}

function checkedChange(change: number): number {
  if (Number.isSafeInteger(change) && change !== 0 && Math.abs(change) <= MAX_STOCK) return change;
  throw new ValidationError(`change must be a whole number of units other than 0 (+20 received, -2 damaged), at most ${MAX_STOCK} either way; got ${change}.`, { field: 'change' });
}
