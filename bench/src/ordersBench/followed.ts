/**
 * The figures of followed checkouts: from sending a checkout until each of its orders read as
 * reserved in the query API, per order and per checkout, and that time split into the steps the
 * event store dated (see orderFacts.ts).
 */
import { percentile } from '../eventStoreBench/measure';
import type { OrderSteps } from './orderFacts';
import type { OrderJobResult, TrackedCheckout, TrackedOrder } from './protocol';

export interface Spread {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function spreadOf(samples: readonly number[]): Spread {
  return { samples: samples.length, p50: percentile(samples, 0.5), p95: percentile(samples, 0.95), p99: percentile(samples, 0.99), max: samples.length ? Math.max(...samples) : Number.NaN };
}

/** The steps between sending a checkout and reading its order as reserved, ms. */
export const STEPS = {
  checkout: 'checkout sent → OrderPlaced appended',
  toProduct: 'OrderPlaced → StockReserved appended (orders projector, outbox, relay, bus, product service)',
  toOrder: 'StockReserved → order reserved appended (catalog projector, outbox, relay, bus, order service)',
  toReadModel: 'order reserved → read as reserved (orders projector, query API, ≤ 1 poll interval)',
} as const;

export type StepName = keyof typeof STEPS;

export interface FollowedFigures {
  checkouts: number;
  orders: number;
  /** Per order: from sending its checkout until it read as reserved, ms. */
  reservedVisible: Spread;
  /** Per checkout: until every one of its orders read as reserved, ms. */
  checkoutReservedVisible: Spread;
  /** Per order: until the query API first answered it at all (the placement projected), ms. */
  placedVisible: Spread;
  byPaymentMethod: Record<string, Spread>;
  checkoutLatency: Spread;
  /** Per order, the steps the store dated (orders whose steps were all found). */
  steps: Record<StepName, Spread>;
  failures: number;
  sampleFailures: string[];
  readsPerOrder: number;
  /** Between two reads of an order already visible and not yet reserved, on average: the resolution of reservedVisible, ms. */
  readIntervalMs: number;
  /** Reads of followed orders a second, over the job (the pacer holds them to TrackOptions.maxReadsPerSecond). */
  readsPerSecond: number;
  /** Reads that X-Consistent-After gave up on (503): the placement took over 3 s to be projected. */
  notCaughtUp: number;
}

export function followedFigures(job: Pick<OrderJobResult, 'tracked' | 'reads' | 'notCaughtUp' | 'followMs'>, steps: ReadonlyMap<string, OrderSteps>): FollowedFigures {
  const { tracked } = job;
  const done = tracked.filter((checkout) => !checkout.failure);
  const orders = done.flatMap((checkout) => checkout.orders.map((order) => ({ checkout, order })));
  const byMethod = new Map<string, number[]>();
  for (const { checkout, order } of orders) byMethod.set(checkout.paymentMethod, [...(byMethod.get(checkout.paymentMethod) ?? []), order.reservedVisibleMs as number]);
  const split: Record<StepName, number[]> = { checkout: [], toProduct: [], toOrder: [], toReadModel: [] };
  for (const { checkout, order } of orders) {
    const s = steps.get(order.orderId);
    if (s?.placed === undefined || s.stockReserved === undefined || s.orderReserved === undefined) continue;
    const visibleAt = checkout.sentAtEpochMs + (order.reservedVisibleMs as number);
    split.checkout.push(s.placed - checkout.sentAtEpochMs);
    split.toProduct.push(s.stockReserved - s.placed);
    split.toOrder.push(s.orderReserved - s.stockReserved);
    split.toReadModel.push(visibleAt - s.orderReserved);
  }
  const allOrders = tracked.flatMap((checkout) => checkout.orders);
  return {
    checkouts: done.length,
    orders: orders.length,
    reservedVisible: spreadOf(orders.map(({ order }) => order.reservedVisibleMs as number)),
    checkoutReservedVisible: spreadOf(done.map((checkout) => Math.max(...checkout.orders.map((order) => order.reservedVisibleMs as number)))),
    placedVisible: spreadOf(orders.map(({ order }) => order.visibleMs as number)),
    byPaymentMethod: Object.fromEntries([...byMethod].map(([method, samples]) => [method, spreadOf(samples)])),
    checkoutLatency: spreadOf(done.map((checkout) => checkout.checkoutMs)),
    steps: { checkout: spreadOf(split.checkout), toProduct: spreadOf(split.toProduct), toOrder: spreadOf(split.toOrder), toReadModel: spreadOf(split.toReadModel) },
    failures: tracked.length - done.length,
    sampleFailures: tracked.flatMap((checkout) => (checkout.failure ? [checkout.failure] : [])).slice(0, 5),
    readsPerOrder: allOrders.length ? allOrders.reduce((sum, order) => sum + order.reads, 0) / allOrders.length : 0,
    readIntervalMs: readInterval(orders.map(({ order }) => order)),
    readsPerSecond: job.followMs > 0 ? (job.reads * 1000) / job.followMs : 0,
    notCaughtUp: job.notCaughtUp,
  };
}

/** The time between the read that first found an order and the one that found it reserved, over the reads in between. */
function readInterval(orders: readonly TrackedOrder[]): number {
  let span = 0;
  let gaps = 0;
  for (const order of orders) {
    if (order.reads < 2 || order.visibleMs === null || order.reservedVisibleMs === null) continue;
    span += order.reservedVisibleMs - order.visibleMs;
    gaps += order.reads - 1;
  }
  return gaps ? span / gaps : Number.NaN;
}

/** The order ids of the followed checkouts, for OrderFacts.steps. */
export function orderIdsOf(tracked: readonly TrackedCheckout[]): string[] {
  return tracked.flatMap((checkout) => checkout.orders.map((order) => order.orderId));
}

/** The first `count` followed checkouts, each order with when its steps were written, ms after its checkout was sent (for the JSON file). */
export function samplesWithSteps(tracked: readonly TrackedCheckout[], steps: ReadonlyMap<string, OrderSteps>, count: number) {
  const after = (at: number | undefined, sentAt: number) => (at === undefined ? null : at - sentAt);
  return [...tracked]
    .sort((a, b) => a.sentAtEpochMs - b.sentAtEpochMs)
    .slice(0, count)
    .map((checkout) => ({
      ...checkout,
      orders: checkout.orders.map((order) => {
        const s = steps.get(order.orderId);
        return { ...order, placedMs: after(s?.placed, checkout.sentAtEpochMs), stockReservedMs: after(s?.stockReserved, checkout.sentAtEpochMs), orderReservedMs: after(s?.orderReserved, checkout.sentAtEpochMs) };
      }),
    }));
}
