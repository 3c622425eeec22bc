/** Realistic events for the workloads: about 200 bytes of JSON data and the usual envelope metadata. */
import { randomUUID } from 'node:crypto';

/** The neutral shape every bench target appends; `id` is the event id (Emmett: `metadata.messageId`). */
export interface BenchEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const PAYMENT_METHODS = ['bkash', 'sslcommerz', 'upay', 'cash_on_delivery'] as const;

/** An `OrderPlaced`-like event; `extra` is merged into the data (e.g. a send timestamp). */
export function orderPlaced(sequence: number, extra: Record<string, unknown> = {}): BenchEvent {
  const quantity = 1 + (sequence % 3);
  const unitPrice = 45_000 + (sequence % 97) * 500;
  return {
    id: randomUUID(),
    type: 'order.OrderPlaced',
    data: {
      orderId: `ord_${randomUUID().slice(0, 18)}`,
      shopId: `shop_${(sequence % 500).toString().padStart(4, '0')}`,
      lines: [{ sku: `SKU-${(sequence % 9_973).toString().padStart(5, '0')}`, quantity, unitPrice: { amount: unitPrice, currency: 'BDT' } }],
      total: { amount: quantity * unitPrice, currency: 'BDT' },
      paymentMethod: PAYMENT_METHODS[sequence % PAYMENT_METHODS.length],
      ...extra,
    },
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { type: 'customer', id: `cus_${(sequence % 10_000).toString().padStart(6, '0')}` },
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

export function orderEvents(count: number, firstSequence = 0): BenchEvent[] {
  return Array.from({ length: count }, (_, i) => orderPlaced(firstSequence + i));
}

export function newStreamId(category: string): string {
  return `${category}-${randomUUID()}`;
}
