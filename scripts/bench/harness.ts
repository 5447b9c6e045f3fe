// Shared pieces for benchmark scripts. Each benchmark is its own script (its own process, so peak
// memory is its own) and reports rows with report(); scripts/bench.ts runs them all and prints tables.
import { performance } from 'node:perf_hooks';

export interface BenchRow {
  /** The table this row belongs to. */
  bench: string;
  [column: string]: string | number;
}

export const RESULT_PREFIX = 'BENCH-RESULT ';

export function report(row: BenchRow): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(row)}\n`);
}

/** Samples RSS and heap while `fn` runs; returns its result, the time and the peaks (MB). */
export async function measure<T>(fn: () => Promise<T>, sampleMs = 20): Promise<{ result: T; seconds: number; peakRssMb: number; peakHeapMb: number }> {
  let peakRss = process.memoryUsage.rss();
  let peakHeap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, sampleMs);
  const t0 = performance.now();
  try {
    const result = await fn();
    const seconds = (performance.now() - t0) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { result, seconds, peakRssMb: round(peakRss / 2 ** 20, 1), peakHeapMb: round(peakHeap / 2 ** 20, 1) };
  } finally {
    clearInterval(timer);
  }
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
