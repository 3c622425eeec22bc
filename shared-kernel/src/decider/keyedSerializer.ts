/**
 * Runs the work given for one key one after another, and for different keys side by side. A
 * service puts the commands of one stream through it, so that requests racing for a hot stream
 * (many orders reserving one product's stock) queue in the process instead of failing their
 * appends and retrying; writers in other processes are still caught by the expected revision.
 */
export type KeyedSerializer = <T>(key: string, work: () => Promise<T>) => Promise<T>;

export function createKeyedSerializer(): KeyedSerializer {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}
