/**
 * The PostgreSQL driver prepares the store's statements once per connection (named by their text),
 * and prepares no more than a bounded number of distinct texts, so that a caller sending ever new
 * texts cannot grow the server's sessions without limit.
 */
import { Pool } from 'pg';
import { describeWithServer, requireServerUrl } from '../../test/servers';
import { createPgDriver } from '../src/eventStore/sql/pgDriver';

describeWithServer('postgres', 'the PostgreSQL driver', () => {
  let pool: Pool;

  beforeEach(() => {
    // one connection, so that every query runs in the session whose prepared statements we read
    pool = new Pool({ connectionString: requireServerUrl('postgres'), max: 1 });
  });

  afterEach(async () => {
    await pool.end();
  });

  const preparedInSession = async (): Promise<string[]> =>
    (await pool.query<{ name: string }>(`select name from pg_prepared_statements where name like 'bdbazar_es_%' order by name`)).rows.map((row) => row.name);

  it('prepares a statement once per connection and runs it again by name, with each call its own parameters', async () => {
    const driver = createPgDriver({ pool });
    const sql = 'select $1::int + 1 as next';

    const answers = [];
    for (const n of [1, 2, 3]) answers.push(await driver.query<{ next: number }>(sql, [n]));

    expect(answers.map(([row]) => row?.next)).toEqual([2, 3, 4]);
    expect(await preparedInSession()).toHaveLength(1);
    expect(await driver.queryArrays<[number]>(sql, [41])).toEqual([[42]]);
    expect(await preparedInSession()).toHaveLength(1);
    await driver.close();
  });

  it('gives one text the same name in drivers sharing a pool, and another text another name', async () => {
    const first = createPgDriver({ pool });
    const second = createPgDriver({ pool });

    await first.query('select $1::text as a', ['x']);
    await second.query('select $1::text as a', ['y']);
    expect(await preparedInSession()).toHaveLength(1);
    await second.query('select $1::text as b', ['z']);
    expect(await preparedInSession()).toHaveLength(2);
    await first.close();
    await second.close();
  });

  it('sends texts past its bound unnamed, and they still answer', async () => {
    const driver = createPgDriver({ pool });

    const answers: unknown[] = [];
    for (let n = 0; n < 120; n++) answers.push((await driver.query<{ n: number }>(`select $1::int as n, ${n} as text_${n}`, [n]))[0]?.n);

    expect(answers).toEqual(Array.from({ length: 120 }, (_, n) => n));
    expect(await preparedInSession()).toHaveLength(100);
    await driver.close();
  });
});
