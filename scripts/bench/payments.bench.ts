// Payments import throughput and requests per created payment (goal ≤ 1.1: which invoices already
// carry payments is learnt in batches, so a new payment costs its create): 10,000 payments against the sandbox with 50 ms of latency per request,
// at the default record concurrency, against one record at a time. One at a time would take ~17
// minutes, so that baseline is a 300-record sample, extrapolated (records/s is what is compared). The
// sandbox runs in a child process, so the peak RSS is the importing side's alone.
//
// First the reader alone (issue 18: at least 0.7x saxes alone): one file of 300,000 payments read by
// saxes with no-op handlers (the floor), by the streaming reader (a tree per record, handed over in
// the batches the import reads them in, then one at a time through an async generator) and by the
// import's pass over the file (reader + record checks): each in a process of its own (in one process
// they shape each other's compiled code, saxes' included), in turns, best of four. The readers are
// dropwise's built code (dist/), as the agent runs them, not its TypeScript under tsx.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import type { Sandbox } from '../../src/simulator/index.js';
import { importInvoicePaymentsTask } from '../../src/tasks/connectwise/import-invoice-payments.js';
import buildDist from '../../test/support/global-setup.js';
import { makeTaskEnv } from '../../test/support/task-context.js';
import { writePaymentsFile } from '../../test/tasks/connectwise/payments/payments-file.js';
import { benchChild, built, measure, report, round, say } from './harness.js';

const LATENCY_MS = 50;
const RUNS = [
  { label: 'one at a time (300-record sample)', concurrency: 1, records: 300 },
  { label: 'default concurrency', concurrency: 8, records: 10_000 },
  { label: 'concurrency 16 (2,000-record sample)', concurrency: 16, records: 2000 },
];

interface SandboxInfo {
  url: string;
  connectwise: Sandbox['connectwise'];
  traede: Sandbox['traede'];
  unpaid: number[];
}

