/**
 * A property of the product's stock, checked over random command sequences: whatever orders,
 * sellers and admins ask, in whatever order (reservations asked twice, releases and commits of
 * orders never reserved, counts, movements, variants added and dropped, the product taken off
 * sale), after every decision each variant has 0 <= reserved <= onHand, reserved is exactly what
 * its held reservations add up to, and every level an event reports is the state it leads to.
 *
 * fast-check is not installed in this workspace, so a seeded generator stands in for it: each
 * run is the same, and a failure names its seed and the commands that led to it.
 */
import { DomainError } from '@bdbazar/shared-kernel';
import type { ProductEvent, ProductState, StockLevel, StockLine } from '../product';
import { productDecider, type ProductCommand } from '../productDecider';
import { L, M, details, level, listed, now, productId, published, seller, variant } from '../testing/productBuilders';

const S = 'TS-RED-S';
const UNKNOWN = 'TS-BLUE-X';
const ORDERS = Array.from({ length: 8 }, (_, i) => `0193a5c2-0000-4000-8000-00000000d0${String(i).padStart(2, '0')}`);
const SEQUENCES = 300;
const STEPS = 80;

/** mulberry32: a small, fast, seeded generator of floats in [0, 1). */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  return { int, pick };
}

function randomCommand(random: ReturnType<typeof generator>, state: ProductState): ProductCommand {
  const orderId = random.pick(ORDERS);
  const sku = random.pick([M, L, S, UNKNOWN]);
  switch (random.int(0, 9)) {
    case 0:
    case 1:
    case 2: {
      const lines: StockLine[] = Array.from({ length: random.int(1, 3) }, () => ({ sku: random.pick([M, M, L, S, UNKNOWN]), quantity: random.int(1, 6) }));
      return { type: 'ReserveStock', data: { productId, orderId, lines, now } };
    }
    case 3:
      return { type: 'ReleaseStockReservation', data: { productId, orderId, reason: 'Cancelled.', now } };
    case 4:
      return { type: 'CommitStockReservation', data: { productId, orderId, now } };
    case 5:
      return { type: 'AdjustStock', data: { productId, actor: seller, sku, change: random.pick([-8, -3, -1, 1, 2, 5, 12]), reason: 'Moved.', now } };
    case 6:
      return { type: 'SetStock', data: { productId, actor: seller, sku, quantity: random.int(0, 15), reason: 'Counted.', now } };
    case 7: {
      // Variants come and go: S added or dropped, L dropped or back.
      const skus = random.pick([[M, L], [M, L, S], [M, S], [M]]);
      const variants = skus.map((s) => variant({ sku: s, options: { colour: 'Red', size: s.slice(-1) } }));
      const current = state.status === 'none' ? [] : state.details.variants.map((v) => v.sku);
      const openingStock = Object.fromEntries(skus.filter((s) => !current.includes(s)).map((s) => [s, random.int(0, 6)]));
      return { type: 'ChangeProductDetails', data: { productId, actor: seller, details: details({ variants }), openingStock, now } };
    }
    case 8:
      return { type: random.pick(['PublishProduct', 'UnpublishProduct'] as const), data: { productId, actor: seller, now } };
    default:
      return { type: 'PublishProduct', data: { productId, actor: seller, now } };
  }
}

/** What is wrong with the state (and the levels the events reported), if anything. */
function brokenInvariant(state: ProductState, events: ProductEvent[]): string | null {
  if (state.status === 'none') return 'the product is gone';
  const skus = state.details.variants.map((v) => v.sku).sort();
  if (JSON.stringify(Object.keys(state.stock).sort()) !== JSON.stringify(skus)) return `stock is kept for ${Object.keys(state.stock).join(', ')} but the variants are ${skus.join(', ')}`;
  const held: Record<string, number> = {};
  for (const reservation of [...state.reservations.values()]) {
    if (reservation.state !== 'held') continue;
    for (const line of reservation.lines) held[line.sku] = (held[line.sku] ?? 0) + line.quantity;
  }
  for (const [sku, { onHand, reserved }] of Object.entries(state.stock)) {
    if (!Number.isSafeInteger(onHand) || !Number.isSafeInteger(reserved) || reserved < 0 || reserved > onHand) return `${sku} has onHand ${onHand}, reserved ${reserved}`;
    if (reserved !== (held[sku] ?? 0)) return `${sku} has ${reserved} reserved but its held reservations add up to ${held[sku] ?? 0}`;
  }
  for (const sku of Object.keys(held)) if (!state.stock[sku]) return `held reservations name ${sku}, which is not a variant`;
  const reported: StockLevel[] = events.flatMap((event) => {
    switch (event.type) {
      case 'ProductListed':
      case 'ProductDetailsChanged':
        return event.data.stock;
      case 'StockAdjusted':
        return [event.data.level];
      case 'StockReserved':
      case 'StockReservationReleased':
      case 'StockReservationCommitted':
        return event.data.levels;
      default:
        return [];
    }
  });
  for (const reportedLevel of reported) {
    const stock = state.stock[reportedLevel.sku];
    if (!stock || JSON.stringify(reportedLevel) !== JSON.stringify(level(reportedLevel.sku, stock.onHand, stock.reserved))) return `an event reported ${JSON.stringify(reportedLevel)}`;
  }
  return null;
}

describe('the stock of a product, whatever happens to it', () => {
  it(`keeps 0 <= reserved <= onHand, and reserved equal to the held reservations, over ${SEQUENCES} random sequences of ${STEPS} commands`, () => {
    let decided = 0;
    let refusedReservations = 0;
    for (let seed = 1; seed <= SEQUENCES; seed++) {
      const random = generator(seed);
      let state = [listed(), published()].reduce(productDecider.evolve, productDecider.initialState());
      const history: ProductCommand[] = [];
      for (let step = 0; step < STEPS; step++) {
        const command = randomCommand(random, state);
        history.push(command);
        let events: ProductEvent[];
        try {
          events = productDecider.decide(command, state);
        } catch (error) {
          // A refusal is a fine answer; anything else is a bug.
          if (error instanceof DomainError) continue;
          throw new Error(`Seed ${seed}, step ${step}: ${String(error)} after ${JSON.stringify(history.slice(-10))}`);
        }
        state = events.reduce(productDecider.evolve, state);
        decided += events.length;
        refusedReservations += events.filter((e) => e.type === 'StockReservationRefused').length;
        const broken = brokenInvariant(state, events);
        if (broken) throw new Error(`Seed ${seed}, step ${step}: ${broken} after ${JSON.stringify(history.slice(-10))}`);
      }
    }
    // The sequences did reach the interesting places.
    expect(decided).toBeGreaterThan(SEQUENCES * 10);
    expect(refusedReservations).toBeGreaterThan(SEQUENCES);
  });
});
