// The per-connection request budget against a sandbox throttled like a ConnectWise tenant: a
// payments import and an invoice export with references run together on one connection, first with
// the budget set to the sandbox's cap, then without a budget. Reported: the requests per minute the
// sandbox accepted as a share of its cap (goal ≥ 0.9 with the budget) and the share of requests it
// answered 429 (goal < 2%). A small cap keeps the run short.
import path from 'node:path';
import { startSandbox } from '../../src/simulator/index.js';
import { exportInvoicesTask } from '../../src/tasks/connectwise/export-invoices.js';
import { importInvoicePaymentsTask } from '../../src/tasks/connectwise/import-invoice-payments.js';
import { makeTaskEnv } from '../../test/support/task-context.js';
import { writePaymentsFile } from '../../test/tasks/connectwise/payments/payments-file.js';
import { report, round } from './harness.js';

const CAP = Number(process.env['BENCH_RATE_LIMIT'] ?? 600);
const PAYMENTS = Number(process.env['BENCH_RATE_PAYMENTS'] ?? 250);

const sandbox = await startSandbox({ seed: 4, size: { invoices: 2500, companies: 60 } });
const unpaid = sandbox.control.invoices().filter((i) => (i['total'] as number) >= 1 && sandbox.control.paymentsForInvoice(i['id'] as number).length === 0).map((i) => i['id'] as number);
let next = 0;
try {
  for (const run of [
    { label: `budget ${CAP}/min`, requestsPerMinute: CAP },
    { label: 'no budget', requestsPerMinute: 0 },
  ]) {
    const c = sandbox.connectwise;
    const env = await makeTaskEnv(sandbox, {
      config: {
        connections: {
          cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', requestsPerMinute: run.requestsPerMinute },
        },
        // The agent's defaults: six attempts within two minutes.
        http: { timeoutMs: 30_000, connectTimeoutMs: 5000, maxAttempts: 6, retryBudgetMs: 120_000, baseDelayMs: 500, maxDelayMs: 30_000, connections: 8 },
      },
    });
    const invoices = unpaid.slice(next, next + PAYMENTS);
    next += PAYMENTS;
    const file = writePaymentsFile(
      path.join(env.dir, 'payments.xml'),
      invoices.map((invoiceId, i) => ({ externalId: `R-${run.requestsPerMinute}-${i}`, invoiceId, amount: 1, paymentDate: '2024-05-01' })),
    );
    sandbox.control.resetRequests();
    sandbox.control.setRateLimit(CAP);
    const started = Date.now();
    const [payments, exported] = await Promise.allSettled([
      env.runTask(importInvoicePaymentsTask, {}, file),
      env.runTask(exportInvoicesTask, { exportMode: 'All', pageSize: 100, referencesToFetch: { reference: ['company', 'billingTerms', 'currency', 'status'] }, referencesPageSize: 5 }),
    ]);
    const minutes = (Date.now() - started) / 60_000;
    const total = sandbox.control.requests().total;
    const refused = sandbox.control.rateLimit().refused;
    const outcome = (r: PromiseSettledResult<{ recordsOk: number; recordsFailed: number }>) =>
      r.status === 'fulfilled' ? `${r.value.recordsOk} ok, ${r.value.recordsFailed} failed` : `failed: ${(r.reason as Error).message.slice(0, 60)}`;
    report({
      bench: `Rate budget: payments import + invoice export together, sandbox capped at ${CAP}/min`,
      run: run.label,
      seconds: round(minutes * 60, 1),
      requests: total,
      '429s': refused,
      'share 429 (goal < 2%)': `${round((100 * refused) / Math.max(1, total), 1)}%`,
      'accepted/min': round((total - refused) / minutes, 0),
      'of cap (goal ≥ 0.9)': round((total - refused) / minutes / CAP, 2),
      payments: outcome(payments),
      invoices: outcome(exported),
    });
    await env.close();
  }
} finally {
  sandbox.control.setRateLimit(0);
  await sandbox.close();
}
