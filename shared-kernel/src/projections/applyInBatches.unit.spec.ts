import { Subject, lastValueFrom } from 'rxjs';
import { applyInBatches } from './applyInBatches';

/** An apply that records its batches and finishes each only when released. */
function heldApply() {
  const batches: number[][] = [];
  const releases: Array<(error?: Error) => void> = [];
  const apply = (batch: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(batch);
      releases.push((error) => (error ? reject(error) : resolve()));
    });
  return { apply, batches, release: (error?: Error) => releases.shift()!(error) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A source piped through applyInBatches onto a held apply; `done` settles when the pipeline does. */
function batching(options: { maxBatchSize: number; maxDelayMs: number }) {
  const source = new Subject<number>();
  const held = heldApply();
  const done = lastValueFrom(source.pipe(applyInBatches(held.apply, options)), { defaultValue: 'done' });
  /** Completes the source, releases the last batch and expects the pipeline to complete. */
  const finish = async () => {
    source.complete();
    held.release();
    await expect(done).resolves.toBe('done');
  };
  return { source, held, done, finish };
}

describe('applying in batches', () => {
  it('gathers everything that arrives while a batch is applied into the next batch, one batch at a time', async () => {
    const { source, held, finish } = batching({ maxBatchSize: 100, maxDelayMs: 1 });

    source.next(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(held.batches).toEqual([[1]]);
    for (let n = 2; n <= 40; n++) source.next(n); // all while [1] is being applied
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(held.batches).toEqual([[1]]); // never two at once

    held.release();
    await tick();
    expect(held.batches).toEqual([[1], Array.from({ length: 39 }, (_, i) => i + 2)]);
    await finish();
  });

  it('lets a lone item wait up to maxDelayMs for company, and splits at maxBatchSize', async () => {
    const { source, held, finish } = batching({ maxBatchSize: 3, maxDelayMs: 500 });

    source.next(1);
    source.next(2);
    await tick();
    expect(held.batches).toEqual([]); // waiting for company
    source.next(3); // the batch is full: at once
    expect(held.batches).toEqual([[1, 2, 3]]);
    [4, 5, 6, 7].forEach((n) => source.next(n));
    held.release();
    await tick();
    expect(held.batches).toEqual([[1, 2, 3], [4, 5, 6]]);
    held.release();
    await tick();
    expect(held.batches).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    await finish();
  });

  it('completes only after the last batch is applied', async () => {
    const { source, held, done: pipeline } = batching({ maxBatchSize: 10, maxDelayMs: 1 });
    let completed = false;
    const done = pipeline.then(() => (completed = true));

    source.next(1);
    source.complete();
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(held.batches).toEqual([[1]]);
    expect(completed).toBe(false);
    held.release();
    await done;
    expect(completed).toBe(true);
  });

  it('fails with the first error of apply and applies nothing after it', async () => {
    const { source, held, done } = batching({ maxBatchSize: 10, maxDelayMs: 1 });

    source.next(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    source.next(2);
    held.release(new Error('the transaction failed'));
    await expect(done).rejects.toThrow('the transaction failed');
    source.next(3);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(held.batches).toEqual([[1]]);
  });
});
