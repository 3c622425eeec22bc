/**
 * The payment deadlines table under load: concurrent schedules and clears share statements,
 * every row still written or deleted, a failed batch failing each of its callers. On PostgreSQL
 * and on PGlite.
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '@bdbazar/shared-kernel';
import { describeWithServer, requireServerUrl, uniqueSchema } from '../../../../test/servers';
import { migratePaymentDeadlines, paymentDeadlinesTable, type PaymentDeadline, type PaymentDeadlines } from './paymentDeadlines';

const due = (n: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, 0) + n * 1_000).toISOString();

/** The deadlines statements this knex sends from now on. */
function watchStatements(db: Database, schema: string) {
  const seen: Array<{ sql: string; bindings: unknown[] }> = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => {
    if (query.sql.includes(`"${schema}".payment_deadlines`)) seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  };
  db.knex.on('query', listener);
  return {
    inserts: () => seen.filter((q) => /\binsert into\b/i.test(q.sql)),
    deletes: () => seen.filter((q) => /\bdelete from\b/i.test(q.sql)),
    stop: () => db.knex.removeListener('query', listener),
  };
}

/** The synchronous_commit a statement leaves in its transaction (replayed, then rolled back). */
async function commitModeOf(db: Database, statement: { sql: string; bindings: unknown[] }): Promise<string | undefined> {
  const trx = await db.knex.transaction();
  try {
    await trx.raw(statement.sql.replace(/\$\d+/g, '?'), statement.bindings as never[]);
    return ((await trx.raw('show synchronous_commit')) as { rows: Array<{ synchronous_commit: string }> }).rows[0]?.synchronous_commit;
  } finally {
    await trx.rollback();
  }
}

function deadlinesSuite(open: () => Promise<Database>): void {
  let db: Database;
  let schema: string;
  let deadlines: PaymentDeadlines;
  let statements: ReturnType<typeof watchStatements>;

  beforeAll(async () => {
    db = await open();
  });

  beforeEach(async () => {
    schema = uniqueSchema('deadlines');
    await migratePaymentDeadlines(db.knex, schema);
    deadlines = paymentDeadlinesTable(db, schema);
    statements = watchStatements(db, schema);
  });

  afterEach(async () => {
    statements.stop();
    await db.knex.raw(`drop schema if exists "${schema}" cascade`);
  });

  afterAll(async () => {
    await db.close();
  });

  /** The next `insert` or `delete` statement on this schema's table fails (a sequence is not rolled back with it). */
  const failFirst = async (operation: 'insert' | 'delete') => {
    await db.knex.raw(`create sequence "${schema}".statements`);
    await db.knex.raw(`create function "${schema}".fail_first() returns trigger language plpgsql as $$
      begin
        if nextval('"${schema}".statements') = 1 then raise exception 'injected deadline failure'; end if;
        return null;
      end $$`);
    await db.knex.raw(`create trigger fail_first before ${operation} on "${schema}".payment_deadlines for each statement execute function "${schema}".fail_first()`);
  };

  const rows = async (): Promise<Record<string, string>> => {
    const found = await db.knex.withSchema(schema).table('payment_deadlines').select<Array<{ order_id: string; due_at: Date | string }>>('order_id', 'due_at');
    return Object.fromEntries(found.map((row) => [row.order_id, new Date(row.due_at).toISOString()]));
  };

  it('writes the deadlines of many concurrent checkouts with one or few inserts, durably', async () => {
    // 100 checkouts of 1 to 3 orders each, all at once.
    const checkouts: PaymentDeadline[][] = Array.from({ length: 100 }, (_, n) => Array.from({ length: 1 + (n % 3) }, () => ({ orderId: randomUUID(), dueAt: due(n) })));

    await Promise.all(checkouts.map((orders) => deadlines.schedule(orders)));

    expect(await rows()).toEqual(Object.fromEntries(checkouts.flat().map((d) => [d.orderId, d.dueAt])));
    expect(statements.inserts().length).toBeGreaterThanOrEqual(1);
    expect(statements.inserts().length).toBeLessThanOrEqual(3);
    expect(await commitModeOf(db, statements.inserts()[0]!)).toBe('on');
  });

  it('keeps a deadline already there, and of two schedules of one order in one batch the first', async () => {
    const [kept, twice, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    await deadlines.schedule([{ orderId: kept, dueAt: due(1) }]);

    await Promise.all([
      deadlines.schedule([{ orderId: kept, dueAt: due(99) }]),
      deadlines.schedule([{ orderId: twice, dueAt: due(2) }, { orderId: fresh, dueAt: due(3) }]),
      deadlines.schedule([{ orderId: twice, dueAt: due(98) }]),
      deadlines.schedule([]),
    ]);

    expect(await rows()).toEqual({ [kept]: due(1), [twice]: due(2), [fresh]: due(3) });
    expect(statements.inserts()).toHaveLength(2);
  });

  it('clears the deadlines of many orders in one tick with one delete, committed asynchronously', async () => {
    const orders = Array.from({ length: 60 }, (_, n) => ({ orderId: randomUUID(), dueAt: due(n) }));
    await deadlines.schedule(orders);
    const cleared = orders.slice(0, 50);

    await Promise.all(cleared.map((d) => deadlines.clear(d.orderId)));

    expect(await rows()).toEqual(Object.fromEntries(orders.slice(50).map((d) => [d.orderId, d.dueAt])));
    expect(statements.deletes()).toHaveLength(1);
    expect(await commitModeOf(db, statements.deletes()[0]!)).toBe('off');
  });

  it('rejects every schedule of a failed batch, and writes the next one', async () => {
    await failFirst('insert');
    const checkouts = Array.from({ length: 10 }, (_, n) => [{ orderId: randomUUID(), dueAt: due(n) }]);

    const outcomes = await Promise.allSettled(checkouts.map((orders) => deadlines.schedule(orders)));

    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : o.status))).toEqual(checkouts.map(() => expect.stringContaining('injected deadline failure')));
    expect(await rows()).toEqual({});
    await Promise.all(checkouts.map((orders) => deadlines.schedule(orders)));
    expect(await rows()).toEqual(Object.fromEntries(checkouts.flat().map((d) => [d.orderId, d.dueAt])));
  });

  it('rejects every clear of a failed batch, and deletes on the next one', async () => {
    const orders = Array.from({ length: 10 }, (_, n) => ({ orderId: randomUUID(), dueAt: due(n) }));
    await deadlines.schedule(orders);
    await failFirst('delete');

    const outcomes = await Promise.allSettled(orders.map((d) => deadlines.clear(d.orderId)));

    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : o.status))).toEqual(orders.map(() => expect.stringContaining('injected deadline failure')));
    expect(Object.keys(await rows())).toHaveLength(10);
    await Promise.all(orders.map((d) => deadlines.clear(d.orderId)));
    expect(await rows()).toEqual({});
  });
}

describeWithServer('postgres', 'the payment deadlines table, on PostgreSQL', () => {
  deadlinesSuite(() => openDatabase({ kind: 'postgres', connectionString: requireServerUrl('postgres') }));
});

describe('the payment deadlines table, on PGlite', () => {
  deadlinesSuite(() => openDatabase({ kind: 'pglite' }));
});
