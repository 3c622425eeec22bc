/**
 * The registry's own decisions, over a driver that answers what the test says (the PostgreSQL
 * behaviour end to end is in test/postgresWakeups.int.spec.ts).
 */
import { GREETING_PREFIX, LISTENER_HEARTBEAT_MS, LISTENER_REREAD_MS, ListenerRegistry } from './listenerRegistry';
import type { SqlDriver } from './sqlDriver';

/** A driver whose queries are recorded; `failing` makes the next ones fail; `othersListen` answers the table read. */
function scriptedDriver() {
  const sent: string[] = [];
  const state = { failing: false, othersListen: false };
  const driver = {
    sharedWithOtherProcesses: true,
    concurrentQueries: 8,
    fieldsAreCostly: false,
    query: async (sql: string, params?: readonly unknown[]) => {
      if (state.failing) throw new Error('connection lost');
      sent.push(sql.includes('pg_notify') ? `notify ${String(params?.[1])}` : sql.includes('insert into') ? 'renew' : sql.includes('select exists') ? 'read' : sql);
      return (sql.includes('select exists') ? [{ others: state.othersListen }] : []) as never;
    },
  } as unknown as SqlDriver;
  return { driver, sent, state };
}

const flush = () => jest.advanceTimersByTimeAsync(0);
/** The registry of store `me` on schema `es`. */
const registryOver = (driver: SqlDriver) => new ListenerRegistry(driver, 'es', 'me');

describe('the listener registry', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('announces until it has read that no other store listens, then again once one greets', async () => {
    const { driver, state } = scriptedDriver();
    const registry = registryOver(driver);
    expect(registry.announcementsNeeded).toBe(true);
    registry.listening();
    await flush();
    expect(registry.announcementsNeeded).toBe(false);

    expect(registry.heard(`${GREETING_PREFIX}me`)).toBe(true);
    expect(registry.announcementsNeeded).toBe(false);
    expect(registry.heard('someone-committed')).toBe(false);
    state.othersListen = true;
    expect(registry.heard(`${GREETING_PREFIX}other`)).toBe(true);
    expect(registry.announcementsNeeded).toBe(true);
    // The next reading of the table finds the other one's row: still announcing.
    await jest.advanceTimersByTimeAsync(LISTENER_REREAD_MS);
    expect(registry.announcementsNeeded).toBe(true);

    // The other one leaves: the reading after that says so.
    state.othersListen = false;
    await jest.advanceTimersByTimeAsync(LISTENER_REREAD_MS);
    expect(registry.announcementsNeeded).toBe(false);
    await registry.close();
  });

  it('does not let a reading begun before a greeting undo it', async () => {
    const { driver } = scriptedDriver();
    const registry = registryOver(driver);
    registry.listening();
    registry.heard(`${GREETING_PREFIX}other`);
    await flush();
    expect(registry.announcementsNeeded).toBe(true);
    await registry.close();
  });

  it('announces again when its LISTEN connection is lost, or the table cannot be read', async () => {
    const { driver, state } = scriptedDriver();
    const registry = registryOver(driver);
    registry.listening();
    await flush();
    registry.deaf();
    expect(registry.announcementsNeeded).toBe(true);

    state.failing = true;
    registry.listening();
    await flush();
    expect(registry.announcementsNeeded).toBe(true);
    state.failing = false;
    await jest.advanceTimersByTimeAsync(LISTENER_REREAD_MS);
    expect(registry.announcementsNeeded).toBe(false);
    await registry.close();
  });

  it('greets when it joins, and again after a renewal failed', async () => {
    const { driver, sent, state } = scriptedDriver();
    const registry = registryOver(driver);
    await registry.join();
    await registry.join();
    expect(sent).toEqual(['renew', `notify ${GREETING_PREFIX}me`]);

    state.failing = true;
    await jest.advanceTimersByTimeAsync(LISTENER_HEARTBEAT_MS);
    state.failing = false;
    await jest.advanceTimersByTimeAsync(LISTENER_HEARTBEAT_MS);
    await jest.advanceTimersByTimeAsync(LISTENER_HEARTBEAT_MS);
    expect(sent).toEqual(['renew', `notify ${GREETING_PREFIX}me`, 'renew', `notify ${GREETING_PREFIX}me`, 'renew']);
    await registry.close();
    expect(sent.at(-1)).toContain('delete from es.listeners');
  });
});
