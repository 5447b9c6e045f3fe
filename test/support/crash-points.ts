// The crash-point enumeration (see src/crash-point.ts), shared by `npm run crash` (every point) and the
// sample in `npm test`. For one scenario (a task type and its input), a clean pass of the real CLI
// (`dropwise run FILE`) learns which points are reached and how often; then each chosen hit of each
// point is one case: a fresh agent folder and a freshly reset sandbox, `dropwise run FILE` killed at
// that hit, `dropwise start` until the work is finished, and the invariants checked against the clean
// pass. The sandbox runs in the caller's process; the agent always in its own.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import type { Sandbox } from '../../src/simulator/index.js';
import { DailyRunHistory } from '../../src/state/run-history.js';
import { CLI, finished, type CliResult } from './cli.js';

/** The invoices of a scenario's sandbox, reset before every case so every case starts alike. */
export const SANDBOX_SIZE = { invoices: 60, companies: 8, unpostedInvoices: 12, unpostedExpenses: 0, unpostedProcurement: 0, batches: 4, traedeInvoices: 12 };
export const SANDBOX_SEED = 11;

export interface InputFile {
  name: string;
  text: string;
}

export interface Scenario {
  name: string;
  /** Runs cleanly before the input (e.g. the GL export a batch is made from). */
  before?: (sb: Sandbox) => InputFile[];
  input: (sb: Sandbox) => InputFile;
  /** The records of one output file: key → the action reported ('' where an output reports none). */
  records: (name: string, text: string) => Map<string, string>;
}

/** What a finished case left behind, as the invariants look at it. */
interface Outcome {
  records: Map<string, string>;
  /** Record keys met more than once across outputs, with the files. */
  duplicates: string[];
  paymentsCreated: number;
  paymentsTwice: number[];
  batchesCreated: number;
  batchIdentifiersTwice: string[];
  traedeMarks: number;
}

export interface CaseResult {
  point: string;
  hit: number;
  /** The run was not killed: the point was not reached this time (hit counts can vary with timing). */
  missed: boolean;
  anomalies: string[];
  /** The agent folder of a case with anomalies, kept for a look. */
  kept?: string;
  ms: number;
}

export interface PointRow {
  scenario: string;
  point: string;
  hits: number;
  tried: number[];
  crashes: number;
  /** Cases of this point whose invariants failed. */
  failed: number;
  /** What failed, `#hit: …` per line. */
  anomalies: string[];
}

// ---------------------------------------------------------------------------------------------------
// Scenarios

const xmlHead = '<?xml version="1.0" encoding="utf-8"?>\n';
const taskRequest = (task: string, settings: Record<string, string>): string =>
  `${xmlHead}<TaskRequest>\n  <task>${task}</task>\n  <settings>\n${Object.entries(settings)
    .map(([k, v]) => `    <${k}>${v}</${k}>\n`)
    .join('')}  </settings>\n</TaskRequest>\n`;

function unpaid(sb: Sandbox, count: number): number[] {
  const ids = sb.control
    .invoices()
    .filter((inv) => (inv['total'] as number) >= 50 && sb.control.paymentsForInvoice(inv['id'] as number).length === 0)
    .map((inv) => inv['id'] as number)
    .sort((a, b) => a - b);
  if (ids.length < count) throw new Error(`the sandbox has ${ids.length} unpaid invoices, ${count} needed`);
  return ids.slice(0, count);
}

function paid(sb: Sandbox, count: number): number[] {
  return sb.control
    .payments()
    .map((p) => (p['invoice'] as { id: number }).id)
    .sort((a, b) => a - b)
    .slice(0, count);
}

/** Six creates, two updates of payments already there and one invalid record (so a fail file too). */
function paymentsFile(sb: Sandbox, externalIds: boolean): InputFile {
  const creates = unpaid(sb, 6);
  const updates = paid(sb, 2);
  const record = (invoiceId: number, i: number, extra = ''): string =>
    `  <InvoicePayment>\n${externalIds ? `    <externalId>X-${i}</externalId>\n` : ''}    <invoice><id>${invoiceId}</id></invoice>\n    <amount>${(1 + i / 100).toFixed(2)}</amount>\n    <paymentDate>2024-05-0${1 + (i % 9)}</paymentDate>\n${extra}  </InvoicePayment>\n`;
  const records = [...creates, ...updates].map((id, i) => record(id, i));
  records.splice(3, 0, record(999_999, 99, '    <credit>1</credit>\n'));
  return { name: externalIds ? 'payments-ext.xml' : 'payments.xml', text: `${xmlHead}<InvoicePayments>\n${records.join('')}</InvoicePayments>\n` };
}

