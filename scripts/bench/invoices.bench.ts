// connectwise.export-invoices over 100,000 invoices, with all nine references and with none: invoices
// per second, API requests per 1,000 invoices and peak memory, and each as a ratio to the export
// without references in the same run. The export runs as a person or the scheduler runs it: `node
// dist/cli.js task NAME`, plain Node on the built code, so its peak RSS (VmHWM, read from /proc
// while it runs; Linux only) is the agent's own, not a TypeScript loader's; its time is the run's own
// as the run history records it (process start-up left out). A third run that matches no invoice
// shows the floor: what a task run holds before any record. The sandbox runs in a child process (it
// holds all 100,000 invoices, ~700 MB). Each output must match, byte for byte, a reference
// conversion of the same invoices done the plain way afterwards (untimed); the bench fails when one
// does not.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { ReferenceResolver } from '../../src/connectors/connectwise/references.js';
import { silentLogger } from '../../src/log.js';
import { INVOICE_REFERENCES } from '../../src/tasks/connectwise/invoice-references.js';
import { startSandbox, type Sandbox } from '../../src/simulator/index.js';
import { openStateStore } from '../../src/state/index.js';
import { ZYNK_LEADING_FIELDS, zynkRecordOrder } from '../../src/tasks/connectwise/export-records.js';
import { exportShape } from '../../src/tasks/connectwise/schema/export-shapes.js';
import { XmlDocumentWriter } from '../../src/xml/writer.js';
import buildDist from '../../test/support/global-setup.js';
import { makeTaskEnv, type TaskEnv } from '../../test/support/task-context.js';
import { report, round, runCliTask, type BenchRow } from './harness.js';

const INVOICES = Number(process.env['BENCH_INVOICES'] ?? 100_000);
const CHILD_FLAG = '--sandbox-child';

type SandboxInfo = Pick<Sandbox, 'url' | 'connectwise' | 'traede'>;

/** In the child: start the sandbox, tell the parent where it is, answer RSS questions. */
async function serveSandbox(): Promise<void> {
  const started = Date.now();
  const sandbox = await startSandbox({ seed: 1, size: { invoices: INVOICES } });
  let peakRss = process.memoryUsage.rss();
  setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50).unref();
  process.on('message', (message) => {
    if (message === 'rss') process.send?.({ peakRssMb: round(peakRss / 2 ** 20, 1) });
  });
  process.on('disconnect', () => void sandbox.close().then(() => process.exit(0)));
  const { url, connectwise, traede } = sandbox;
  process.send?.({ info: { url, connectwise, traede }, generateSeconds: round((Date.now() - started) / 1000, 1) });
}

async function ask<T>(child: ChildProcess, message?: string): Promise<T> {
  if (message !== undefined) child.send(message);
  const [answer] = (await once(child, 'message')) as [T];
  return answer;
}

async function requestCount(info: SandboxInfo): Promise<number> {
  const res = await fetch(`${info.url}/_sandbox/requests`);
  return ((await res.json()) as { total: number }).total;
}

async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * The reference conversion: the same invoices and references by the plainest route (a page at a
 * time, its references resolved alone, every record rendered whole by XmlDocumentWriter.write),
 * hashed as it is written.
 */
async function referenceDigest(env: TaskEnv, references: readonly string[]): Promise<string> {
  const client = env.connectors.connectwise();
  const specs = references.map((name) => ({ name, ...(INVOICE_REFERENCES[name] as (typeof INVOICE_REFERENCES)[string]) }));
  const resolver = new ReferenceResolver(client, { pageSize: 100, log: silentLogger() });
  const hash = createHash('sha256');
  const writer = new XmlDocumentWriter(new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done();
    },
  }));
  const shape = exportShape('Invoice', 'schema', ZYNK_LEADING_FIELDS);
  await writer.start('Invoices');
  for await (const page of client.pages<Record<string, unknown> & { id?: number }>('/finance/invoices', {}, { pageSize: 100 })) {
    if (specs.length > 0) await resolver.resolve(page, specs);
    for (const record of page) await writer.write('Invoice', zynkRecordOrder(record), shape);
  }
  await writer.end();
  return hash.digest('hex');
}

interface Run {
  name: string;
  references: string[];
  /** Where settings of the export (the floor run matches nothing). */
  conditions?: { field: string; comparison: string; value: string }[];
}

