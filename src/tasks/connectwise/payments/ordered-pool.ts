// Bounded concurrency with results in input order: up to `concurrency` items are worked on at once, and
// results are handed to `emit` strictly in input order. Only a window of items is held (the ones in
// flight and the finished ones waiting for a slower one before them), never the whole input, and the
// source is not read further while the window is full.
import { Limiter } from '../../../async/limiter.js';

export interface OrderedPoolOptions {
  concurrency: number;
  /** Most items between the oldest not yet emitted and the newest taken; at least `concurrency`. */
  window: number;
  /** When aborted, no further item is started; those started are finished and emitted. */
  signal?: AbortSignal;
}

/** The result of an item taken into the window but not started before the signal aborted. */
const NOT_STARTED = Symbol('not started');

interface Pending<T, R> {
  item: T;
  result: Promise<R | typeof NOT_STARTED>;
  settled: boolean;
}

/**
 * Works through `source` and emits every result in order. Returns whether it stopped early because the
 * signal was aborted. If `work` or `emit` throws, the items in flight are let finish and the error is
 * thrown.
 */
export async function runOrdered<T, R>(
  source: AsyncIterable<T>,
  options: OrderedPoolOptions,
  work: (item: T) => Promise<R>,
  emit: (item: T, result: R) => Promise<void>,
): Promise<{ stopped: boolean }> {
  const slots = new Limiter(Math.max(1, options.concurrency));
  const windowSize = Math.max(options.window, options.concurrency, 1);
  const pending: Pending<T, R>[] = [];
  let stopped = false;
  let skipping = false;
  const emitHead = async () => {
    const head = pending.shift() as Pending<T, R>;
    const result = await head.result;
    // Items start in input order, so once one was not started, none after it was either.
    if (result === NOT_STARTED) skipping = stopped = true;
    else if (!skipping) await emit(head.item, result);
  };
  try {
    for await (const item of source) {
      if (options.signal?.aborted) {
        stopped = true;
        break;
      }
      const entry: Pending<T, R> = { item, result: slots.run<R | typeof NOT_STARTED>(() => (options.signal?.aborted ? Promise.resolve(NOT_STARTED) : work(item))), settled: false };
      // Observed at once so a failure waiting behind a slow item is not an unhandled rejection.
      entry.result.then(
        () => (entry.settled = true),
        () => (entry.settled = true),
      );
      pending.push(entry);
      // Finished items at the head go out at once; a full window waits for its oldest item.
      while (pending.length >= windowSize || pending[0]?.settled) await emitHead();
    }
    while (pending.length > 0) await emitHead();
  } catch (err) {
    await Promise.allSettled(pending.map((p) => p.result));
    throw err;
  }
  return { stopped };
}
