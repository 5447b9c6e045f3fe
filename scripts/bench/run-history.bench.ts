// The run history at 90 days of the example config's schedules (~11,000 runs): the cost of one run's
// writes (start + finish) in the day-file store, next to the lowdb store it replaced (one runs.json
// rewritten whole on every write; its 2,000-run cap lifted so it holds the same history), measured in
// the same process; and the cost of a query and of the first read. Each is the median of ROUNDS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { dayOf, runLine } from '../../src/state/run-day-file.js';
import { JsonDocument } from '../../src/state/json-document.js';
import { DailyRunHistory, RUNS_DIR } from '../../src/state/run-history.js';
import type { RunHistory, RunRecord } from '../../src/state/store.js';
import { report, round } from './harness.js';

const RUNS = Number(process.env['BENCH_HISTORY_RUNS'] ?? 11_000);
const ROUNDS = Number(process.env['BENCH_HISTORY_ROUNDS'] ?? 15);
const DAYS = 90;
const TABLE = `Run history at ${RUNS.toLocaleString('en')} runs (${DAYS} days; median of ${ROUNDS})`;

const TASKS = [
  ['connectwise.import-invoice-payments', undefined],
  ['connectwise.export-invoices', 'nightly-invoices'],
  ['connectwise.export-gl-batch', 'gl-hourly'],
  ['traede.export-invoices', 'traede-invoices'],
] as const;

/** A history like the example config's: runs spread evenly over 90 days, some failed or partial. */
function history(): RunRecord[] {
  const end = Date.now();
  const step = (DAYS * 86_400_000) / RUNS;
  return Array.from({ length: RUNS }, (_, i) => {
    const [task, taskName] = TASKS[i % TASKS.length] as (typeof TASKS)[number];
    const startedAt = new Date(end - (RUNS - i) * step).toISOString();
    const result = i % 17 === 0 ? 'failed' : i % 11 === 0 ? 'partial' : 'success';
    return {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      task,
      ...(taskName ? { taskName, taskKey: taskName } : { file: `Receipts-${i}.xml`, taskKey: `${task}@main#a1b2c3` }),
      connection: 'main',
      trigger: taskName ? 'schedule' : 'file',
      startedAt,
      endedAt: startedAt,
      recordsIn: 40,
      recordsOk: result === 'success' ? 40 : 35,
      recordsFailed: result === 'success' ? 0 : 5,
      result,
      ...(result === 'failed' ? { error: { code: 'DW_CW_UNAVAILABLE', message: 'ConnectWise answered 503 Service Unavailable for GET /finance/invoices' } } : {}),
      outputs: [`/srv/dropwise/outbox/success/${taskName ?? 'Receipts'}-${i}.xml`],
      ...(task === 'connectwise.export-gl-batch' ? { details: { glEntryIdCount: 1200, glEntryIdsFile: `/srv/dropwise/state/gl-entry-ids/${i}.txt` } } : {}),
    };
  });
}

