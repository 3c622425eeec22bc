/** Keeps the order service's copies (products, shops, buyers' address books) from other services' integration events. */
import { startConsumer, type Consumer, type Database, type IntegrationEvent, type Logger, type Transport } from '@bdbazar/shared-kernel';
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
  /** The order service's schema, where the copies live. */
  schema: string;
  transport: Transport;
  inboxRetentionDays?: number;
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
    inboxRetentionDays: options.inboxRetentionDays,
    prefetch: 20,
    // Every write is an upsert guarded by the revision it was set from (an erased account stays
    // erased): applying a message again, or messages in any order, leaves the same copies. So a
    // batch needs no transaction: one statement a catalogue register (see gatherCatalogWrites),
    // address-book changes in a small transaction of their own, and what this process kept of a
    // copy forgotten once its change is written.
    idempotentBatchHandler: async (events) => {
      const catalog = gatherCatalogWrites();
      const accountEvents: IntegrationEvent[] = [];
      for (const event of events) {
        if (event.type.startsWith('account.')) accountEvents.push(event);
        else catalog.add(event);
      }
      if (accountEvents.length > 0) {
        await options.db.knex.transaction(async (trx) => {
          for (const event of accountEvents) await applyAddressBookEvent(trx, options.schema, event);
        });
      }
      await catalog.write(options.db.knex, options.schema);
      if (kept) for (const event of events) forgetChanged(kept, event);
    },
    logger: options.logger,
  });
}

/**
 * What this process keeps of a copy that the event changed, dropped once the change is written
 * (forgetting sooner could let a read of the old row be kept again).
 */
function forgetChanged(kept: KeptCopies, event: IntegrationEvent): void {
  const catalogChange = catalogChangeOf(event);
  const accountId = event.type.startsWith('account.') ? (event.data as { accountId?: unknown }).accountId : undefined;
  if (catalogChange) kept.catalog.forget(catalogChange);
  if (typeof accountId === 'string') kept.addressBooks.forget(accountId);
}
