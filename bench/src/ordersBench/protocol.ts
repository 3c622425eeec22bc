/**
 * What the orders bench asks of its checkout client (a child process, so that neither autocannon
 * nor the polling shares the server's event loop) and what it answers. Everything here crosses
 * the IPC channel, so it is plain data.
 */
import type { LoadResult } from '../httpBench/protocol';

/** One checkout the client may send: whose, the body (serialised once), and how many orders (shops) it makes. */
export interface CheckoutRequest {
  /** Index into the job's tokens. */
  buyer: number;
  body: string;
  orders: number;
  lines: number;
  paymentMethod: string;
}

/** How to follow a checkout until each of its orders is visible as reserved in the query API. */
export interface TrackOptions {
  /** Follow every n-th checkout answered 201 (load and paced runs). */
  every: number;
  /** Pause between two reads of one order that is not reserved yet. */
  pollIntervalMs: number;
  /**
   * The most reads a second over all the orders being followed: when more orders are pending than
   * the pause allows at this rate, each is read less often (the pause grows with the backlog), so
   * that the reads never take the server's CPU from the process they wait on.
   */
  maxReadsPerSecond: number;
  /** A checkout whose orders are not all reserved by then counts as a failure. */
  timeoutMs: number;
}

interface JobBase {
  /** The server's base URL, e.g. http://127.0.0.1:12345. */
  url: string;
  /** Bearer tokens of the buyers, by index. */
  tokens: string[];
  /** The checkouts, sent in this order (wrapping round). */
  checkouts: CheckoutRequest[];
  /** Idempotency keys are `<keyPrefix>-<sequence>`: unique across the jobs of a run. */
  keyPrefix: string;
  /** Seconds to wait for one checkout's answer before counting a timeout. */
  timeoutSeconds: number;
}

export type OrderJob =
  /** `connections` closed-loop connections for `durationSeconds`, each POST /v1/orders with the next checkout; optionally following some. */
  | (JobBase & { kind: 'load'; connections: number; durationSeconds: number; track: TrackOptions | null })
  /**
   * `count` checkouts started at a steady `ratePerSecond` (open loop) over at most `connections`
   * keep-alive connections (a checkout waits for a free one, its time counted from when it was
   * due), every `track.every`-th followed until reserved and visible (none without `track`).
   */
  | (JobBase & { kind: 'paced'; ratePerSecond: number; count: number; connections: number; track: TrackOptions | null })
  /** `count` checkouts one after another, each followed until reserved before the next is sent: no queueing anywhere. */
  | (JobBase & { kind: 'sequential'; count: number; track: TrackOptions });

/** One order of a followed checkout. */
export interface TrackedOrder {
  orderId: string;
  /** From sending the checkout until the query API first answered the order (any status), ms. */
  visibleMs: number | null;
  /** From sending the checkout until the query API answered it awaiting_payment or confirmed, ms. */
  reservedVisibleMs: number | null;
  /** The last status read. */
  status: string | null;
  /** GET /v1/orders/{id} sent for it. */
  reads: number;
}

export interface TrackedCheckout {
  checkoutId: string;
  paymentMethod: string;
  lines: number;
  /** When the checkout was sent, ms since the epoch. */
  sentAtEpochMs: number;
  /** The checkout's own response time, ms. */
  checkoutMs: number;
  orders: TrackedOrder[];
  /** Why it was not followed to the end (a refusal, a rejected order, a timeout); absent when it was. */
  failure?: string;
}

export interface OrderJobResult {
  /** The checkouts' figures (paced runs too: their latencies and status codes). */
  load: LoadResult;
  tracked: TrackedCheckout[];
  /** Orders the 201 answers made (a checkout makes one per shop). */
  ordersPlaced: number;
  /** Following: reads of orders sent, and how many answered 503 (X-Consistent-After gave up). */
  reads: number;
  notCaughtUp: number;
  /** From the job's start until the last followed order was read as reserved (or given up), ms. */
  followMs: number;
}

export type OrderClientMessage = { ok: true; result: OrderJobResult } | { ok: false; error: string };