const RUNS: Run[] = [
  { name: 'all nine', references: Object.keys(INVOICE_REFERENCES) },
  { name: 'none', references: [] },
  { name: 'floor (no invoice matches)', references: [], conditions: [{ field: 'id', comparison: 'LessThan', value: '0' }] },
];

const taskName = (run: Run) => run.name.replace(/\W+/g, '-');

/** A config for the CLI: the sandbox's ConnectWise (no request budget: the sandbox is uncapped), folders under `dir`, one task per run. */
function writeConfig(dir: string, info: SandboxInfo): string {
  const c = info.connectwise;
  const folder = (name: string) => path.join(dir, name);
  const tasks = Object.fromEntries(
    RUNS.map((run) => [taskName(run), { type: 'connectwise.export-invoices', settings: { exportMode: 'All', outputFile: `bench-${taskName(run)}.xml`, referencesToFetch: run.references, conditions: run.conditions ?? [] } }]),
  );
  const config = {
    sandbox: { mode: 'off' },
    log: { file: '', console: false },
    folders: { inbox: folder('inbox'), success: folder('outbox/success'), fail: folder('outbox/fail'), archive: folder('archive'), work: folder('work'), state: folder('state') },
    connections: { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', requestsPerMinute: 0 } },
    tasks,
  };
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

async function main(): Promise<void> {
  buildDist();
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_INVOICES: String(INVOICES) } });
  const { info, generateSeconds } = await ask<{ info: SandboxInfo; generateSeconds: number }>(child);
  process.stderr.write(`sandbox with ${INVOICES} invoices generated in ${generateSeconds} s\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-bench-invoices-'));
  const configFile = writeConfig(dir, info);
  // makeTaskEnv reads only the sandbox's connection details; the sandbox itself lives in the child.
  const env = await makeTaskEnv(info as Sandbox);
  try {
    const rows: BenchRow[] = [];
    const digests: [Run, string][] = [];
    for (const run of RUNS) {
      await fetch(`${info.url}/_sandbox/requests`, { method: 'DELETE' });
      const { peakRssMb } = await runCliTask(configFile, taskName(run));
      const requests = await requestCount(info);
      // A store opened afresh: one kept open would not see what the CLI appended since.
      const [last] = await openStateStore(path.join(dir, 'state')).runs.recent(1);
      if (last?.endedAt === undefined || last.result !== (run.conditions ? 'empty' : 'success')) throw new Error(`the run of ${run.name} did not succeed: ${JSON.stringify(last)}`);
      const seconds = (Date.parse(last.endedAt) - Date.parse(last.startedAt)) / 1000;
      const file = last.outputs[0] as string;
      rows.push({
        bench: `connectwise.export-invoices, ${INVOICES.toLocaleString('en')} invoices (pageSize 100, referencesPageSize 100; ratios to "none" in this run)`,
        references: run.name,
        invoicesPerSecond: last.recordsOk === 0 ? '' : Math.round(last.recordsOk / seconds),
        seconds: round(seconds, 1),
        requestsPer1000: last.recordsOk === 0 ? '' : round((requests / last.recordsOk) * 1000, 2),
        requests,
        outputMb: round(fs.statSync(file).size / 2 ** 20, 1),
        peakRssMb,
        sandboxPeakRssMb: (await ask<{ peakRssMb: number }>(child, 'rss')).peakRssMb,
      });
      if (last.recordsOk > 0) digests.push([run, await fileDigest(file)]);
      fs.rmSync(file);
    }
    const none = rows[1] as BenchRow;
    for (const row of rows) {
      const ratio = (column: string) => {
        const [value, base] = [row[column], none[column]];
        return typeof value === 'number' && typeof base === 'number' && base > 0 ? round(value / base, 2) : '';
      };
      report({ ...row, speedVsNone: ratio('invoicesPerSecond'), requestsVsNone: ratio('requestsPer1000'), rssVsNone: ratio('peakRssMb') });
    }
    for (const [run, digest] of digests) {
      if ((await referenceDigest(env, run.references)) !== digest) throw new Error(`the export with ${run.name} references differs from the reference conversion`);
      process.stderr.write(`output with ${run.name} references: identical to the reference conversion\n`);
    }
  } finally {
    await env.close();
    child.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes(CHILD_FLAG)) await serveSandbox();
else await main();
