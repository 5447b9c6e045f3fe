// Shared pieces for benchmark scripts. Each benchmark is its own script (its own process, so peak
// memory is its own) and reports rows with report(); scripts/bench.ts runs them all and prints tables.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * A module of the built code (dist/, made by buildDist()), as the agent runs it: measured under tsx,
 * the TypeScript sources ran about a third slower than the same code built.
 */
export const built = <T>(file: string): Promise<T> => import(new URL(`../../dist/${file}`, import.meta.url).href) as Promise<T>;
/** Linux's USER_HZ, the unit of utime and stime in /proc/<pid>/stat (fixed by its ABI). */
const CLOCK_TICKS = 100;

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

/**
 * Runs `dropwise task NAME` as a person or the scheduler runs it: `node dist/cli.js`, plain Node on the
 * built code, so what it measures is the agent's own, not a TypeScript loader's. Samples the process's
 * peak RSS (VmHWM) and CPU time from /proc until it exits (NaN where /proc is not there).
 */
export async function runCliTask(configFile: string, name: string, nodeFlags: readonly string[] = []): Promise<{ peakRssMb: number; cpuSeconds: number }> {
  const task = spawn(process.execPath, [...nodeFlags, CLI, 'task', name, '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  task.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let peakKb = Number.NaN;
  let ticks = Number.NaN;
  const sample = setInterval(() => {
    try {
      // Gone from the files once the process has exited (a zombie has no memory): keep the last values.
      const kb = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${task.pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) peakKb = Number(kb);
      // utime and stime are the 12th and 13th fields after the ")" that ends the command name.
      const stat = fs.readFileSync(`/proc/${task.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks = Number(fields[11]) + Number(fields[12]);
    } catch {
      // Exited between two samples: the last values read stand.
    }
  }, 20);
  const [code] = (await once(task, 'exit')) as [number | null];
  clearInterval(sample);
  if (code !== 0) throw new Error(`dropwise task ${name} exited with ${code}:\n${output}`);
  return { peakRssMb: round(peakKb / 1024, 1), cpuSeconds: round(ticks / CLOCK_TICKS, 1) };
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
