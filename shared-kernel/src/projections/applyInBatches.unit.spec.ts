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

describe('applying in batches', () => {
  it('gathers everything that arrives while a batch is applied into the next batch, one batch at a time', async () => {
    const source = new Subject<number>();
    const held = heldApply();
    const done = lastValueFrom(source.pipe(applyInBatches(held.apply, { maxBatchSize: 100, maxDelayMs: 1 })), { defaultValue: 'done' });

    source.next(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(held.batches).toEqual([[1]]);
    for (let n = 2; n <= 40; n++) source.next(n); // all while [1] is being applied
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(held.batches).toEqual([[1]]); // never two at once

    held.release();
    await tick();
    expect(held.batches).toEqual([[1], Array.from({ length: 39 }, (_, i) => i + 2)]);
    source.complete();
    held.release();
    await expect(done).resolves.toBe('done');
  });

  it('lets a lone item wait up to maxDelayMs for company, and splits at maxBatchSize', async () => {
    const source = new Subject<number>();
    const held = heldApply();
    const done = lastValueFrom(source.pipe(applyInBatches(held.apply, { maxBatchSize: 3, maxDelayMs: 500 })), { defaultValue: 'done' });

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
    source.complete();
    held.release();
    await expect(done).resolves.toBe('done');
  });

  it('completes only after the last batch is applied', async () => {
    const source = new Subject<number>();
    const held = heldApply();
    let completed = false;
    const done = lastValueFrom(source.pipe(applyInBatches(held.apply, { maxBatchSize: 10, maxDelayMs: 1 })), { defaultValue: 'done' }).then(() => (completed = true));

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
    const source = new Subject<number>();
    const held = heldApply();
    const done = lastValueFrom(source.pipe(applyInBatches(held.apply, { maxBatchSize: 10, maxDelayMs: 1 })));

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
