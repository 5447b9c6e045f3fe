// connectwise.export-invoices over 100,000 invoices, with all nine references and with none: invoices
// per second, API requests per 1,000 invoices and peak memory. The sandbox runs in a child process
// (it holds all 100,000 invoices, ~700 MB), so the peak RSS reported is the exporting process's own.
// Each output must match, byte for byte, a reference conversion of the same invoices done the plain
// way afterwards (untimed); the bench fails when one does not.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { ReferenceResolver } from '../../src/connectors/connectwise/references.js';
import { silentLogger } from '../../src/log.js';
import { INVOICE_REFERENCES } from '../../src/tasks/connectwise/invoice-references.js';
import { startSandbox, type Sandbox } from '../../src/simulator/index.js';
import { exportInvoicesTask } from '../../src/tasks/connectwise/export-invoices.js';
import { ZYNK_LEADING_FIELDS, zynkRecordOrder } from '../../src/tasks/connectwise/export-records.js';
import { exportShape } from '../../src/tasks/connectwise/schema/export-shapes.js';
import { XmlDocumentWriter } from '../../src/xml/writer.js';
import { makeTaskEnv, type TaskEnv } from '../../test/support/task-context.js';
import { measure, report, round } from './harness.js';

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

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_INVOICES: String(INVOICES) } });
  const { info, generateSeconds } = await ask<{ info: SandboxInfo; generateSeconds: number }>(child);
  process.stderr.write(`sandbox with ${INVOICES} invoices generated in ${generateSeconds} s\n`);
  // makeTaskEnv reads only the sandbox's connection details; the sandbox itself lives in the child.
  const env = await makeTaskEnv(info as Sandbox);
  try {
    const runs: [string, string[]][] = [
      ['all nine', Object.keys(INVOICE_REFERENCES)],
      ['none', []],
    ];
    const digests: [string, string[], string][] = [];
    for (const [references, referencesToFetch] of runs) {
      await fetch(`${info.url}/_sandbox/requests`, { method: 'DELETE' });
      global.gc?.();
      const { result, seconds, peakRssMb, peakHeapMb } = await measure(() => env.runTask(exportInvoicesTask, { exportMode: 'All', outputFile: `bench-${references.replace(' ', '-')}.xml`, referencesToFetch }));
      const requests = await requestCount(info);
      const file = result.outputs[0] as string;
      report({
        bench: `connectwise.export-invoices, ${INVOICES.toLocaleString('en')} invoices (pageSize 100, referencesPageSize 100)`,
        references,
        invoicesPerSecond: Math.round(result.recordsOk / seconds),
        seconds: round(seconds, 1),
        requestsPer1000: round((requests / result.recordsOk) * 1000, 2),
        requests,
        outputMb: round(fs.statSync(file).size / 2 ** 20, 1),
        peakRssMb,
        peakHeapMb,
        sandboxPeakRssMb: (await ask<{ peakRssMb: number }>(child, 'rss')).peakRssMb,
      });
      digests.push([references, referencesToFetch, await fileDigest(file)]);
      fs.rmSync(file);
    }
    for (const [references, referencesToFetch, digest] of digests) {
      if ((await referenceDigest(env, referencesToFetch)) !== digest) throw new Error(`the export with ${references} references differs from the reference conversion`);
      process.stderr.write(`output with ${references} references: identical to the reference conversion\n`);
    }
  } finally {
    await env.close();
    child.disconnect();
  }
}

if (process.argv.includes(CHILD_FLAG)) await serveSandbox();
else await main();
