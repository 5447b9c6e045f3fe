// The real agent as a child process, killed with SIGKILL in the middle of a 2,000-record payments file
// and started again: ConnectWise ends with exactly one payment per invoice, made by exactly one create,
// and every record is in exactly one output file.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/simulator/index.js';
import { finished, spawnCli, type CliResult } from '../../support/cli.js';
import buildDist from '../../support/global-setup.js';
import { filesUnder, makeTempDir, waitFor } from '../../support/workspace.js';
import { outputRecords, unpaidInvoices, writePaymentsFile } from './payments/payments-file.js';

const RECORDS = 2000;
let sandbox: Sandbox;

beforeAll(async () => {
  buildDist();
  sandbox = await startSandbox({ seed: 7, size: { invoices: 2700 }, latencyMs: 5 });
});
afterAll(async () => {
  await sandbox.close();
});

async function agentDir(): Promise<{ dir: string; config: string }> {
  const dir = await makeTempDir('dw-payments-crash-');
  const config = path.join(dir, 'dropwise.json');
  const c = sandbox.connectwise;
  await fs.writeFile(
    config,
    JSON.stringify({
      watch: { stabilityMs: 200, sweepMs: 500, concurrency: 2 },
      sandbox: { mode: 'off' },
      log: { file: 'logs/dropwise.log', console: true, level: 'info' },
      processing: { recordConcurrency: 8 },
      http: { timeoutMs: 10_000, connectTimeoutMs: 2000, maxAttempts: 5, retryBudgetMs: 20_000, baseDelayMs: 10, maxDelayMs: 200, connections: 8 },
      connections: { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', requestsPerMinute: 0 } },
    }),
  );
  return { dir, config };
}

async function startAgent(config: string): Promise<{ child: ChildProcess; done: Promise<CliResult> }> {
  const child = spawnCli(['start', '--config', config]);
  const done = finished(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('dropwise is watching') || child.exitCode !== null, 20_000, () => 'the agent to start');
  return { child, done };
}

describe('connectwise.import-invoice-payments under SIGKILL', () => {
  it('leaves exactly one payment per invoice and every record in exactly one output', async () => {
    const { dir, config } = await agentDir();
    const invoices = unpaidInvoices(sandbox, RECORDS, 1);
    const createdBefore = sandbox.control.created().payments.length;
    const staged = writePaymentsFile(
      path.join(dir, 'payments.xml'),
      invoices.map((invoiceId, i) => ({ externalId: `K-${i}`, invoiceId, amount: 1 + (i % 7) / 100, paymentDate: '2024-05-01' })),
    );

    const first = await startAgent(config);
    await fs.rename(staged, path.join(dir, 'inbox', 'payments.xml'));
    await waitFor(() => sandbox.control.created().payments.length - createdBefore >= 300, 60_000, () => 'some payments to be created');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const createdAtKill = sandbox.control.created().payments.length - createdBefore;
    expect(createdAtKill, 'the kill came in the middle of the file').toBeLessThan(RECORDS);
    expect(await filesUnder(path.join(dir, 'outbox'))).toEqual([]);

    const second = await startAgent(config);
    const successFile = path.join(dir, 'outbox', 'success', 'payments_success.xml');
    await waitFor(async () => (await filesUnder(path.join(dir, 'archive'))).length === 1, 90_000, () => 'the file to be finished');
    second.child.kill('SIGTERM');
    expect((await second.done).code).toBe(0);

    // ConnectWise: one payment on every invoice, each made by one create, with the record's values.
    expect(sandbox.control.created().payments.length - createdBefore).toBe(RECORDS);
    for (const [i, invoiceId] of invoices.entries()) {
      expect(sandbox.control.paymentsForInvoice(invoiceId), `invoice ${invoiceId}`).toEqual([expect.objectContaining({ amount: 1 + (i % 7) / 100, paymentDate: '2024-05-01T00:00:00Z' })]);
    }
    // Outputs: every record exactly once, in input order, all in the success file (none failed).
    expect(await filesUnder(path.join(dir, 'outbox', 'fail'))).toEqual([]);
    const ids = outputRecords(successFile).map((r) => /<externalId>K-(\d+)<\/externalId>/.exec(r)?.[1]);
    expect(ids).toEqual(invoices.map((_, i) => String(i)));
    expect(await filesUnder(path.join(dir, 'work', 'processing'))).toEqual([]);
  });
});
