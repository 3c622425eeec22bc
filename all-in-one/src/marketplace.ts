/**
 * The whole marketplace in one process: the command services (account, shop, product, order), the query API and the
 * projections (workers and outbox relay) on one port, with one /docs, over the configured
 * stores (the embedded default: PGlite under BDBAZAR_DATA_DIR, an in-process bus). On server
 * stores it can also run as a cluster's HTTP worker or primary (cluster.ts).
 */
import { ACCOUNT_SCHEMA, accountRoutes, openAccountModule, type AccountModule } from '@bdbazar/account-service';
import { loadCombinedDocument } from '@bdbazar/openapi';
import { projectors, startProjectionsService } from '@bdbazar/projections';
import { catalogQueryRoutes, orderQueryRoutes, queryRoutes, shopQueryRoutes } from '@bdbazar/query-api';
import { ORDER_SCHEMA, openOrderModule, orderRoutes, type OrderModule } from '@bdbazar/order-service';
import { IMPORT_BODY_LIMITS, PRODUCT_SCHEMA, openProductModule, productRoutes, type ProductModule } from '@bdbazar/product-service';
import { SHOP_SCHEMA, openShopModule, shopRoutes } from '@bdbazar/shop-service';
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
  startIdempotencyHousekeeping,
  type Config,
  type Database,
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
  /**
   * What this process does (default 'all'). 'http': the routes only, on the configured port, with
   * no background work: neither projectors nor the outbox relay nor the consumers of integration
   * events nor the payment-deadline timer (one of a cluster's HTTP workers; see cluster.ts, whose
   * primary runs that work with startMarketplaceBackground).
   */
  role?: 'all' | 'http';
}

export async function startMarketplace(config: Config, logger: Logger, options: MarketplaceOptions = {}): Promise<RunningMarketplace> {
  const parts = await openParts(config, logger, { background: options.role !== 'http', projections: options.projections !== false });
  try {
    const { store, db, account, product, order } = parts;
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
    const app = createHttpApp({ name: 'bdbazar', openApi: loadCombinedDocument(), logger, routes, bodyLimits: IMPORT_BODY_LIMITS, validateResponses: options.validateResponses, validateSecurity: false });
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
        await parts.stop();
      },
    };
  } catch (error) {
    await parts.stop();
    throw error;
  }
}

/** What a cluster's primary runs: the marketplace's background work, and no HTTP server. */
export interface MarketplaceBackground {
  account: AccountModule;
  product: ProductModule;
  order: OrderModule;
  store: EventStore;
  stop(): Promise<void>;
}

/**
 * The projectors and the outbox relay, the consumers of integration events (the product and order
 * services' copies, the stock reservation saga, the order process) and the payment-deadline timer:
 * everything of the marketplace but its routes, for a cluster's primary (cluster.ts).
 */
export async function startMarketplaceBackground(config: Config, logger: Logger): Promise<MarketplaceBackground> {
  const { account, product, order, store, stop } = await openParts(config, logger, { background: true, projections: true });
  return { account, product, order, store, stop };
}

interface Parts extends MarketplaceBackground {
  db: Database;
}

/** The stores and the modules; with `background`, the bus, its consumers and the projections too. */
async function openParts(config: Config, logger: Logger, options: { background: boolean; projections: boolean }): Promise<Parts> {
  const closers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    const store = await openConfiguredEventStore(config);
    closers.push(() => store.close());
    const db = await openConfiguredReadModelDatabase(config);
    closers.push(() => db.close());
    const account = await openAccountModule({ store, db, config });
    // An HTTP worker consumes nothing and relays nothing: it needs no bus.
    let bus: Transport | undefined;
    if (options.background) {
      if (!options.projections && !config.BDBAZAR_RABBITMQ_URL) {
        throw new Error('The marketplace can leave its projections to a process of their own only when integration events go through RabbitMQ (BDBAZAR_RABBITMQ_URL).');
      }
      const opened = config.BDBAZAR_RABBITMQ_URL ? await openConfiguredRabbitMqTransport(config, logger) : createInProcessBus({ logger });
      closers.push(() => opened.close());
      bus = opened;
    }
    // Consumers subscribe before the relay starts, so that the first integration events find their queues.
    await migrateRuntimeSchema(db, DEFAULT_RUNTIME_SCHEMA);
    const product = await openProductModule({ store, db, config, verifier: account.verifier, transport: bus, logger });
    closers.push(() => product.stop());
    const order = await openOrderModule({ store, db, config, verifier: account.verifier, transport: bus, logger });
    closers.push(() => order.stop());
    // Idempotency keys past their TTL, of every service here: background work, done once per database.
    if (options.background) {
      const housekeeping = await startIdempotencyHousekeeping({ db, schemas: [ACCOUNT_SCHEMA, SHOP_SCHEMA, PRODUCT_SCHEMA, ORDER_SCHEMA], logger });
      closers.push(() => housekeeping.stop());
    }
    if (bus && options.projections) {
      // Projectors read personal data decrypted (and as null once forgotten); they never encrypt.
      const projections = await startProjectionsService({ store: decryptingEventStore(store, account.vault), db, runtimeSchema: DEFAULT_RUNTIME_SCHEMA, definitions: projectors, publisher: bus, logger });
      closers.push(() => projections.stop());
    }
    return { store, db, account, product, order, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
