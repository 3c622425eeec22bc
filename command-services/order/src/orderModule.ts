/**
 * The order service assembled: carts, checkouts and orders over the event store (shipping
 * addresses encrypted per buyer by the personal data vault); its copies of products, shops and
 * address books; and, when a bus is given, the processes that keep them and move orders on
 * (stock reservation answers, checkout completion, payment deadlines).
 */
import {
  migrateIdempotencyTable,
  openPersonalDataVault,
  protectPersonalData,
  withMigrationLock,
  type Config,
  type Consumer,
  type Database,
  type EventStore,
  type Logger,
  type TokenVerifier,
  type Transport,
} from '@bdbazar/shared-kernel';
import { migrateAddressBookCopy, openAddressBookCopy, type AddressBookCopy } from './copies/addressBookCopy';
import { migrateCatalogCopy, openCatalogCopy, type CatalogCopy } from './copies/catalogCopy';
import { startCopiesConsumer } from './copies/copiesConsumer';
import { migratePaymentDeadlines, paymentDeadlinesTable, startDeadlineTimer, startOrderProcessConsumer, type DeadlineTimer } from './deadlines/paymentDeadlines';
import { createOrderService, type OrderService } from './orderService';
import { startReservationSaga } from './reservationSaga/reservationSaga';

/** The schema of the order service's own tables (copies, deadlines, idempotency keys). */
export const ORDER_SCHEMA = 'order_service';

/** Personal data in order events: the address a parcel goes to, under the buyer's key. */
export const ORDER_PERSONAL_DATA = { OrderPlaced: ['shippingAddress'], CheckoutPlaced: ['shippingAddress'] } as const;

export interface OrderModule {
  orders: OrderService;
  catalog: CatalogCopy;
  addressBooks: AddressBookCopy;
  verifier: TokenVerifier;
  /** Expires due orders now (tests and operators; a timer does it every second). */
  deadlines: DeadlineTimer | null;
  stop(): Promise<void>;
}

export interface OrderModuleOptions {
  store: EventStore;
  db: Database;
  config: Pick<Config, 'BDBAZAR_ORDER_PAYMENT_TIMEOUT_SECONDS' | 'BDBAZAR_INBOX_RETENTION_DAYS'>;
  verifier: TokenVerifier;
  /** Where other services' integration events arrive; without it the copies stay as they are and orders do not move on. */
  transport?: Transport;
  logger?: Logger;
  clock?: () => Date;
  /** How often due payment deadlines are looked for. Default 1000 ms. */
  deadlineIntervalMs?: number;
}

export async function openOrderModule(options: OrderModuleOptions): Promise<OrderModule> {
  const { db } = options;
  await withMigrationLock(db, `order-service:${ORDER_SCHEMA}`, async () => {
    await migrateCatalogCopy(db.knex, ORDER_SCHEMA);
    await migrateAddressBookCopy(db.knex, ORDER_SCHEMA);
    await migratePaymentDeadlines(db.knex, ORDER_SCHEMA);
  });
  await migrateIdempotencyTable(db, ORDER_SCHEMA);
  const vault = await openPersonalDataVault(db);
  const store = protectPersonalData(options.store, vault, { fields: ORDER_PERSONAL_DATA, subjectOf: (event) => event.data['buyerId'] as string });
  const catalog = openCatalogCopy(db, ORDER_SCHEMA);
  const addressBooks = openAddressBookCopy(db, ORDER_SCHEMA);
  const paymentDeadlines = paymentDeadlinesTable(db, ORDER_SCHEMA);
  const orders = createOrderService({
    store,
    catalog,
    addressBooks,
    deadlines: paymentDeadlines,
    paymentTimeoutSeconds: options.config.BDBAZAR_ORDER_PAYMENT_TIMEOUT_SECONDS,
    clock: options.clock,
  });
  const consumers: Consumer[] = [];
  let deadlines: DeadlineTimer | null = null;
  if (options.transport) {
    const shared = { db, transport: options.transport, inboxRetentionDays: options.config.BDBAZAR_INBOX_RETENTION_DAYS, logger: options.logger };
    consumers.push(await startCopiesConsumer({ ...shared, schema: ORDER_SCHEMA, kept: { catalog, addressBooks } }));
    consumers.push(await startReservationSaga({ ...shared, orders }));
    consumers.push(await startOrderProcessConsumer({ ...shared, orders }));
    deadlines = startDeadlineTimer({ db, schema: ORDER_SCHEMA, orders, deadlines: paymentDeadlines, clock: options.clock, intervalMs: options.deadlineIntervalMs, logger: options.logger });
  }
  return {
    orders,
    catalog,
    addressBooks,
    verifier: options.verifier,
    deadlines,
    stop: async () => {
      await deadlines?.stop();
      for (const consumer of consumers) await consumer.stop();
    },
  };
}
