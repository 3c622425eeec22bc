/** Stock arithmetic shared by the use cases, each result held to `0 <= reserved <= onHand`. */
import { ValidationError } from '@bdbazar/shared-kernel';
import { levelOf, type StockLevel, type VariantStock } from '../product';
import { MAX_STOCK } from '../productDetails/productDetails';

/**
 * A variant's level after a decision. The use cases refuse whatever would break the invariant
 * before they get here, so a broken one is a bug: it throws a plain Error (a 500), never an event.
 */
export function checkedLevel(sku: string, stock: VariantStock): StockLevel {
  const { onHand, reserved } = stock;
  if (!Number.isSafeInteger(onHand) || !Number.isSafeInteger(reserved) || reserved < 0 || reserved > onHand) {
    throw new Error(`Stock of ${sku} would break 0 <= reserved <= onHand: onHand ${onHand}, reserved ${reserved}.`);
  }
  return levelOf(sku, stock);
}

/** The opening stock of a new variant: what the request gave, 0 if nothing. */
export function openingLevel(sku: string, openingStock: Record<string, number>): StockLevel {
  const onHand = openingStock[sku] ?? 0;
  if (!(Number.isSafeInteger(onHand) && onHand >= 0 && onHand <= MAX_STOCK)) {
    throw new ValidationError(`The opening stock of ${sku} must be a whole number of units from 0 to ${MAX_STOCK}; got ${onHand}.`, { sku });
  }
  return checkedLevel(sku, { onHand, reserved: 0 });
}
