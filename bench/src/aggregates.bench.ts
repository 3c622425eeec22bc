/**
 * `npm run bench:aggregates`: how long a cold load folds a hot aggregate's stream. A best-selling
 * product's stream holds one reservation (and its release or commit) per order ever placed; every
 * load after a restart, in a second process or after the state cache dropped it folds them all.
 * Folds the product decider over a listed product and N orders, each reserved then committed, and
 * prints the time, the time per event and the heap the folded state holds. No server needed.
 */
import { fold } from '@bdbazar/shared-kernel';
import { productDecider, type ProductEvent } from '@bdbazar/product-service';

const ORDERS = [1_000, 10_000, 30_000, 100_000];
const RUNS = 3;
/** Per event, the most a cold fold should cost (a goal of ours: a 100,000-order product folds in under a second). */
const GOAL_US_PER_EVENT = 5;

const facts = { productId: 'prd_bench', shopId: 'shp_bench', sellerId: 'usr_bench' };
const level = (reserved: number) => ({ sku: 'BENCH-1', onHand: 1_000_000_000, reserved, available: 1_000_000_000 - reserved });

function stream(orders: number): ProductEvent[] {
  const events: ProductEvent[] = [
    {
      type: 'ProductListed',
      data: {
        ...facts,
        title: 'A best-seller',
        description: null,
        categoryId: 'cat_bench',
        images: [],
        brand: null,
        attributes: {},
        variants: [{ sku: 'BENCH-1', options: {}, price: { amount: 45_000, currency: 'BDT' }, compareAtPrice: null, weightGrams: null }],
        status: 'draft',
        stock: [level(0)],
        listedBy: 'usr_bench',
        listedAt: '2026-11-24T00:00:00.000Z',
      },
    },
  ];
  for (let n = 0; n < orders; n++) {
    const orderId = `ord_${n}`;
    const lines = [{ sku: 'BENCH-1', quantity: 1 }];
    events.push({ type: 'StockReserved', data: { ...facts, orderId, lines, levels: [level(1)], reservedAt: '2026-11-24T00:00:00.000Z' } });
    events.push({ type: 'StockReservationCommitted', data: { ...facts, orderId, lines, levels: [level(0)], committedAt: '2026-11-24T00:00:00.000Z' } });
  }
  return events;
}

function measure(orders: number): { ms: number; usPerEvent: number; heapMiB: number; events: number } {
  const events = stream(orders);
  const times: number[] = [];
  let heapMiB = 0;
  for (let run = 0; run < RUNS; run++) {
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const state = fold(productDecider, events);
    times.push(performance.now() - started);
    heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    if (state.status === 'none' || state.reservations.size !== orders) throw new Error('the fold lost reservations');
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  return { ms, usPerEvent: (ms * 1000) / events.length, heapMiB, events: events.length };
}

measure(ORDERS[0]!); // warm-up: the first folds run before the JIT has compiled evolve
const rows = ORDERS.map((orders) => ({ orders, ...measure(orders) }));
const header = ['orders on the product', 'events', 'fold (median of 3)', 'per event', `goal ≤ ${GOAL_US_PER_EVENT} µs`, 'heap after (approx.)'];
const cells = rows.map((r) => [
  r.orders.toLocaleString('en-US'),
  r.events.toLocaleString('en-US'),
  `${r.ms.toFixed(1)} ms`,
  `${r.usPerEvent.toFixed(2)} µs`,
  r.usPerEvent <= GOAL_US_PER_EVENT ? 'yes' : 'NO',
  `${r.heapMiB.toFixed(0)} MiB`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (values: string[]) => values.map((v, i) => v.padStart(widths[i]!)).join('  ');
console.log(`Cold fold of a product aggregate (node ${process.version})\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const c of cells) console.log(line(c));
