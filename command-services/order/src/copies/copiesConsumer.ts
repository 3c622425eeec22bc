/** Keeps the order service's copies (products, shops, buyers' address books) from other services' integration events. */
import { startConsumer, type Consumer, type Database, type IntegrationEvent, type Logger, type Transport } from '@bdbazar/shared-kernel';
import type { Knex } from 'knex';
import { ADDRESS_BOOK_EVENT_TYPES, applyAddressBookEvent, type AddressBookCopy } from './addressBookCopy';
import { catalogChangeOf, gatherCatalogWrites, type CatalogCopy } from './catalogCopy';

export const COPIES_CONSUMER = 'order-service.copies';

/** What a process keeps of the copies it reads. */
export interface KeptCopies {
  catalog: Pick<CatalogCopy, 'forget'>;
  addressBooks: Pick<AddressBookCopy, 'forget'>;
}

export function startCopiesConsumer(options: {
  db: Database;
  schema: string;
  transport: Transport;
  /** What this process keeps of the copies, told of each change once it is committed. */
  kept?: KeptCopies;
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
    // The catalogue's writes of a batch go in one statement a register (see gatherCatalogWrites).
    handleBatch: async (events, trx) => {
      const catalog = gatherCatalogWrites();
      for (const event of events) {
        if (event.type.startsWith('account.')) await applyAddressBookEvent(trx, options.schema, event);
        else catalog.add(event);
        if (kept) forgetOnCommit(kept, event, trx);
      }
      await catalog.write(trx, options.schema);
    },
    logger: options.logger,
  });
}

/** What this process keeps of a copy that the event changes, dropped once the change is committed. */
function forgetOnCommit(kept: KeptCopies, event: IntegrationEvent, trx: Knex.Transaction): void {
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
}
