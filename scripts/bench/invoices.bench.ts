// connectwise.export-invoices over 100,000 invoices, with all nine references and with none: invoices
// per second, API requests per 1,000 invoices and peak memory. The sandbox runs in a child process
// (it holds all 100,000 invoices, ~700 MB), so the peak RSS reported is the exporting process's own.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { INVOICE_REFERENCES } from '../../src/tasks/connectwise/invoice-references.js';
import { startSandbox, type Sandbox } from '../../src/simulator/index.js';
import { exportInvoicesTask } from '../../src/tasks/connectwise/export-invoices.js';
import { makeTaskEnv } from '../../test/support/task-context.js';
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

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_INVOICES: String(INVOICES) } });
  const { info, generateSeconds } = await ask<{ info: SandboxInfo; generateSeconds: number }>(child);
  process.stderr.write(`sandbox with ${INVOICES} invoices generated in ${generateSeconds} s\n`);
  // makeTaskEnv reads only the sandbox's connection details; the sandbox itself lives in the child.
  const env = await makeTaskEnv(info as Sandbox);
  try {
    const runs: [string, Record<string, unknown>][] = [
      ['all nine', { referencesToFetch: Object.keys(INVOICE_REFERENCES) }],
      ['none', {}],
    ];
    for (const [references, extra] of runs) {
      await fetch(`${info.url}/_sandbox/requests`, { method: 'DELETE' });
      global.gc?.();
      const { result, seconds, peakRssMb, peakHeapMb } = await measure(() => env.runTask(exportInvoicesTask, { exportMode: 'All', outputFile: `bench-${references.replace(' ', '-')}.xml`, ...extra }));
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
      fs.rmSync(file);
    }
  } finally {
    await env.close();
    child.disconnect();
  }
}

if (process.argv.includes(CHILD_FLAG)) await serveSandbox();
else await main();
