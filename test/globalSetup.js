/**
 * Finds the servers the integration and e2e tests talk to, once per run:
 *  1. a URL in the environment (BDBAZAR_TEST_POSTGRES_URL, ..._RABBITMQ_URL, ..._EVENTSTOREDB_URL);
 *  2. otherwise a container started by testcontainers, when a Docker engine answers;
 *  3. otherwise the tests of that server skip, printing the reason, unless BDBAZAR_TEST_REQUIRE
 *     (a comma list, or "all") names it: then the run fails here. CI requires postgres,rabbitmq.
 */
const SERVERS = {
  postgres: {
    env: 'BDBAZAR_TEST_POSTGRES_URL',
    async start(tc) {
      const container = await new tc.GenericContainer('postgres:16-alpine')
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
        .withExposedPorts(5432)
        .withWaitStrategy(tc.Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      return { container, url: `postgres://postgres@${container.getHost()}:${container.getMappedPort(5432)}/bdbazar_test` };
    },
  },
  rabbitmq: {
    env: 'BDBAZAR_TEST_RABBITMQ_URL',
    async start(tc) {
      const container = await new tc.GenericContainer('rabbitmq:3.13-alpine')
        .withExposedPorts(5672)
        .withWaitStrategy(tc.Wait.forLogMessage(/Server startup complete/))
        .start();
      return { container, url: `amqp://guest:guest@${container.getHost()}:${container.getMappedPort(5672)}` };
    },
  },
  eventstoredb: {
    env: 'BDBAZAR_TEST_EVENTSTOREDB_URL',
    async start(tc) {
      const container = await new tc.GenericContainer('eventstore/eventstore:24.10')
        .withEnvironment({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_RUN_PROJECTIONS: 'None', EVENTSTORE_MEM_DB: 'true' })
        .withExposedPorts(2113)
        .withWaitStrategy(tc.Wait.forHttp('/health/live', 2113).forStatusCode(204))
        .start();
      return { container, url: `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false` };
    },
  },
};

async function dockerEngineAnswers() {
  try {
    const tc = require('testcontainers');
    await tc.getContainerRuntimeClient();
    return tc;
  } catch (error) {
    return { reason: String(error && error.message ? error.message.split('\n')[0] : error) };
  }
}

async function ensurePostgresDatabase(url) {
  const { Client } = require('pg');
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    if (error.code !== '42P04') throw error; // created concurrently
  } finally {
    await client.end();
  }
}

module.exports = async function globalSetup() {
  if (globalThis.__bdbazarServers) return; // the integration and e2e projects share one setup
  globalThis.__bdbazarServers = [];
  const required = (process.env.BDBAZAR_TEST_REQUIRE || '').split(',').map((s) => s.trim()).filter(Boolean);
  let docker;
  for (const [name, server] of Object.entries(SERVERS)) {
    if (!process.env[server.env]) {
      docker ??= await dockerEngineAnswers();
      if (docker.GenericContainer) {
        const { container, url } = await server.start(docker);
        globalThis.__bdbazarServers.push(container);
        process.env[server.env] = url;
      } else {
        const reason = `${name}: ${server.env} is not set and no Docker engine answers for testcontainers (${docker.reason})`;
        if (required.includes(name) || required.includes('all')) {
          throw new Error(`${reason}; BDBAZAR_TEST_REQUIRE=${required.join(',')} says its tests must run.`);
        }
        process.env[`${server.env}_SKIP_REASON`] = reason;
        continue;
      }
    }
    if (name === 'postgres') await ensurePostgresDatabase(process.env[server.env]);
  }
};
