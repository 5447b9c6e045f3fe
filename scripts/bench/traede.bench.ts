// traede.export-invoices at 10,000 and 100,000 invoices: the streaming task (pull → record stream →
// <Invoices> file → mark as exported) against a reference conversion that reads the pull whole (the
// task before streaming: the whole body, one JSON.parse, the same XML writer). Each runs in its own
// child process, so each peak RSS is its own; the sandbox runs in a child too. The two files must be
// byte-identical, or the bench fails. "RSS before" is the child's RSS just before the measured run
// (Node, tsx and the modules loaded): what the run itself adds is the peak less that.
//
// Environment: TRAEDE_BENCH_SIZES (default "10000,100000"), TRAEDE_BENCH_WHOLE_MAX (largest size the
// whole read is measured at, default 100000).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchChild, measure, report, round, say, sha256, vmHwmMb } from './harness.js';

const SCRIPT = fileURLToPath(import.meta.url);
const SYSTEM = 'bench';
const MB = 2 ** 20;
const SIZES = (process.env['TRAEDE_BENCH_SIZES'] ?? '10000,100000').split(',').map(Number);
const WHOLE_MAX = Number(process.env['TRAEDE_BENCH_WHOLE_MAX'] ?? 100_000);

interface TraedeInfo {
  url: string;
  token: string;
  appKey: string;
}

const [mode = 'main', ...args] = process.argv.slice(2);

/** This script in `mode` in a child of its own. */
const child = (childMode: string, childArgs: string[]) => benchChild(SCRIPT, childMode, childArgs);

// ── children ──────────────────────────────────────────────────────────────────────────────────────

