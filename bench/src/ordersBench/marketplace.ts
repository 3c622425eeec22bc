/**
 * The app under test for the orders bench: the whole marketplace in one process (startMarketplace)
 * over a fresh PostgreSQL database, as httpBench/marketplace.ts starts it, but with integration
 * events on RabbitMQ when a broker is given: an exchange and queues of this run's own (named
 * after its database), deleted when it stops, so that a run never meets another's messages.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'amqplib';
import { Client } from 'pg';
import { startMarketplace } from '@bdbazar/all-in-one';
import { loadConfig, silentLogger } from '@bdbazar/shared-kernel';
import { unroutedName } from '@bdbazar/shared-kernel/messaging/rabbitmq/topology';
import { databaseOf, recreateDatabase, withDatabase } from '../eventStoreBench/postgres';
import type { BenchMarketplace, BenchMarketplaceOptions } from '../httpBench/marketplace';

/**
 * The consumers the all-in-one marketplace starts (as all-in-one/test/marketplaceHarness.ts lists
 * them): their queues and dead-letter queues are deleted at the end of a run on RabbitMQ.
 */
const MARKETPLACE_CONSUMERS = ['product-service.shops', 'product-service.order-stock', 'order-service.copies', 'order-service.stock-reservations', 'order-service.order-process'];

export interface OrdersMarketplace extends BenchMarketplace {
  /** Where integration events go: 'in-process bus' or 'RabbitMQ <host> (exchange <name>)'. */
  bus: string;
}

async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${database.replace(/"/g, '""')}" with (force)`);
  } finally {
    await admin.end();
  }
}

/** Deletes the run's queues, its exchange and the exchange's unrouted queue and exchange (rabbitmq/topology.ts). */
async function deleteBrokerObjects(rabbitmqUrl: string, queuePrefix: string, exchange: string): Promise<void> {
  const connection = await connect(rabbitmqUrl);
  try {
    const channel = await connection.createChannel();
    for (const name of MARKETPLACE_CONSUMERS) {
      await channel.deleteQueue(`${queuePrefix}${name}`);
      await channel.deleteQueue(`${queuePrefix}${name}.dlq`);
    }
    await channel.deleteQueue(unroutedName(exchange));
    await channel.deleteExchange(exchange);
    await channel.deleteExchange(unroutedName(exchange));
    await channel.close();
  } finally {
    await connection.close();
  }
}

export async function startOrdersMarketplace(options: BenchMarketplaceOptions & { rabbitmqUrl?: string }): Promise<OrdersMarketplace> {
  const bench = options.bench ?? 'orders';
  const database = `${databaseOf(options.postgresUrl)}_${bench}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(options.postgresUrl, database);
  const exchange = `${database}.events`;
  const queuePrefix = `${database}.`;
  await recreateDatabase(url);
  const dataDir = await mkdtemp(path.join(tmpdir(), `bdbazar-bench-${bench}-`));
  const cleanUp = async () => {
    try {
      if (options.rabbitmqUrl) await deleteBrokerObjects(options.rabbitmqUrl, queuePrefix, exchange);
    } finally {
      await dropDatabase(options.postgresUrl, database);
      await rm(dataDir, { recursive: true, force: true });
    }
  };

  try {
    const config = loadConfig(
      {
        PORT: '0',
        BDBAZAR_DATA_DIR: dataDir,
        BDBAZAR_EVENT_STORE: 'postgres',
        BDBAZAR_EVENT_STORE_URL: url,
        BDBAZAR_READ_MODEL_URL: url,
        BDBAZAR_BCRYPT_COST: String(options.bcryptCost),
        BDBAZAR_LOGIN_ATTEMPTS_PER_ADDRESS: String(options.loginAttemptsPerAddress),
        LOG_LEVEL: 'silent',
        ...(options.rabbitmqUrl ? { BDBAZAR_RABBITMQ_URL: options.rabbitmqUrl, BDBAZAR_RABBITMQ_EXCHANGE: exchange, BDBAZAR_RABBITMQ_QUEUE_PREFIX: queuePrefix } : {}),
      },
      { dotenv: false },
    );
    const market = await startMarketplace(config, options.logger ?? silentLogger(), { validateResponses: false });
    return {
      url: market.url,
      config,
      database,
      databaseUrl: url,
      marketplace: market,
      bus: options.rabbitmqUrl ? `RabbitMQ at ${new URL(options.rabbitmqUrl).host} (exchange ${exchange}, queues ${queuePrefix}*)` : 'in-process bus',
      stop: async () => {
        try {
          await market.stop();
        } finally {
          await cleanUp();
        }
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
