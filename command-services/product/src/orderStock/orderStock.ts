/**
 * The product service's part in the order process (a choreography, no orchestrator): the order
 * service's integration events become stock commands on the products an order names, and the
 * products' answers (StockReserved, StockReservationRefused, StockReservationReleased,
 * StockReservationCommitted) go back to the order service as `product.*.v1` integration events
 * through the catalogue projector.
 *
 *   order.OrderPlaced.v1                          ReserveStock on each product of its lines
 *   order.OrderRejected.v1, order.OrderCancelled.v1   ReleaseStockReservation on each product it names
 *   order.OrderShipped.v1                         CommitStockReservation on each product it names
 *
 * Every step is idempotent because the product aggregate keys reservations by order: a message
 * delivered twice (the consumer kit's inbox drops exact repeats; the same order under a new
 * message id still reaches here) decides nothing the second time. Messages of one order may be
 * handled in any order: a release that comes before the reservation closes the order on that
 * product (see stock/reserveStock.ts), so the late reservation holds nothing.
 *
 * A failure is never swallowed: the message is delivered again and, after the consumer's last
 * attempt, dead-lettered. That includes an order naming a product that does not exist (the
 * order service cancels such an order when its payment deadline passes) and a shipment of stock
 * the order does not hold (a bug in the caller). Only a release of a product that does not exist
 * is skipped: it holds nothing to give back.
 */
import { contextCausedByMessage, startConsumer, type CommandContext, type Consumer, type Database, type IntegrationEvent, type Logger, type Transport } from '@bdbazar/shared-kernel';
import type { StockLine } from '../product';
import type { ProductService } from '../productService';

/** The consumer's name: its queue and inbox key. Fixed, so that a restart resumes its queue. */
export const ORDER_STOCK_CONSUMER = 'product-service.order-stock';

export const ORDER_STOCK_EVENT_TYPES = ['order.OrderPlaced.v1', 'order.OrderRejected.v1', 'order.OrderCancelled.v1', 'order.OrderShipped.v1'] as const;

/** Who the stock commands are issued by: the order process, no person. */
export const ORDER_PROCESS_ACTOR = { id: 'order-process', role: 'system' } as const;

/** What of the product service the handler uses. */
export type OrderStockProducts = Pick<ProductService, 'reserveStock' | 'releaseStockReservation' | 'commitStockReservation' | 'load'>;

export interface OrderStockHandlerOptions {
  /** The product service's database; the runtime schema (`bdbazar`, with its inbox) must be migrated. */
  db: Database;
  /** Where the order service's integration events arrive. */
  transport: Transport;
  products: OrderStockProducts;
  inboxRetentionDays?: number;
  logger?: Logger;
}

export function startOrderStockHandler(options: OrderStockHandlerOptions): Promise<Consumer> {
  return startConsumer({
    name: ORDER_STOCK_CONSUMER,
    routingKeys: ORDER_STOCK_EVENT_TYPES,
    db: options.db,
    transport: options.transport,
    // The commands write to the event store, not to the inbox's database: the aggregate, not the
    // inbox, makes them happen once, and no connection is held while they run.
    idempotentHandler: (event) => handleOrderEvent(options.products, event),
    prefetch: 50,
    inboxRetentionDays: options.inboxRetentionDays,
    logger: options.logger,
  });
}

/** Turns one order integration event into stock commands on its products, all of them at once. */
export async function handleOrderEvent(products: OrderStockProducts, event: IntegrationEvent): Promise<void> {
  const context: CommandContext = contextCausedByMessage(event, ORDER_PROCESS_ACTOR);
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'order.OrderPlaced.v1': {
      const orderId = text(event, data, 'orderId');
      const byProduct = linesByProduct(event, data);
      await settleAll([...byProduct].map(([productId, lines]) => () => products.reserveStock(productId, orderId, lines, context)));
      return;
    }
    case 'order.OrderRejected.v1':
    case 'order.OrderCancelled.v1': {
      const orderId = text(event, data, 'orderId');
      const reason = text(event, data, 'reason');
      await settleAll(
        productIds(event, data).map((productId) => async () => {
          // A product that does not exist holds nothing for the order: there is nothing to release.
          if ((await products.load(productId)).state.status === 'none') return;
          await products.releaseStockReservation(productId, orderId, reason, context);
        }),
      );
      return;
    }
    case 'order.OrderShipped.v1': {
      const orderId = text(event, data, 'orderId');
      await settleAll(productIds(event, data).map((productId) => () => products.commitStockReservation(productId, orderId, context)));
      return;
    }
    default:
      // Bound to these types only; another order event has nothing to do with stock.
      return;
  }
}

/** Runs every step to its end (the message is not settled while one is still writing), then fails with the failures, if any. */
async function settleAll(steps: Array<() => Promise<unknown>>): Promise<void> {
  const outcomes = await Promise.allSettled(steps.map((step) => step()));
  const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected').map((outcome) => outcome.reason as unknown);
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new AggregateError(failures, `${failures.length} stock commands failed: ${failures.map((failure) => (failure instanceof Error ? failure.message : String(failure))).join(' | ')}`);
  }
}

/** The order's lines grouped by product, in the order first seen: one reservation per product. */
function linesByProduct(event: IntegrationEvent, data: Record<string, unknown>): Map<string, StockLine[]> {
  const lines = data['lines'];
  if (!Array.isArray(lines) || lines.length === 0) throw malformed(event, 'lines', 'a non-empty list');
  const byProduct = new Map<string, StockLine[]>();
  lines.forEach((line: unknown, index) => {
    const { productId, sku, quantity } = (line ?? {}) as Record<string, unknown>;
    if (typeof productId !== 'string' || productId === '') throw malformed(event, `lines[${index}].productId`, 'a product id');
    if (typeof sku !== 'string' || typeof quantity !== 'number') throw malformed(event, `lines[${index}]`, 'a SKU and a quantity');
    // The decider checks the quantity and sums the lines of one SKU.
    byProduct.set(productId, [...(byProduct.get(productId) ?? []), { sku, quantity }]);
  });
  return byProduct;
}

function productIds(event: IntegrationEvent, data: Record<string, unknown>): string[] {
  const ids = data['productIds'];
  if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string' && id !== '')) throw malformed(event, 'productIds', 'a list of product ids');
  return [...new Set(ids)];
}

function text(event: IntegrationEvent, data: Record<string, unknown>, field: string): string {
  const value = data[field];
  if (typeof value !== 'string' || value === '') throw malformed(event, field, 'a non-empty string');
  return value;
}

function malformed(event: IntegrationEvent, field: string, expected: string): Error {
  return new Error(`${event.type} message ${event.messageId} cannot be handled: its ${field} is not ${expected}.`);
}
