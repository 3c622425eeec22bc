/**
 * Applies a stream's items in batches, one batch at a time. The items that arrive while a batch is
 * being applied wait and go together as the next one (up to `maxBatchSize`), so a consumer that
 * falls behind gets bigger batches, each costing one transaction, and catches up. (RxJS's
 * `bufferTime` + `concatMap` queues a small batch every few milliseconds instead: a projector whose
 * transaction took longer than that window fell further behind with every batch and never
 * recovered; bench:orders measured seconds of lag at 100 checkouts/s.) An item that arrives when
 * nothing is being applied waits up to `maxDelayMs` for company.
 *
 * The result emits nothing; it completes once the source completed and its last batch is applied,
 * and fails with the first error of the source or of `apply` (no batch is applied after it).
 */
import { Observable, type OperatorFunction } from 'rxjs';

export interface ApplyInBatchesOptions {
  maxBatchSize: number;
  maxDelayMs: number;
}

export function applyInBatches<T>(apply: (batch: T[]) => Promise<void>, options: ApplyInBatchesOptions): OperatorFunction<T, never> {
  const { maxBatchSize, maxDelayMs } = options;
  if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) throw new RangeError(`maxBatchSize must be a positive integer, not ${maxBatchSize}.`);
  return (source) =>
    new Observable<never>((subscriber) => {
      const pending: T[] = [];
      let applying = false;
      let sourceDone = false;
      let ended = false;
      let timer: NodeJS.Timeout | undefined;

      const fail = (error: unknown): void => {
        if (ended) return;
        ended = true;
        clearTimeout(timer);
        subscriber.error(error);
      };
      const applyNext = (): void => {
        if (applying || ended) return;
        clearTimeout(timer);
        timer = undefined;
        if (pending.length === 0) {
          if (sourceDone) {
            ended = true;
            subscriber.complete();
          }
          return;
        }
        applying = true;
        apply(pending.splice(0, maxBatchSize)).then(() => {
          applying = false;
          applyNext();
        }, fail);
      };

      const inner = source.subscribe({
        next: (item) => {
          pending.push(item);
          if (applying) return;
          if (pending.length >= maxBatchSize) applyNext();
          else timer ??= setTimeout(applyNext, maxDelayMs);
        },
        error: fail,
        complete: () => {
          sourceDone = true;
          applyNext();
        },
      });
      return () => {
        ended = true;
        clearTimeout(timer);
        inner.unsubscribe();
      };
    });
}
