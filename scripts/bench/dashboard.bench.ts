// The dashboard's reads at 90 days of history: 11,000 runs and 50,000 failed records in a local state
// store, then the runs page's queries and the failed-records search, timed (median of 20 answers).
// Goes through the StateStore interfaces only, so it measures whichever run-history storage is in place;
// "runs held" says how many of the 11,000 that storage kept.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStateStore } from '../../src/state/index.js';
import type { NewFailedRecord, StateStore } from '../../src/state/store.js';
import { report, round } from './harness.js';

const RUNS = 11_000;
const FAILED = 50_000;
const TASKS = ['nightly-invoices', 'hourly-batches', 'gl-export', 'traede-invoices'];
const RESULTS = ['success', 'success', 'success', 'partial', 'failed', 'empty'] as const;

async function median(fn: () => Promise<unknown>, times = 20): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return round(samples[Math.floor(times / 2)] as number, 2);
}

async function seed(store: StateStore): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < RUNS; start += 500) {
    const batch = [];
    for (let i = start; i < Math.min(RUNS, start + 500); i++) {
      const file = i % 3 === 0 ? `payments-${i}.xml` : undefined;
      batch.push(store.runs.start({ task: file ? 'connectwise.import-invoice-payments' : 'connectwise.export-invoices', trigger: file ? 'file' : 'schedule', ...(file ? { file } : { taskName: TASKS[i % TASKS.length] as string }) }));
    }
    const runs = await Promise.all(batch);
    await Promise.all(runs.map((r, k) => store.runs.finish(r.id, { result: RESULTS[(start + k) % RESULTS.length], recordsIn: 40, recordsOk: 38, recordsFailed: 2, outputs: [] })));
    ids.push(...runs.map((r) => r.id));
  }
  const imports = ids.filter((_, i) => i % 3 === 0);
  for (let start = 0; start < FAILED; start += 1000) {
    const records: NewFailedRecord[] = [];
    for (let i = start; i < start + 1000; i++) {
      const invoiceId = String(100_000 + i);
      records.push({
        runId: imports[i % imports.length] as string,
        task: 'connectwise.import-invoice-payments',
        file: `payments-${i % imports.length}.xml`,
        failFile: `/srv/dropwise/outbox/fail/payments-${i % imports.length}_fail.xml`,
        index: i % 40,
        record: `  <InvoicePayment>\n    <externalId>PAY-${i}</externalId>\n    <invoice>\n      <id>${invoiceId}</id>\n    </invoice>\n    <amount>10.00</amount>\n    <paymentDate>2026-01-05T00:00:00Z</paymentDate>\n  </InvoicePayment>\n`,
        invoiceId,
        externalId: `PAY-${i}`,
        errors: [{ code: i % 5 === 0 ? 'DW_RECORD_INVALID' : 'DW_CW_NOT_FOUND', message: `ConnectWise: Invoice recId ${invoiceId} not found`, field: 'invoice/id', httpStatus: 404 }],
      });
    }
    await store.failures.add(records);
  }
  await store.flush();
  return imports;
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dropwise-bench-dashboard-'));
try {
  const seeding = performance.now();
  const imports = await seed(openStateStore(dir));
  const seedSeconds = round((performance.now() - seeding) / 1000, 1);

  // A fresh store, as after a restart: the first answer includes reading the files.
  const store = openStateStore(dir);
  const t0 = performance.now();
  const held = (await store.runs.query({ limit: 1 })).total;
  const firstRunsMs = round(performance.now() - t0, 1);
  const t1 = performance.now();
  const failedHeld = (await store.failures.search({ limit: 1 })).total;
  const firstFailedMs = round(performance.now() - t1, 1);
  const since = new Date(Date.now() - 7 * 86_400_000).toISOString();

  const rows: [string, () => Promise<unknown>][] = [
    ['runs: newest page (50)', () => store.runs.query({ limit: 50 })],
    ['runs: page 100 (offset 4,950)', () => store.runs.query({ limit: 50, offset: 4950 })],
    ['runs: task + status filter', () => store.runs.query({ task: 'nightly-invoices', result: 'failed', limit: 50 })],
    ['runs: file name part + since', () => store.runs.query({ file: 'payments-9', since, limit: 50 })],
    ['runs: one run by id', () => store.runs.get(imports[17] as string)],
    ['failed: newest page (50)', () => store.failures.search({ limit: 50 })],
    ['failed: text, one invoice id', () => store.failures.search({ text: '149999', limit: 50 })],
    ['failed: text, externalId part', () => store.failures.search({ text: 'pay-4999', limit: 50 })],
    ['failed: code filter', () => store.failures.search({ code: 'DW_RECORD_INVALID', limit: 50 })],
    ['failed: one run’s records', () => store.failures.search({ runId: imports[5] as string, limit: 100_000 })],
  ];
  for (const [query, fn] of rows) report({ bench: 'dashboard queries (11,000 runs, 50,000 failed records)', query, medianMs: await median(fn) });
  report({ bench: 'dashboard state', 'runs held': held, 'failed records held': failedHeld, 'first runs answer (load) ms': firstRunsMs, 'failed index load ms (at agent start, in the background)': firstFailedMs, 'seeding s': seedSeconds });
  await store.close();
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}
