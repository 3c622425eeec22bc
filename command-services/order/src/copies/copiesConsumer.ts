/** Keeps the order service's copies (products, shops, buyers' address books) from other services' integration events. */
import { startConsumer, type Consumer, type Database, type IntegrationEvent, type Logger, type Transport } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { ADDRESS_BOOK_EVENT_TYPES, applyAddressBookEvent, type AddressBookCopy } from './addressBookCopy';
import { applyCatalogEvent, catalogChangeOf, type CatalogCopy } from './catalogCopy';

export const COPIES_CONSUMER = 'order-service.copies';

export async function applyCopiedEvent(trx: Knex.Transaction, schema: string, event: IntegrationEvent): Promise<void> {
  if (event.type.startsWith('account.')) await applyAddressBookEvent(trx, schema, event);
  else await applyCatalogEvent(trx, schema, event);
}

export function startCopiesConsumer(options: {
  db: Database;
  schema: string;
  transport: Transport;
  /** What this process keeps of the copies, told of each change once it is committed. */
  kept?: { catalog: Pick<CatalogCopy, 'forget'>; addressBooks: Pick<AddressBookCopy, 'forget'> };
  logger?: Logger;
}): Promise<Consumer> {
  const { kept } = options;
  return startConsumer({
    name: COPIES_CONSUMER,
    routingKeys: ['product.#', 'shop.#', ...ADDRESS_BOOK_EVENT_TYPES],
    db: options.db,
    transport: options.transport,
    prefetch: 20,
    // Each message is an independent upsert guarded by its revision, its cache effects wait for
    // the commit: safe to share a transaction (a failed batch is applied again message by message).
    batchTransactions: true,
    handler: async (event, trx) => {
      await applyCopiedEvent(trx, options.schema, event);
      if (!kept) return;
      const catalogChange = catalogChangeOf(event);
      const accountId = event.type.startsWith('account.') ? (event.data as { accountId?: unknown }).accountId : undefined;
      if (!catalogChange && typeof accountId !== 'string') return;
      // After the commit: forgetting sooner could let a read of the old row be kept again.
      void trx.executionPromise.then(
        () => {
          if (catalogChange) kept.catalog.forget(catalogChange);
          if (typeof accountId === 'string') kept.addressBooks.forget(accountId);
        },
        () => undefined,
      );
    },
    logger: options.logger,
  });
}
