// Shared pieces for benchmark scripts. Each benchmark is its own script (its own process, so peak
// memory is its own) and reports rows with report(); scripts/bench.ts runs them all and prints tables.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

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

/**
 * Runs `script` in `mode` in a child of its own (so its peak memory is its own). `ready` resolves with
 * its `READY <json>` line (servers), `done` with its `RESULT <json>` line (see say()) once it exits 0.
 */
export function benchChild(script: string, mode: string, args: string[]): { proc: ChildProcess; ready: Promise<Record<string, unknown>>; done: Promise<Record<string, unknown>> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', script, mode, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
  let result: Record<string, unknown> = {};
  let onReady: (value: Record<string, unknown>) => void = () => undefined;
  const ready = new Promise<Record<string, unknown>>((resolve) => (onReady = resolve));
  lines.on('line', (line) => {
    if (line.startsWith('READY ')) onReady(JSON.parse(line.slice(6)) as Record<string, unknown>);
    else if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7)) as Record<string, unknown>;
  });
  const done = new Promise<Record<string, unknown>>((resolve, reject) => {
    proc.on('exit', (code) => (code === 0 ? resolve(result) : reject(new Error(`${mode} child exited with ${code}`))));
  });
  const readyOrExit = Promise.race([ready, done.then(() => Promise.reject(new Error(`${mode} child exited before it was ready`)))]);
  // Measuring children never say READY: only servers' `ready` is awaited.
  readyOrExit.catch(() => undefined);
  return { proc, ready: readyOrExit, done };
}

/** A child's result, for its parent's benchChild(). */
export function say(result: Record<string, unknown>): void {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/** A process's peak resident memory (VmHWM), in MB (Linux). */
export function vmHwmMb(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return round(kb / 1024, 1);
}

/** A file's sha256, read a megabyte at a time (outputs of gigabytes). */
export function sha256(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(2 ** 20);
  try {
    for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}