/** Starts the sandbox in its own process; resolves with its URLs and the invoices without a payment. */
function startSandboxProcess(invoices: number): Promise<{ info: SandboxInfo; stop: () => void }> {
  const code = `
    import { startSandbox } from ${JSON.stringify(path.resolve('src/simulator/index.ts'))};
    const sb = await startSandbox({ seed: 3, size: { invoices: ${invoices} }, latencyMs: ${LATENCY_MS} });
    const unpaid = sb.control.invoices().filter((i) => i.total >= 1 && sb.control.paymentsForInvoice(i.id).length === 0).map((i) => i.id);
    process.stdout.write(JSON.stringify({ url: sb.url, connectwise: sb.connectwise, traede: sb.traede, unpaid }) + '\\n');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ info: JSON.parse(line) as SandboxInfo, stop: () => child.kill() }));
    child.once('exit', (exitCode) => reject(new Error(`the sandbox process exited (${exitCode})`)));
  });
}

async function control(info: SandboxInfo, method: string, route: string): Promise<unknown> {
  const text = await (await fetch(`${info.url}/_sandbox/${route}`, { method })).text();
  return text === '' ? undefined : JSON.parse(text);
}

const READER_RECORDS = 300_000;
const READER_GOAL = 0.7;
const READER_ROUNDS = 4;
const SCRIPT = fileURLToPath(import.meta.url);

/** The readers over one file; each returns the records it saw, so a reader that loses some fails the bench. */
const READERS: Record<string, (file: string) => Promise<number>> = {
  async 'saxes alone (no-op handlers; the floor)'(file) {
    const parser = new SaxesParser({ position: true });
    let depth = 0;
    let records = 0;
    parser.on('opentag', () => void depth++);
    parser.on('text', () => undefined);
    parser.on('closetag', () => {
      if (--depth === 1) records++;
    });
    const decoder = new StringDecoder('utf8');
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) parser.write(decoder.write(chunk));
    parser.close();
    return records;
  },
  async 'streaming reader (xml/reader readRecordBatches, as the import reads)'(file) {
    const { readRecordBatches } = await built<typeof import('../../src/xml/reader.js')>('xml/reader.js');
    let records = 0;
    for await (const batch of readRecordBatches(file, { expectRoot: 'InvoicePayments' })) records += batch.length;
    return records;
  },
  async 'the same, a record at a time (readRecords)'(file) {
    const { readRecords } = await built<typeof import('../../src/xml/reader.js')>('xml/reader.js');
    let records = 0;
    for await (const _record of readRecords(file, { expectRoot: 'InvoicePayments' })) records++;
    return records;
  },
  async 'the import\'s pass over the file (reader + record checks)'(file) {
    const { scanPaymentsFile } = await built<typeof import('../../src/tasks/connectwise/payments/file-scan.js')>('tasks/connectwise/payments/file-scan.js');
    let invalid = 0;
    const scan = await scanPaymentsFile(file, () => void invalid++);
    return scan.records - invalid;
  },
};

/**
 * One reader in a process of its own (so no reader's compiled code is shaped by another's use of
 * saxes), its faster of two passes over the file.
 */
async function readerChild(name: string, file: string): Promise<void> {
  const read = READERS[name];
  if (!read) throw new Error(`no reader ${name}`);
  let seconds = Infinity;
  let records = 0;
  for (let pass = 0; pass < 2; pass++) {
    global.gc?.();
    const t0 = performance.now();
    records = await read(file);
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  say({ seconds, records });
}

async function benchReaders(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-paybench-'));
  try {
    const file = writePaymentsFile(
      path.join(dir, 'payments.xml'),
      Array.from({ length: READER_RECORDS }, (_, i) => ({ externalId: `R-${i}`, invoiceId: 1000 + i, amount: 12.5, paymentDate: '2024-05-01' })),
    );
    const mb = fs.statSync(file).size / 2 ** 20;
    const best = new Map<string, number>();
    for (let round = 0; round < READER_ROUNDS; round++) {
      for (const name of Object.keys(READERS)) {
        const { seconds, records } = (await benchChild(SCRIPT, 'reader', [name, file]).done) as { seconds: number; records: number };
        if (records !== READER_RECORDS) throw new Error(`${name} saw ${records} valid records of ${READER_RECORDS}: its output differs from the file`);
        best.set(name, Math.min(best.get(name) ?? Infinity, seconds));
      }
    }
    const floor = best.values().next().value as number;
    for (const [name, seconds] of best) {
      const ratio = floor / seconds;
      report({
        bench: `Payments reader: ${READER_RECORDS.toLocaleString('en')} records, best of ${READER_ROUNDS} rounds in turns, each in a process of its own (goal: the streaming reader ≥ ${READER_GOAL}x saxes alone)`,
        reader: name,
        'input MB': round(mb, 1),
        seconds: round(seconds, 2),
        'MB/s': round(mb / seconds, 1),
        'vs saxes alone': `${round(ratio, 2)}x`,
        goal: name.startsWith('streaming reader') ? (ratio >= READER_GOAL ? 'met' : 'NOT MET') : '',
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function benchImport(): Promise<void> {
  const needed = RUNS.reduce((n, r) => n + r.records, 0);
  const { info, stop } = await startSandboxProcess(Math.ceil(needed * 1.3));
  try {
    if (info.unpaid.length < needed) throw new Error(`the sandbox has ${info.unpaid.length} unpaid invoices, ${needed} needed`);
    let next = 0;
    let baseline = 0;
    for (const run of RUNS) {
      const c = info.connectwise;
      const env = await makeTaskEnv(info as unknown as Sandbox, {
        config: {
          // Throughput against an uncapped sandbox: no request budget (rate-budget.bench.ts measures that).
          connections: { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', requestsPerMinute: 0 } },
          processing: { recordConcurrency: run.concurrency },
          http: { timeoutMs: 30_000, connectTimeoutMs: 5000, maxAttempts: 5, retryBudgetMs: 60_000, baseDelayMs: 50, maxDelayMs: 1000, connections: run.concurrency },
        },
      });
      const invoices = info.unpaid.slice(next, next + run.records);
      next += run.records;
      const file = writePaymentsFile(
        path.join(env.dir, `payments-${run.records}.xml`),
        invoices.map((invoiceId, i) => ({ externalId: `B-${run.concurrency}-${i}`, invoiceId, amount: 1, paymentDate: '2024-05-01' })),
      );
      await control(info, 'DELETE', 'requests');
      global.gc?.();
      const { result, seconds, peakRssMb, peakHeapMb } = await measure(() => env.runTask(importInvoicePaymentsTask, {}, file));
      const requests = ((await control(info, 'GET', 'requests')) as { total: number }).total;
      const perSecond = run.records / seconds;
      if (run.concurrency === 1) baseline = perSecond;
      report({
        bench: `Payments import (${LATENCY_MS} ms sandbox latency per request)`,
        run: run.label,
        records: run.records,
        ok: result.recordsOk,
        seconds: round(seconds, 1),
        'records/s': round(perSecond, 1),
        'vs one at a time': baseline > 0 ? `${round(perSecond / baseline, 1)}×` : '',
        'requests/record': round(requests / run.records, 2),
        'requests/created payment (goal ≤ 1.1)': round(requests / Math.max(1, Number(result.details?.['created'] ?? 0)), 3),
        'peak RSS MB': peakRssMb,
        'peak heap MB': peakHeapMb,
        'input MB': round(fs.statSync(file).size / 2 ** 20, 1),
      });
      await env.close();
    }
  } finally {
    stop();
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'reader') {
  await readerChild(args[0] as string, args[1] as string);
  process.exit(0);
}
buildDist();
await benchReaders();
await benchImport();
