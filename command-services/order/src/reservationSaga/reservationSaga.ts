/**
 * The stock reservation process, order side. The process runs between two services by their
 * integration events, each turning the other's into its own commands:
 *
 *   order.OrderPlaced.v1 ─────────────> product service: ReserveStock, per product of the order
 *   product.StockReserved.v1 ─────────> here: RecordStockReserved (all held: awaiting payment or,
 *   product.StockReservationRefused.v1 ─> here: RecordStockRefused   cash on delivery, confirmed)
 *   order.OrderRejected.v1 / order.OrderCancelled.v1 ─> product service: release, per product
 *   order.OrderShipped.v1 ────────────> product service: commit, per product
 *
 * Every step is idempotent: the product keeps one answer per order, the order records one answer
 * per product, and the consumer kit's inbox drops redelivered messages before they reach here.
 */
import { contextCausedByMessage, startConsumer, type CommandContext, type Consumer, type Database, type IntegrationEvent, type Logger, type Transport } from '@bdbazar/shared-kernel';
import type { StockRefusal } from '../order';
import type { OrderService } from '../orderService';

/** The consumer's name: its queue and inbox key. */
export const RESERVATION_CONSUMER = 'order-service.stock-reservations';

export const SYSTEM_ACTOR = { id: 'order-process', role: 'system' } as const;

/** The context of a command a message sets off: the same correlation, caused by the message. */
export const contextOf = (event: IntegrationEvent): CommandContext => contextCausedByMessage(event, SYSTEM_ACTOR);

interface ReservationAnswer {
  productId: string;
  orderId: string;
  lines: Array<{ sku: string; quantity: number }>;
  reason?: string;
  shortages?: StockRefusal['shortages'];
}

export async function handleReservationAnswer(orders: Pick<OrderService, 'recordStockReserved' | 'recordStockRefused'>, event: IntegrationEvent): Promise<void> {
  const answer = event.data as unknown as ReservationAnswer;
  switch (event.type) {
    case 'product.StockReserved.v1':
      await orders.recordStockReserved(answer.orderId, answer.productId, answer.lines, contextOf(event));
      return;
    case 'product.StockReservationRefused.v1':
      await orders.recordStockRefused(answer.orderId, { productId: answer.productId, reason: answer.reason ?? 'No reason given.', shortages: answer.shortages ?? [] }, contextOf(event));
      return;
    default:
      return;
  }
}

export function startReservationSaga(options: { db: Database; transport: Transport; orders: OrderService; inboxRetentionDays?: number; logger?: Logger }): Promise<Consumer> {
  return startConsumer({
    name: RESERVATION_CONSUMER,
    routingKeys: ['product.StockReserved.v1', 'product.StockReservationRefused.v1'],
    db: options.db,
    transport: options.transport,
    inboxRetentionDays: options.inboxRetentionDays,
    prefetch: 50,
    // The order aggregate decides each answer once; no connection is held while it does.
    idempotentHandler: (event) => handleReservationAnswer(options.orders, event),
    logger: options.logger,
  });
}
