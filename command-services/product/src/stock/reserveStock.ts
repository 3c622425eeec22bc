import { IllegalStateError, NotFoundError, ValidationError } from '@bdbazar/shared-kernel';
import { availableOf, factsOf, type Product, type ProductEvent, type ProductState, type Reservation, type StockLevel, type StockLine, type VariantStock } from '../product';
import { skuFrom } from '../productDetails/productDetails';
import { checkedLevel } from './stockLevels';

/**
 * Stock held for orders, issued by the order process (no user acts here, so no actor check):
 *
 *   ReserveStock: all the order's lines of this product, or none. Keyed by the order: once an
 *     order has a reservation record (held, refused, released, even released before it was
 *     asked for, or committed), asking again decides nothing, so that a redelivered message
 *     cannot reserve twice, and a refused order stays refused even if stock arrives later (the
 *     order process has already acted on it).
 *     A product off the storefront, an unknown SKU or too little stock is a refusal recorded as
 *     an event, not an error: it is an answer the order process acts on.
 *   ReleaseStockReservation: gives a held reservation back (order cancelled or unpaid in time).
 *     An order with no reservation record here yet is closed all the same: the release is
 *     recorded with no lines and no levels, so that a ReserveStock for it that arrives later
 *     (messages of one order's products are handled in any order) decides nothing instead of
 *     holding stock for an order that is already gone. A reservation already released, refused
 *     or committed is left as it is: nothing happens, so that compensation may release every
 *     product it touched, as often as it likes. A product that does not exist holds nothing.
 *   CommitStockReservation: the held stock left with the parcel (on hand and reserved both go
 *     down). Committing twice is harmless; committing what is not held is a bug in the caller.
 *
 * SKUs are matched as the product records them, upper-cased (skuFrom).
 *
 * Releasing and committing work whatever the product's status: orders placed before it was
 * unpublished, archived or removed still ship or get cancelled.
 */
export type ReservationCommand =
  | { type: 'ReserveStock'; data: { productId: string; orderId: string; lines: StockLine[]; now: string } }
  | { type: 'ReleaseStockReservation'; data: { productId: string; orderId: string; reason: string; now: string } }
  | { type: 'CommitStockReservation'; data: { productId: string; orderId: string; now: string } };

export function reserveStock(command: ReservationCommand, state: ProductState): ProductEvent[] {
  const { productId, orderId, now } = command.data;
  switch (command.type) {
    case 'ReserveStock': {
      const lines = summedLines(command.data.lines);
      const product = existing(state, productId);
      if (product.reservations.get(orderId)) return [];
      const facts = factsOf(product);
      if (product.status !== 'published') {
        const reason = `Product ${productId} is not on sale (it is ${product.status}).`;
        return [{ type: 'StockReservationRefused', data: { ...facts, orderId, lines, reason, shortages: [], refusedAt: now } }];
      }
      const shortages = lines
        .map(({ sku, quantity }) => ({ sku, requested: quantity, available: product.stock[sku] ? availableOf(product.stock[sku]) : 0 }))
        .filter(({ requested, available }) => available < requested);
      if (shortages.length > 0) {
        const why = shortages.map(({ sku, requested, available }) =>
          product.stock[sku] ? `${sku} has ${available} available, ${requested} asked` : `${sku} is not a variant of this product`,
        );
        const reason = `Stock of product ${productId} cannot be reserved: ${why.join('; ')}.`;
        return [{ type: 'StockReservationRefused', data: { ...facts, orderId, lines, reason, shortages, refusedAt: now } }];
      }
      const levels = lines.map(({ sku, quantity }) => {
        const stock = product.stock[sku]!;
        return checkedLevel(sku, { onHand: stock.onHand, reserved: stock.reserved + quantity });
      });
      return [{ type: 'StockReserved', data: { ...facts, orderId, lines, levels, reservedAt: now } }];
    }
    case 'ReleaseStockReservation': {
      const reason = command.data.reason.trim();
      if (reason === '') throw new ValidationError('Say why the reservation is released (order cancelled, payment timed out, ...).', { field: 'reason' });
      if (state.status === 'none') return [];
      const reservation = state.reservations.get(orderId);
      if (reservation === undefined) {
        // Released before it was reserved: the record closes the order here, holding nothing.
        return [{ type: 'StockReservationReleased', data: { ...factsOf(state), orderId, lines: [], reason, levels: [], releasedAt: now } }];
      }
      if (reservation.state !== 'held') return [];
      const levels = levelsAfter(state, reservation, (stock, quantity) => ({ onHand: stock.onHand, reserved: stock.reserved - quantity }));
      return [{ type: 'StockReservationReleased', data: { ...factsOf(state), orderId, lines: reservation.lines, reason, levels, releasedAt: now } }];
    }
    case 'CommitStockReservation': {
      const product = existing(state, productId);
      const reservation = product.reservations.get(orderId);
      if (reservation?.state === 'committed') return [];
      if (reservation?.state !== 'held') {
        const what =
          reservation === undefined
            ? `Order ${orderId} holds no stock of product ${productId}`
            : `Order ${orderId}'s reservation of product ${productId} was ${reservation.state} (${reservation.reason ?? 'no reason given'})`;
        throw new IllegalStateError(`${what}, so none can be shipped for it.`, { productId, orderId, reservation: reservation?.state ?? null });
      }
      const levels = levelsAfter(product, reservation, (stock, quantity) => ({ onHand: stock.onHand - quantity, reserved: stock.reserved - quantity }));
      return [{ type: 'StockReservationCommitted', data: { ...factsOf(product), orderId, lines: reservation.lines, levels, committedAt: now } }];
    }
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

function existing(state: ProductState, productId: string): Product {
  if (state.status === 'none') throw new NotFoundError(`There is no product ${productId}; no stock of it can be reserved or shipped.`, { productId });
  return state;
}

/** One line per SKU (the same SKU twice is summed, in the order first seen), each a positive whole number. */
function summedLines(lines: StockLine[]): StockLine[] {
  if (lines.length === 0) throw new ValidationError('A reservation needs at least one line.', { field: 'lines' });
  const summed = new Map<string, number>();
  lines.forEach(({ sku, quantity }, index) => {
    if (!Number.isSafeInteger(quantity) || quantity <= 0) {
      throw new ValidationError(`lines[${index}].quantity must be a whole number of units more than 0; got ${quantity}.`, { field: `lines[${index}].quantity` });
    }
    const key = skuFrom(sku);
    if (key === '') throw new ValidationError(`lines[${index}].sku is blank.`, { field: `lines[${index}].sku` });
    const total = (summed.get(key) ?? 0) + quantity;
    if (!Number.isSafeInteger(total)) throw new ValidationError(`lines for ${key} add up to more units than can be counted.`, { field: `lines[${index}].quantity` });
    summed.set(key, total);
  });
  return [...summed].map(([sku, quantity]) => ({ sku, quantity }));
}

/** The levels of a held reservation's SKUs once `change` is applied to each. */
function levelsAfter(product: Product, reservation: Reservation, change: (stock: VariantStock, quantity: number) => VariantStock): StockLevel[] {
  return reservation.lines.map(({ sku, quantity }) => {
    // A SKU with stock held cannot be removed (changing/), so a held line's variant is always there.
    const stock = product.stock[sku];
    if (!stock) throw new Error(`Order ${reservation.orderId} holds ${sku} of product ${product.productId}, which has no such variant.`);
    return checkedLevel(sku, change(stock, quantity));
  });
}
