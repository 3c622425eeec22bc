/**
 * The app under test: the whole marketplace in one process on one port, as `npm start` runs it
 * (startMarketplace), over a fresh PostgreSQL database (the event store and the read models) that
 * is dropped when it stops. The in-process bus, or RabbitMQ when a broker is given: an exchange and
 * queues of this run's own (named after its database), deleted when it stops, so that a run never
 * meets another's messages.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'amqplib';
import { Client } from 'pg';
import { MARKETPLACE_CONSUMERS, startCluster, startMarketplace, type RunningMarketplace } from '@bdbazar/all-in-one';
import { loadConfig, silentLogger, type Config, type Logger } from '@bdbazar/shared-kernel';
import { unroutedName } from '@bdbazar/shared-kernel/messaging/rabbitmq/topology';
import { databaseOf, recreateDatabase, withDatabase } from '../eventStoreBench/postgres';
import { countAsServer } from './load';

export interface BenchMarketplace {
  url: string;
  config: Config;
  /** The database it runs on (event store and read models). */
  database: string;
  /** Its connection string. */
  databaseUrl: string;
  /** The modules, for what only a CLI may do (creating an admin) and for what a bench must wait on. */
  marketplace: RunningMarketplace;
  /** Where integration events go: 'in-process bus' or the broker, exchange and queues. */
  bus: string;
  /** The projections service's process when it runs apart (its CPU time counts as the server's). */
  projectionsPid: number | null;
  /** How the app runs: 'in this process', or over HTTP workers (a description for the report). */
  processes: string;
  stop(): Promise<void>;
}

export interface BenchMarketplaceOptions {
  /** The server to create the fresh database on (any database of it; its name prefixes ours). */
  postgresUrl: string;
  bcryptCost: number;
  /** Login attempts allowed per client address in 15 minutes (BDBAZAR_LOGIN_ATTEMPTS_PER_ADDRESS). */
  loginAttemptsPerAddress: number;
  /** Silent unless given (the run is measured with LOG_LEVEL silent; a logger helps find why requests fail). */
  logger?: Logger;
  /** Names the database (`<database>_<bench>_<random>`) and the data directory; 'http' unless given. */
  bench?: string;
  /** Integration events through this RabbitMQ instead of the in-process bus. */
  rabbitmqUrl?: string;
  /**
   * The projections service (projectors and outbox relay) as a process of its own, as deployed
   * (`node projections/dist/main.js`, needs `rabbitmqUrl`); otherwise inside the marketplace's process.
   */
  projectionsProcess?: boolean;
  /**
   * HTTP worker processes sharing the port, as `npm start` runs with BDBAZAR_HTTP_WORKERS (this
   * process is the cluster's primary: projectors, relay, consumers; the workers' CPU time counts
   * as the server's). Default: BDBAZAR_BENCH_HTTP_WORKERS, or 1 (one process).
   */
  httpWorkers?: number;
}

/** A running projections service process: its pid (for its CPU time) and how to stop it. */
interface ProjectionsProcess {
  pid: number;
  stop(): Promise<void>;
}

/** Starts `projections/dist/main.js` with these settings and waits until every projector runs. */
async function startProjectionsProcess(env: Record<string, string>, databaseUrl: string): Promise<ProjectionsProcess> {
  const main = path.resolve(__dirname, '..', '..', '..', 'projections', 'dist', 'main.js');
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`The projections process exited with code ${child.exitCode}: ${stderr}`);
      const { rows } = await db
        // each projector's live generation is set up (its tables made), so its worker runs
        .query<{ live: string }>(`select count(*)::text as live from bdbazar.projector_generations where live_generation is not null`)
        .catch(() => ({ rows: [{ live: '0' }] }));
      if (Number(rows[0]?.live) >= 4) break;
      if (Date.now() > deadline) throw new Error(`The projections process did not set up its projectors within 60 s: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    await db.end();
  }
  return { pid: child.pid!, stop };
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

export async function startBenchMarketplace(options: BenchMarketplaceOptions): Promise<BenchMarketplace> {
  const bench = options.bench ?? 'http';
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
    // As the API tests start it (all-in-one/test/marketplaceHarness.ts), but at a production bcrypt
    // cost and without response validation (off in production: it costs).
    if (options.projectionsProcess && !options.rabbitmqUrl) throw new Error('A projections process of its own needs RabbitMQ (BDBAZAR_BENCH_RABBITMQ_URL).');
    const env: Record<string, string> = {
        PORT: '0',
        BDBAZAR_DATA_DIR: dataDir,
        BDBAZAR_EVENT_STORE: 'postgres',
        BDBAZAR_EVENT_STORE_URL: url,
        BDBAZAR_READ_MODEL_URL: url,
        BDBAZAR_BCRYPT_COST: String(options.bcryptCost),
        BDBAZAR_LOGIN_ATTEMPTS_PER_ADDRESS: String(options.loginAttemptsPerAddress),
        LOG_LEVEL: 'silent',
        BDBAZAR_HTTP_WORKERS: String(options.httpWorkers ?? (Number(process.env['BDBAZAR_BENCH_HTTP_WORKERS'] ?? '1') || 1)),
        ...(options.rabbitmqUrl ? { BDBAZAR_RABBITMQ_URL: options.rabbitmqUrl, BDBAZAR_RABBITMQ_EXCHANGE: exchange, BDBAZAR_RABBITMQ_QUEUE_PREFIX: queuePrefix } : {}),
    };
    const config = loadConfig(env, { dotenv: false });
    const logger = options.logger ?? silentLogger();

    if (config.BDBAZAR_HTTP_WORKERS > 1 && options.projectionsProcess) throw new Error('HTTP workers and a projections process of its own are two topologies; choose one.');
    const cluster = config.BDBAZAR_HTTP_WORKERS > 1 ? await startCluster(config, logger, { env }) : null;
    if (cluster) countAsServer(() => cluster.workerPids());
    const market = cluster ?? (await startMarketplace(config, logger, { validateResponses: false, projections: !options.projectionsProcess }));
    // After the marketplace: its consumers' queues exist before the relay publishes anything.
    const projections = options.projectionsProcess ? await startProjectionsProcess(env, url).catch(async (error: unknown) => {
      await market.stop();
      throw error;
    }) : null;
    return {
      projectionsPid: projections?.pid ?? null,
      processes: cluster
        ? `${config.BDBAZAR_HTTP_WORKERS} HTTP worker processes sharing the port (BDBAZAR_HTTP_WORKERS), this process their primary (their CPU counts as the server's; event loop: the primary's)`
        : 'in this process',
      url: market.url,
      config,
      database,
      databaseUrl: url,
      marketplace: market,
      bus: options.rabbitmqUrl ? `RabbitMQ at ${new URL(options.rabbitmqUrl).host} (exchange ${exchange}, queues ${queuePrefix}*)` : 'in-process bus',
      stop: async () => {
        try {
          await projections?.stop();
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