async function sandboxChild(): Promise<void> {
  const { startSandbox } = await import('../../src/simulator/index.js');
  const sandbox = await startSandbox({ seed: 1 });
  process.stdout.write(`READY ${JSON.stringify({ ...sandbox.traede, control: sandbox.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void sandbox.close().then(() => process.exit(0)));
}

/** The agent's side: config, connectors and a task context as the agent gives them to a task. */
async function agentSide(traede: TraedeInfo, dir: string) {
  const { loadConfig } = await import('../../src/config/load.js');
  const { createConnectors } = await import('../../src/connectors/index.js');
  const { silentLogger } = await import('../../src/log.js');
  const { RunOutbox } = await import('../../src/agent/pipeline/outbox.js');
  const { openStateStore } = await import('../../src/state/index.js');
  const { taskContext } = await import('../../src/tasks/context.js');
  const config = loadConfig({
    env: {},
    cwd: dir,
    overrides: {
      log: { console: false, file: '' },
      folders: { inbox: 'inbox', success: 'success', fail: 'fail', archive: 'archive', work: 'work', state: 'state' },
      connections: { shop: { type: 'traede', ...traede } },
    },
  });
  const log = silentLogger();
  const connectors = createConnectors(config, log);
  for (const d of ['success', 'work/tmp', 'state']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const outbox = new RunOutbox({ tmp: path.join(dir, 'work/tmp'), success: path.join(dir, 'success'), fail: path.join(dir, 'fail') }, 'bench');
  const store = openStateStore(path.join(dir, 'state'));
  const ctx = taskContext({ runId: 'bench', taskKey: 'bench', connection: 'shop', config, log, store, connectors, outbox, signal: new AbortController().signal, progress: () => undefined });
  return { connectors, ctx };
}

/** The task itself, end to end, marking included. */
async function streamChild(traede: TraedeInfo, outFile: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-traedebench-'));
  const { connectors, ctx } = await agentSide(traede, dir);
  const { traedeExportInvoicesTask } = await import('../../src/tasks/traede/export-invoices.js');
  const settings = traedeExportInvoicesTask.parseSettings({ systemId: SYSTEM, includeNonBooked: true, outputFile: 'invoices.xml' });
  global.gc?.();
  const before = round(process.memoryUsage.rss() / MB, 1);
  const m = await measure(() => traedeExportInvoicesTask.run({ settings }, ctx));
  fs.renameSync(m.result.outputs[0] as string, outFile);
  await connectors.close();
  fs.rmSync(dir, { recursive: true, force: true });
  say({ seconds: m.seconds, beforeRssMb: before, peakRssMb: m.peakRssMb, peakHeapMb: m.peakHeapMb, invoices: m.result.recordsIn, marked: m.result.recordsOk });
}

/** The reference: the same pull read whole and parsed at once, written with the same XML writer (nothing marked). */
async function wholeChild(traede: TraedeInfo, outFile: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-traedebench-'));
  const { connectors } = await agentSide(traede, dir);
  const { XmlDocumentWriter } = await import('../../src/xml/writer.js');
  const client = connectors.traede('shop');
  global.gc?.();
  const before = round(process.memoryUsage.rss() / MB, 1);
  const m = await measure(async () => {
    const query = new URLSearchParams([['system_id', SYSTEM], ['include_non_booked', '1'], ['includes[]', 'lines']]).toString();
    const body = await client.request<{ invoices: Record<string, unknown>[] }>('GET', '/v10/invoices/export', { query });
    const out = fs.createWriteStream(outFile);
    const xml = new XmlDocumentWriter(out);
    await xml.start('Invoices');
    for (const invoice of body.invoices) await xml.write('Invoice', invoice);
    await xml.end();
    out.end();
    await new Promise<void>((resolve) => out.on('close', () => resolve()));
    return body.invoices.length;
  });
  await connectors.close();
  fs.rmSync(dir, { recursive: true, force: true });
  say({ seconds: m.seconds, beforeRssMb: before, peakRssMb: m.peakRssMb, peakHeapMb: m.peakHeapMb, invoices: m.result });
}

// ── main ──────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-traedebench-'));
  const sandbox = child('sandbox', []);
  try {
    const { control, ...traede } = (await sandbox.ready) as unknown as TraedeInfo & { control: string };
    const info = JSON.stringify(traede);
    for (const size of SIZES) {
      // A fresh tenant of `size` invoices, none marked.
      const reset = await fetch(`${control}/_sandbox/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 1, size: { traedeInvoices: size } }) });
      if (!reset.ok) throw new Error(`sandbox reset answered ${reset.status}`);
      const wholeOut = path.join(dir, `whole-${size}.xml`);
      const streamOut = path.join(dir, `stream-${size}.xml`);
      // The reference first: it marks nothing, so the task then pulls the same invoices.
      const whole = size <= WHOLE_MAX ? await child('whole', [info, wholeOut]).done : undefined;
      const streamed = await child('stream', [info, streamOut]).done;
      if (streamed['invoices'] !== size || streamed['marked'] !== size) throw new Error(`the task exported ${String(streamed['invoices'])} and marked ${String(streamed['marked'])} of ${size} invoices`);
      const xmlMb = round(fs.statSync(streamOut).size / MB, 1);
      const table = 'traede.export-invoices: streamed pull vs whole read (peak RSS of each child process)';
      let identical = 'not compared';
      if (whole) {
        if (whole['invoices'] !== size) throw new Error(`the whole read converted ${String(whole['invoices'])} of ${size} invoices`);
        identical = sha256(wholeOut) === sha256(streamOut) ? 'yes' : 'NO';
        report({ bench: table, invoices: size, path: 'whole read (reference, no marking)', 'XML MB': xmlMb, seconds: round(whole['seconds'] as number, 2), 'RSS before MB': whole['beforeRssMb'] as number, 'peak RSS MB': whole['peakRssMb'] as number, 'peak heap MB': whole['peakHeapMb'] as number });
        fs.rmSync(wholeOut);
      }
      report({
        bench: table,
        invoices: size,
        path: 'streamed task (pull, write, mark)',
        'XML MB': xmlMb,
        seconds: round(streamed['seconds'] as number, 2),
        'RSS before MB': streamed['beforeRssMb'] as number,
        'peak RSS MB': streamed['peakRssMb'] as number,
        'peak heap MB': streamed['peakHeapMb'] as number,
        'memory ratio': whole ? round((streamed['peakRssMb'] as number) / (whole['peakRssMb'] as number), 2) : '',
        'byte-identical': identical,
        'sandbox VmHWM MB': vmHwmMb(sandbox.proc.pid as number),
      });
      fs.rmSync(streamOut);
      if (identical === 'NO') throw new Error(`the streamed file of ${size} invoices differs from the whole read's`);
    }
  } finally {
    sandbox.proc.stdin?.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const modes: Record<string, () => Promise<void>> = {
  main,
  sandbox: sandboxChild,
  stream: () => streamChild(JSON.parse(args[0] as string) as TraedeInfo, args[1] as string),
  whole: () => wholeChild(JSON.parse(args[0] as string) as TraedeInfo, args[1] as string),
};

await (modes[mode] ?? main)();
// Measuring children end here (open pools or stores must not keep them alive); the sandbox waits for stdin to close.
if (mode === 'stream' || mode === 'whole') process.exit(0);
