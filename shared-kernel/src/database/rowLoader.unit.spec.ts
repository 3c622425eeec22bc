import { createRowLoader } from './rowLoader';

interface Row {
  id: string;
  name: string;
}

/** A table of rows by id whose fetches are recorded; a fetch holding 'bad' fails, as PostgreSQL refuses a malformed uuid. */
function table(ids: string[]) {
  const fetches: string[][] = [];
  const fetch = async (keys: readonly string[]): Promise<Row[]> => {
    fetches.push([...keys]);
    await new Promise((resolve) => setImmediate(resolve));
    if (keys.includes('bad')) throw new Error('invalid input syntax for type uuid: "bad"');
    return keys.filter((key) => ids.includes(key)).map((id) => ({ id, name: `row ${id}` }));
  };
  return { fetch, fetches };
}

describe('a row loader', () => {
  it('answers a lone lookup at once, in a query of its own', async () => {
    const rows = table(['a']);
    const load = createRowLoader({ fetch: rows.fetch, keyOf: (row: Row) => row.id });

    await expect(load('a')).resolves.toEqual({ id: 'a', name: 'row a' });
    expect(rows.fetches).toEqual([['a']]);
  });

  it('gathers the lookups made while a query is in flight into one query, each caller getting its own row', async () => {
    const rows = table(['a', 'b', 'c', 'd']);
    const load = createRowLoader({ fetch: rows.fetch, keyOf: (row: Row) => row.id, maxConcurrentQueries: 1 });

    const answers = await Promise.all(['a', 'b', 'c', 'b', 'x', 'd'].map((key) => load(key)));

    expect(answers.map((row) => row?.name)).toEqual(['row a', 'row b', 'row c', 'row b', undefined, 'row d']);
    // the first at once; the rest, made meanwhile, together, each key asked for once
    expect(rows.fetches).toEqual([['a'], ['b', 'c', 'x', 'd']]);
  });

  it('fails only the lookup the database refuses, not the ones it shared a query with', async () => {
    const rows = table(['a', 'b']);
    const load = createRowLoader({ fetch: rows.fetch, keyOf: (row: Row) => row.id, maxConcurrentQueries: 1 });

    const outcomes = await Promise.allSettled(['a', 'b', 'bad', 'x'].map((key) => load(key)));

    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: { id: 'a', name: 'row a' } });
    expect(outcomes[1]).toEqual({ status: 'fulfilled', value: { id: 'b', name: 'row b' } });
    expect(outcomes[2]).toMatchObject({ status: 'rejected', reason: new Error('invalid input syntax for type uuid: "bad"') });
    expect(outcomes[3]).toEqual({ status: 'fulfilled', value: undefined });
    expect(rows.fetches).toEqual([['a'], ['b', 'bad', 'x'], ['b'], ['bad'], ['x']]);
  });

  it('reads each lookup from a query that starts after it was made', async () => {
    const store = new Map([['a', 'first']]);
    let queries = 0;
    const load = createRowLoader({
      fetch: async (keys: readonly string[]) => {
        queries += 1;
        // the values are read when the query starts
        const rows = keys.flatMap((id) => (store.has(id) ? [{ id, name: store.get(id)! }] : []));
        await new Promise((resolve) => setImmediate(resolve));
        return rows;
      },
      keyOf: (row: Row) => row.id,
      maxConcurrentQueries: 1,
    });

    const before = load('a');
    store.set('a', 'second'); // written while the first query is in flight
    const after = load('a');

    expect((await before)?.name).toBe('first');
    expect((await after)?.name).toBe('second');
    expect(queries).toBe(2);
  });
});
