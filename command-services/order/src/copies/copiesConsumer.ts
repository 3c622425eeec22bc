/** Keeps the order service's copies (products, shops, buyers' address books) from other services' integration events. */
import { startConsumer, type Consumer, type Database, type IntegrationEvent, type Logger, type Transport } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { ADDRESS_BOOK_EVENT_TYPES, applyAddressBookEvent } from './addressBookCopy';
import { applyCatalogEvent } from './catalogCopy';

export const COPIES_CONSUMER = 'order-service.copies';

export async function applyCopiedEvent(trx: Knex.Transaction, schema: string, event: IntegrationEvent): Promise<void> {
  if (event.type.startsWith('account.')) await applyAddressBookEvent(trx, schema, event);
  else await applyCatalogEvent(trx, schema, event);
}

export function startCopiesConsumer(options: { db: Database; schema: string; transport: Transport; logger?: Logger }): Promise<Consumer> {
  return startConsumer({
    name: COPIES_CONSUMER,
    routingKeys: ['product.#', 'shop.#', ...ADDRESS_BOOK_EVENT_TYPES],
    db: options.db,
    transport: options.transport,
    prefetch: 20,
    handler: (event, trx) => applyCopiedEvent(trx, options.schema, event),
    logger: options.logger,
  });
}
