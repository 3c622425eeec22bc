/**
 * The whole marketplace in one process: the command services (account, shop, product, order), the query API and the
 * projections (workers and outbox relay) on one port, with one /docs, over the configured
 * stores (the embedded default: PGlite under BDBAZAR_DATA_DIR, an in-process bus).
 */
import { accountRoutes, openAccountModule, type AccountModule } from '@bdbazar/account-service';
import { loadCombinedDocument } from '@bdbazar/openapi';
import { projectors, startProjectionsService } from '@bdbazar/projections';
import { catalogQueryRoutes, orderQueryRoutes, queryRoutes, shopQueryRoutes } from '@bdbazar/query-api';
import { openOrderModule, orderRoutes, type OrderModule } from '@bdbazar/order-service';
import { openProductModule, productRoutes, type ProductModule } from '@bdbazar/product-service';
import { openShopModule, shopRoutes } from '@bdbazar/shop-service';
import {
  DEFAULT_RUNTIME_SCHEMA,
  createHttpApp,
  createInProcessBus,
  decryptingEventStore,
  migrateRuntimeSchema,
  openConfiguredEventStore,
  openConfiguredReadModelDatabase,
  openConfiguredRabbitMqTransport,
  startHttpServer,
  type Config,
  type EventStore,
  type Logger,
  type Transport,
} from '@bdbazar/shared-kernel';

/**
 * Every consumer of integration events the marketplace starts (their queues on RabbitMQ, each with
 * a dead-letter queue `<name>.dlq`), for what must clean a broker up after a test or bench run.
 */
export const MARKETPLACE_CONSUMERS = ['product-service.shops', 'product-service.order-stock', 'order-service.copies', 'order-service.stock-reservations', 'order-service.order-process'] as const;

export interface RunningMarketplace {
  url: string;
  port: number;
  /** The account module, for what only a CLI may do (creating an admin) and for tests. */
  account: AccountModule;
  /** The product module, for what the order process (and tests) ask of it directly. */
  product: ProductModule;
  /** The event store, as auditors read it (tests check histories through it). */
  store: EventStore;
  /** The order module, for its deadline timer and copies (tests). */
  order: OrderModule;
  stop(): Promise<void>;
}

export interface MarketplaceOptions {
  validateResponses?: boolean;
  /**
   * Run the projector workers and the outbox relay here (default true). False when the
   * projections service runs as a process of its own against the same stores and RabbitMQ
   * (`npm run start:projections`): with the in-process bus nothing would publish integration events.
   */
  projections?: boolean;
}

export async function startMarketplace(config: Config, logger: Logger, options: MarketplaceOptions = {}): Promise<RunningMarketplace> {
  const store = await openConfiguredEventStore(config);
  const db = await openConfiguredReadModelDatabase(config);
  const account = await openAccountModule({ store, db, config });
  const bus: Transport = config.BDBAZAR_RABBITMQ_URL ? await openConfiguredRabbitMqTransport(config, logger) : createInProcessBus({ logger });
  // Consumers subscribe before the relay starts, so that the first integration events find their queues.
  await migrateRuntimeSchema(db, DEFAULT_RUNTIME_SCHEMA);
  const product = await openProductModule({ store, db, config, verifier: account.verifier, transport: bus, logger });
  const order = await openOrderModule({ store, db, config, verifier: account.verifier, transport: bus, logger });
  // Projectors read personal data decrypted (and as null once forgotten); they never encrypt.
  if (options.projections === false && !config.BDBAZAR_RABBITMQ_URL) {
    throw new Error('The marketplace can leave its projections to a process of their own only when integration events go through RabbitMQ (BDBAZAR_RABBITMQ_URL).');
  }
  const projections = options.projections === false ? null : await startProjectionsService({ store: decryptingEventStore(store, account.vault), db, runtimeSchema: DEFAULT_RUNTIME_SCHEMA, definitions: projectors, publisher: bus, logger });

  const queries = { db, verifier: account.verifier, runtimeSchema: DEFAULT_RUNTIME_SCHEMA };
  const routes = [
    await accountRoutes({ module: account, db }),
    await shopRoutes({ module: await openShopModule({ store, db, config, verifier: account.verifier }), db }),
    await productRoutes({ module: product, db }),
    orderRoutes({ module: order }),
    queryRoutes(queries),
    shopQueryRoutes(queries),
    catalogQueryRoutes(queries),
    orderQueryRoutes(queries),
  ];
  const app = createHttpApp({ name: 'bdbazar', openApi: loadCombinedDocument(), logger, routes, validateResponses: options.validateResponses, validateSecurity: false });
  const server = await startHttpServer(app, { port: config.PORT, logger });

  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    account,
    product,
    order,
    store,
    stop: async () => {
      await server.close();
      await projections?.stop();
      await order.stop();
      await product.stop();
      await bus.close();
      await db.close();
      await store.close();
    },
  };
}