/** `<tag>` elements directly holding `<id>N</id>` first: the ids of an export's records. */
function idsOf(tag: string): (name: string, text: string) => Map<string, string> {
  return (_name, text) => {
    const out = new Map<string, string>();
    for (const m of text.matchAll(new RegExp(`<${tag}>\\s*<id>(\\d+)</id>`, 'g'))) out.set(`${tag} ${m[1]}`, '');
    return out;
  };
}

/** Payment results: the invoice id → `created`/`updated`, or `failed` for a record in the fail file. */
function paymentRecords(name: string, text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rec of text.split('<InvoicePayment>').slice(1)) {
    const invoice = /<invoice>\s*<id>(\d+)<\/id>/.exec(rec)?.[1] ?? '?';
    const action = /<action>(\w+)<\/action>/.exec(rec)?.[1] ?? (rec.includes('<errors>') ? 'failed' : '?');
    out.set(`invoice ${invoice}`, action);
  }
  return out;
}

/** A GL export, or a batch's answer (the GLExport of the batch): its transactions' GL entry ids. */
function glRecords(_name: string, text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/<glEntryIds>([^<]*)<\/glEntryIds>/g)) {
    for (const id of (m[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.set(`GL entry ${id}`, '');
  }
  return out;
}

export const SCENARIOS: Scenario[] = [
  { name: 'payments (externalIds)', input: (sb) => paymentsFile(sb, true), records: paymentRecords },
  { name: 'payments (no externalIds)', input: (sb) => paymentsFile(sb, false), records: paymentRecords },
  {
    name: 'export invoices',
    input: () => ({ name: 'export-invoices.xml', text: taskRequest('connectwise.export-invoices', { exportMode: 'New', pageSize: '25', outputFile: 'invoices.xml' }) }),
    records: idsOf('Invoice'),
  },
  {
    name: 'export batches',
    input: () => ({ name: 'export-batches.xml', text: taskRequest('connectwise.export-batches', { exportMode: 'New', outputFile: 'batches.xml' }) }),
    records: idsOf('Batch'),
  },
  {
    name: 'export GL batch',
    input: () => ({ name: 'export-gl.xml', text: taskRequest('connectwise.export-gl-batch', { exportUnpostedInvoices: 'true', outputFile: 'gl-batch.xml' }) }),
    records: glRecords,
  },
  {
    name: 'Traede export',
    input: () => ({ name: 'export-traede.xml', text: taskRequest('traede.export-invoices', { systemId: 'crash', outputFile: 'traede.xml' }) }),
    records: idsOf('Invoice'),
  },
  {
    name: 'create accounting batch',
    before: () => [{ name: 'gl-first.xml', text: taskRequest('connectwise.export-gl-batch', { exportUnpostedInvoices: 'true', outputFile: 'gl-first.xml' }) }],
    input: () => ({ name: 'create-batch.xml', text: taskRequest('connectwise.create-accounting-batch', { fromRun: 'last' }) }),
    records: glRecords,
  },
];

// ---------------------------------------------------------------------------------------------------
// Running the CLI

async function agentFolder(sb: Sandbox): Promise<{ dir: string; config: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dw-crash-'));
  const config = path.join(dir, 'dropwise.json');
  const c = sb.connectwise;
  await fs.mkdir(path.join(dir, 'inbox'));
  await fs.writeFile(
    config,
    JSON.stringify({
      watch: { stabilityMs: 100, sweepMs: 200, concurrency: 2 },
      sandbox: { mode: 'off' },
      log: { file: 'logs/dropwise.log', console: false, level: 'info' },
      http: { timeoutMs: 5000, connectTimeoutMs: 2000, maxAttempts: 3, retryBudgetMs: 5000, baseDelayMs: 10, maxDelayMs: 100, connections: 4 },
      connections: {
        cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1' },
        traede: { type: 'traede', url: sb.traede.url, token: sb.traede.token, appKey: sb.traede.appKey },
      },
    }),
  );
  return { dir, config };
}

export function cli(args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof spawn> {
  return spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, DROPWISE_CONFIG: '', DROPWISE_API_PORT: '0', DROPWISE_CRASH_AT: '', DROPWISE_CRASH_COUNT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function runFile(config: string, dir: string, input: InputFile, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const file = path.join(dir, 'inbox', input.name);
  await fs.writeFile(file, input.text);
  return finished(cli(['run', file, '--config', config], env));
}

/** Every file under `dir`, relative, sorted; none when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `dropwise start` until the inbox and work/processing are empty, then SIGTERM; false when it never got there. */
export async function restart(config: string, dir: string, timeoutMs = 30_000): Promise<{ settled: boolean; result: CliResult }> {
  const child = cli(['start', '--config', config]);
  const done = finished(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + timeoutMs;
  let settled = false;
  while (Date.now() < deadline && child.exitCode === null) {
    if (out.includes('dropwise is watching')) {
      const left = [...(await listFiles(path.join(dir, 'inbox'))), ...(await listFiles(path.join(dir, 'work', 'processing')))];
      if (left.length === 0) {
        settled = true;
        break;
      }
    }
    await sleep(100);
  }
  child.kill('SIGTERM');
  return { settled, result: await done };
}

// ---------------------------------------------------------------------------------------------------
// Invariants

/** Whether `text` is one whole XML document; the parser's complaint otherwise. */
export function wholeXml(text: string): string | undefined {
  const parser = new SaxesParser();
  let problem: string | undefined;
  let roots = 0;
  let depth = 0;
  parser.on('error', (err) => (problem ??= err.message));
  parser.on('opentag', () => {
    if (depth++ === 0) roots++;
  });
  parser.on('closetag', () => depth--);
  try {
    parser.write(text).close();
  } catch (err) {
    problem ??= (err as Error).message;
  }
  if (problem) return problem;
  if (roots !== 1 || depth !== 0) return `${roots} root element(s), ${depth} left open`;
  return undefined;
}

async function outputsOf(scenario: Scenario, dir: string, anomalies: string[]): Promise<Pick<Outcome, 'records' | 'duplicates'>> {
  const records = new Map<string, string>();
  const seenIn = new Map<string, string>();
  const duplicates: string[] = [];
  for (const folder of ['success', 'fail']) {
    const base = path.join(dir, 'outbox', folder);
    for (const name of await listFiles(base)) {
      if (name.endsWith('.error.xml') || name.startsWith('gl-first')) continue;
      const text = await fs.readFile(path.join(base, name), 'utf8');
      const problem = wholeXml(text);
      if (problem) anomalies.push(`partial output ${folder}/${name}: ${problem}`);
      for (const [key, action] of scenario.records(name, text)) {
        const earlier = seenIn.get(key);
        if (earlier !== undefined) duplicates.push(`${key} in ${earlier} and ${folder}/${name}`);
        else seenIn.set(key, `${folder}/${name}`);
        records.set(key, action);
      }
    }
  }
  return { records, duplicates };
}

async function outcomeOf(scenario: Scenario, sb: Sandbox, dir: string, anomalies: string[]): Promise<Outcome> {
  // Through the control API over HTTP, as any client of the sandbox would count.
  const created = (await (await fetch(`${sb.url}/_sandbox/created`)).json()) as { payments: { invoice?: { id?: number } }[]; batches: { batchIdentifier?: string }[] };
  const perInvoice = new Map<number, number>();
  for (const p of created.payments) perInvoice.set(p.invoice?.id ?? 0, (perInvoice.get(p.invoice?.id ?? 0) ?? 0) + 1);
  const perIdentifier = new Map<string, number>();
  for (const b of created.batches) perIdentifier.set(b.batchIdentifier ?? '', (perIdentifier.get(b.batchIdentifier ?? '') ?? 0) + 1);
  const marks = (await (await fetch(`${sb.url}/_sandbox/traede/marks?system_id=crash`)).json()) as unknown[];
  return {
    ...(await outputsOf(scenario, dir, anomalies)),
    paymentsCreated: created.payments.length,
    paymentsTwice: [...perInvoice].filter(([, n]) => n > 1).map(([id]) => id),
    batchesCreated: created.batches.length,
    batchIdentifiersTwice: [...perIdentifier].filter(([, n]) => n > 1).map(([id]) => id),
    traedeMarks: marks.length,
  };
}

/** A watermark moved only once its output was committed: checked right after the crash. */
async function checkWatermarks(scenario: Scenario, dir: string, reference: Outcome, anomalies: string[]): Promise<void> {
  const text = await fs.readFile(path.join(dir, 'state', 'watermarks.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const moved = Object.keys((JSON.parse(text) as { watermarks?: Record<string, unknown> }).watermarks ?? {});
  if (moved.length === 0) return;
  const written = (await outputsOf(scenario, dir, [])).records;
  const missing = [...reference.records.keys()].filter((k) => !written.has(k));
  if (missing.length > 0) anomalies.push(`watermark ahead of the outputs (${moved.join(', ')} moved; ${missing.length} record(s) not in any committed output, e.g. ${missing[0]})`);
}

/** The invariants of a case that crashed and was restarted, against the clean pass. */
async function checkCase(scenario: Scenario, sb: Sandbox, dir: string, input: InputFile, reference: Outcome, anomalies: string[]): Promise<void> {
  // Every input in exactly one place: the archive, or outbox/fail; nothing left in the inbox or work/processing.
  const places: string[] = [];
  for (const folder of ['inbox', 'work/processing', 'archive', 'outbox/fail']) {
    for (const name of await listFiles(path.join(dir, folder))) {
      const base = path.basename(name);
      const original = base === input.name || base.endsWith(`__${input.name}`) || /^(.*) \(\d+\)(\..*)$/.exec(base)?.slice(1).join('') === input.name;
      if (original) places.push(`${folder}/${name}`);
    }
  }
  if (places.length !== 1 || !/^(archive|outbox\/fail)\//.test(places[0] ?? '')) anomalies.push(`input in ${places.length} place(s): ${places.join(', ') || 'none'}`);

  const got = await outcomeOf(scenario, sb, dir, anomalies);
  for (const dup of got.duplicates.slice(0, 3)) anomalies.push(`record in two outputs: ${dup}`);
  if (got.duplicates.length > 3) anomalies.push(`… ${got.duplicates.length} records in two outputs in all`);
  const lost = [...reference.records.keys()].filter((k) => !got.records.has(k));
  if (lost.length > 0) anomalies.push(`${lost.length} record(s) in no output, e.g. ${lost[0]}`);
  const wrong = [...reference.records].filter(([k, action]) => got.records.has(k) && got.records.get(k) !== action);
  if (wrong.length > 0) anomalies.push(`${wrong.length} record(s) with the wrong action, e.g. ${wrong[0]?.[0]} ${got.records.get(wrong[0]?.[0] ?? '')} (was ${wrong[0]?.[1]})`);
  if (got.paymentsTwice.length > 0) anomalies.push(`payment created twice on invoice(s) ${got.paymentsTwice.join(', ')}`);
  if (got.paymentsCreated !== reference.paymentsCreated) anomalies.push(`${got.paymentsCreated} payment create(s) accepted, ${reference.paymentsCreated} in the clean run`);
  if (got.batchIdentifiersTwice.length > 0) anomalies.push(`batch created twice: ${got.batchIdentifiersTwice.join(', ')}`);
  if (got.batchesCreated !== reference.batchesCreated) anomalies.push(`${got.batchesCreated} batch(es) created, ${reference.batchesCreated} in the clean run`);
  if (got.traedeMarks !== reference.traedeMarks) anomalies.push(`${got.traedeMarks} Traede invoice(s) marked, ${reference.traedeMarks} in the clean run`);

  // No temp files: work/tmp, and no hidden .tmp/.partial beside outputs, state or the archive.
  const temps = [
    ...(await listFiles(path.join(dir, 'work', 'tmp'))).map((n) => `work/tmp/${n}`),
    ...(await Promise.all(['outbox', 'state', 'archive'].map(async (f) => (await listFiles(path.join(dir, f))).map((n) => `${f}/${n}`)))).flat().filter((n) => /\.(tmp|partial)$/.test(n)),
  ];
  if (temps.length > 0) anomalies.push(`temp file(s) left: ${temps.slice(0, 3).join(', ')}`);

  // No run left running once the restarted agent has stopped.
  // Read as the agent reads it (a fresh reader writes nothing); a history that cannot be read is an anomaly too.
  const running = await new DailyRunHistory(path.join(dir, 'state')).query({ result: 'running', limit: 1000 }).then(
    (page) => page.runs,
    (err: unknown) => {
      anomalies.push(`the run history cannot be read: ${String(err)}`);
      return [];
    },
  );
  if (running.length > 0) anomalies.push(`${running.length} run(s) left running (${running.map((r) => r.task).join(', ')})`);
}

// ---------------------------------------------------------------------------------------------------
// The enumeration

async function prepare(scenario: Scenario, sb: Sandbox): Promise<{ dir: string; config: string; input: InputFile }> {
  sb.control.reset({ seed: SANDBOX_SEED, size: SANDBOX_SIZE });
  const { dir, config } = await agentFolder(sb);
  for (const before of scenario.before?.(sb) ?? []) {
    const result = await runFile(config, dir, before);
    if (result.code !== 0) throw new Error(`${scenario.name}: preparing with ${before.name} exited ${result.code}: ${result.stderr}${result.stdout}`);
  }
  if (scenario.before) sb.control.resetRequests();
  return { dir, config, input: scenario.input(sb) };
}

/** The clean pass: the points reached and their hits, and what a run with no crash leaves. */
export async function cleanPass(scenario: Scenario, sb: Sandbox): Promise<{ hits: Record<string, number>; reference: Outcome; anomalies: string[] }> {
  const { dir, config, input } = await prepare(scenario, sb);
  const countFile = path.join(dir, 'crash-points.json');
  const result = await runFile(config, dir, input, { DROPWISE_CRASH_COUNT: countFile });
  if (result.signal !== null || (result.code ?? 9) > 1) throw new Error(`${scenario.name}: the clean run ended with ${result.signal ?? result.code}: ${result.stderr}${result.stdout}`);
  const hits = JSON.parse(await fs.readFile(countFile, 'utf8')) as Record<string, number>;
  const anomalies: string[] = [];
  const reference = await outcomeOf(scenario, sb, dir, anomalies);
  if (reference.records.size === 0) anomalies.push('the clean run wrote no records');
  await fs.rm(dir, { recursive: true, force: true });
  return { hits, reference, anomalies };
}

/** Crashes at the `hit`th time `point` is reached, restarts, and checks every invariant. */
export async function crashCase(scenario: Scenario, sb: Sandbox, reference: Outcome, point: string, hit: number): Promise<CaseResult> {
  const started = Date.now();
  const { dir, config, input } = await prepare(scenario, sb);
  const anomalies: string[] = [];
  const crashed = await runFile(config, dir, input, { DROPWISE_CRASH_AT: `${point}:${hit}` });
  const missed = crashed.signal !== 'SIGKILL';
  if (!missed) await checkWatermarks(scenario, dir, reference, anomalies);
  const { settled, result } = await restart(config, dir);
  if (!settled) anomalies.push('stuck: the restarted agent did not finish the file within 30 s');
  if (result.code !== 0) anomalies.push(`the restarted agent exited ${result.signal ?? result.code}: ${result.stderr.trim().split('\n').slice(-2).join(' ')}`);
  await checkCase(scenario, sb, dir, input, reference, anomalies);
  if (anomalies.length === 0) await fs.rm(dir, { recursive: true, force: true });
  return { point, hit, missed, anomalies, ...(anomalies.length > 0 ? { kept: dir } : {}), ms: Date.now() - started };
}

/** Which hits of a point to crash at: the first `edge`, the middle one and the last `edge` (all when few). */
export function edgeHits(hits: number, edge: number): number[] {
  const chosen = new Set<number>();
  for (let i = 1; i <= Math.min(edge, hits); i++) chosen.add(i);
  chosen.add(Math.ceil(hits / 2));
  for (let i = Math.max(1, hits - edge + 1); i <= hits; i++) chosen.add(i);
  return [...chosen].sort((a, b) => a - b);
}

/**
 * Every chosen hit (`hits` picks them; none leaves the point out) of every point of a scenario, the cases spread over the given sandboxes
 * (one case at a time on each, as every case resets its sandbox).
 */
export async function enumerate(
  scenario: Scenario,
  sandboxes: Sandbox[],
  options: { hits: (count: number, point: string) => number[]; onCase?: (row: PointRow, c: CaseResult) => void },
): Promise<PointRow[]> {
  const first = sandboxes[0];
  if (!first) throw new Error('enumerate needs at least one sandbox');
  const clean = await cleanPass(scenario, first);
  const rows: PointRow[] = [];
  if (clean.anomalies.length > 0) rows.push({ scenario: scenario.name, point: '(clean run)', hits: 0, tried: [], crashes: 0, failed: 1, anomalies: clean.anomalies });
  const queue: { row: PointRow; hit: number }[] = [];
  for (const [point, hits] of Object.entries(clean.hits)) {
    const row: PointRow = { scenario: scenario.name, point, hits, tried: options.hits(hits, point), crashes: 0, failed: 0, anomalies: [] };
    rows.push(row);
    for (const hit of row.tried) queue.push({ row, hit });
  }
  await Promise.all(
    sandboxes.map(async (sb) => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const c = await crashCase(scenario, sb, clean.reference, next.row.point, next.hit);
        if (!c.missed) next.row.crashes++;
        if (c.anomalies.length > 0) next.row.failed++;
        for (const a of c.anomalies) next.row.anomalies.push(`#${next.hit}: ${a}`);
        options.onCase?.(next.row, c);
      }
    }),
  );
  return rows;
}