/** The store this one replaced, as it was (src/state/run-history.ts before day files), without its cap. */
class LowdbRunHistory {
  readonly doc: JsonDocument<{ runs: RunRecord[] }>;
  constructor(file: string) {
    this.doc = new JsonDocument<{ runs: RunRecord[] }>(file, { runs: [] });
  }
  async start(run: Pick<RunRecord, 'task' | 'trigger'>): Promise<RunRecord> {
    const data = await this.doc.data();
    const record: RunRecord = { id: `r${data.runs.length}`, ...run, startedAt: new Date().toISOString(), recordsIn: 0, recordsOk: 0, recordsFailed: 0, result: 'running', outputs: [] };
    data.runs.push(record);
    this.doc.touch();
    return record;
  }
  async finish(id: string, outcome: Partial<RunRecord>): Promise<void> {
    const run = (await this.doc.data()).runs.find((r) => r.id === id);
    if (run) Object.assign(run, { endedAt: new Date().toISOString() }, outcome);
    await this.doc.save();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function rounds(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) times.push(await timed(fn));
  return median(times);
}

const oneRun = (store: Pick<RunHistory, 'start' | 'finish'> | LowdbRunHistory) => async () => {
  const run = await store.start({ task: 'connectwise.import-invoice-payments', trigger: 'file' });
  await store.finish(run.id, { result: 'success', recordsIn: 40, recordsOk: 40, outputs: ['/srv/dropwise/outbox/success/Receipts_success.xml'] });
};

const runs = history();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-history-bench-'));
try {
  // The day-file store, seeded as 90 days of its own writes would leave it.
  const dayDir = path.join(root, 'days');
  fs.mkdirSync(path.join(dayDir, RUNS_DIR), { recursive: true });
  const byDay = new Map<string, string[]>();
  for (const run of runs) {
    const { endedAt, recordsIn, recordsOk, recordsFailed, result, outputs, error, details, ...started } = run;
    const finish = { id: run.id, endedAt, recordsIn, recordsOk, recordsFailed, result, outputs, ...(error ? { error } : {}), ...(details ? { details } : {}) };
    const start = { ...started, recordsIn: 0, recordsOk: 0, recordsFailed: 0, result: 'running' as const, outputs: [] };
    byDay.set(dayOf(run), [...(byDay.get(dayOf(run)) ?? []), runLine({ start }), runLine({ finish })]);
  }
  for (const [day, lines] of byDay) fs.writeFileSync(path.join(dayDir, RUNS_DIR, `${day}.jsonl`), lines.join(''));

  // The lowdb store with the same runs in one runs.json, as lowdb writes it.
  const lowFile = path.join(root, 'lowdb', 'runs.json');
  fs.mkdirSync(path.dirname(lowFile));
  fs.writeFileSync(lowFile, JSON.stringify({ runs }, null, 2));

  const firstRead = await timed(() => new DailyRunHistory(dayDir).recent(20));
  const days = new DailyRunHistory(dayDir, { keepDays: DAYS + 1 });
  const low = new LowdbRunHistory(lowFile);
  const lowFirstRead = await timed(() => low.doc.data());
  await oneRun(days)();
  await oneRun(low)();

  const dayWrite = await rounds(oneRun(days));
  const lowWrite = await rounds(oneRun(low));
  const bytes = (dir: string) => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  const row = (store: string, what: string, ms: number, extra: Record<string, string | number> = {}) => report({ bench: TABLE, store, measure: what, ms: round(ms, 2), ...extra });

  row('day files (state/runs/*.jsonl)', 'one run written (start + finish)', dayWrite, { 'ratio to lowdb': round(dayWrite / lowWrite, 3), 'on disk MB': round(bytes(path.join(dayDir, RUNS_DIR)) / 2 ** 20, 1) });
  row('lowdb (runs.json, before)', 'one run written (start + finish)', lowWrite, { 'ratio to lowdb': 1, 'on disk MB': round(fs.statSync(lowFile).size / 2 ** 20, 1) });
  row('day files (state/runs/*.jsonl)', 'first read of the whole history', firstRead);
  row('lowdb (runs.json, before)', 'first read of the whole history', lowFirstRead);
  const queries: [string, Parameters<RunHistory['query']>[0]][] = [
    ['query: newest page of 50', { limit: 50 }],
    ['query: one task, failed or partial, page 3', { task: 'connectwise.export-invoices', result: ['failed', 'partial'], limit: 20, offset: 40 }],
    ['query: since 7 days, file name part', { since: new Date(Date.now() - 7 * 86_400_000).toISOString(), file: 'receipts-10' }],
  ];
  for (const [what, q] of queries) {
    const page = await days.query(q);
    row('day files (state/runs/*.jsonl)', `${what} (${page.total} match)`, await rounds(() => days.query(q)));
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
