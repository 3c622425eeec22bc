import { createKeyedSerializer } from './keyedSerializer';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the keyed serializer', () => {
  it('runs the work of one key one at a time, in order, and of different keys side by side', async () => {
    const serialized = createKeyedSerializer();
    const log: string[] = [];
    const job = (key: string, name: string) =>
      serialized(key, async () => {
        log.push(`${name} start`);
        await tick();
        await tick();
        log.push(`${name} end`);
        return name;
      });
    const results = await Promise.all([job('a', 'a1'), job('a', 'a2'), job('b', 'b1')]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    const at = (entry: string) => log.indexOf(entry);
    expect(at('a2 start')).toBeGreaterThan(at('a1 end'));
    expect(at('b1 start')).toBeLessThan(at('a1 end'));
    expect(log).toHaveLength(6);
  });

  it('goes on with the next work after one fails, and hands each caller its own outcome', async () => {
    const serialized = createKeyedSerializer();
    const failing = serialized('k', () => Promise.reject(new Error('no')));
    const next = serialized('k', () => Promise.resolve('yes'));
    await expect(failing).rejects.toThrow('no');
    await expect(next).resolves.toBe('yes');
  });
});
