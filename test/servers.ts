/**
 * The servers integration tests talk to, as found by test/globalSetup.js. A suite that needs one
 * is declared with `describeWithServer`: where the server is missing (and not required) the suite
 * is skipped and the reason printed; globalSetup has already failed the run if it was required.
 */
import { randomBytes } from 'node:crypto';

export type ServerKind = 'postgres' | 'rabbitmq' | 'eventstoredb';

const ENV: Record<ServerKind, string> = {
  postgres: 'BDBAZAR_TEST_POSTGRES_URL',
  rabbitmq: 'BDBAZAR_TEST_RABBITMQ_URL',
  eventstoredb: 'BDBAZAR_TEST_EVENTSTOREDB_URL',
};

export function serverUrl(kind: ServerKind): string | undefined {
  return process.env[ENV[kind]] || undefined;
}

export function requireServerUrl(kind: ServerKind): string {
  const url = serverUrl(kind);
  if (!url) throw new Error(`${ENV[kind]} is not set`);
  return url;
}

export function describeWithServer(kind: ServerKind, name: string, fn: () => void): void {
  if (serverUrl(kind)) {
    describe(name, fn);
    return;
  }
  const reason = process.env[`${ENV[kind]}_SKIP_REASON`] ?? `${ENV[kind]} is not set`;
  // Printed so that a skipped run says why; see test/globalSetup.js.
  console.warn(`SKIPPED "${name}": ${reason}`);
  describe.skip(name, fn);
}

/** A fresh schema name, so that test files never see each other's tables. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}
