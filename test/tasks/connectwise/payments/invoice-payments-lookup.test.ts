// Which invoices already carry payments, learnt in batches: against the sandbox, a new payment costs
// its create alone, and a payment of amount 0 (which leaves the invoice's `payments` at 0) is still
// found and adopted.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importInvoicePaymentsTask } from '../../../../src/tasks/connectwise/import-invoice-payments.js';
import { withSandbox } from '../../../support/sandbox.js';
import { makeTaskEnv, type TaskEnv } from '../../../support/task-context.js';
import { outputRecords, paidInvoices, unpaidInvoices, writePaymentsFile } from './payments-file.js';

const sandbox = withSandbox({ seed: 6, size: { invoices: 600 } });
let env: TaskEnv;

beforeEach(async () => {
  sandbox().control.reset();
  env = await makeTaskEnv(sandbox());
});
afterEach(async () => {
  await env.close();
});

describe('InvoicePaymentsLookup in the payments import', () => {
  it('creates 200 new payments with at most 1.1 requests each, and updates the ones already on their invoices', async () => {
    const unpaid = unpaidInvoices(sandbox(), 200, 1);
    const paid = paidInvoices(sandbox(), 5);
    const file = writePaymentsFile(path.join(env.dir, 'batch.xml'), [
      ...unpaid.map((invoiceId, i) => ({ externalId: `N-${i}`, invoiceId, amount: 1, paymentDate: '2024-05-01' })),
      ...paid.map(([invoiceId], i) => ({ externalId: `U-${i}`, invoiceId, amount: 2, paymentDate: '2024-05-01' })),
    ]);
    sandbox().control.resetRequests();
    const outcome = await env.runTask(importInvoicePaymentsTask, {}, file);
    expect(outcome).toMatchObject({ status: 'success', recordsOk: 205, details: { created: 200, updated: 5 } });
    const byRoute = sandbox().control.requests().byRoute;
    expect(byRoute['POST /finance/invoices/{id}/payments']).toBe(200);
    // Only the invoices that carry payments are looked at one by one.
    expect(byRoute['GET /finance/invoices/{id}/payments']).toBe(5);
    expect(byRoute['PATCH /finance/invoices/{id}/payments/{id}']).toBe(5);
    const perCreated = (sandbox().control.requests().total - 2 * 5) / 200;
    expect(perCreated).toBeLessThanOrEqual(1.1);
    for (const invoiceId of unpaid) expect(sandbox().control.paymentsForInvoice(invoiceId)).toHaveLength(1);
  });

  it('finds a payment of amount 0 (the invoice shows no payments) through the refused create, and updates it', async () => {
    const [invoiceId] = unpaidInvoices(sandbox(), 1, 1) as [number];
    // ConnectWise keeps payments of amount 0 (a voided one); the sandbox takes only positive amounts, so one is zeroed.
    const zero = await env.connectors.connectwise('cw').request<{ id: number }>('POST', `/finance/invoices/${invoiceId}/payments`, { body: { amount: 1, paymentDate: '2024-01-01T00:00:00Z' } });
    sandbox().control.modify('payments', zero.data.id, { amount: 0 });
    sandbox().control.modify('invoices', invoiceId, { payments: 0 });
    const file = writePaymentsFile(path.join(env.dir, 'zero.xml'), [{ externalId: 'Z-1', invoiceId, amount: 3, paymentDate: '2024-05-01' }]);
    const outcome = await env.runTask(importInvoicePaymentsTask, {}, file);
    expect(outcome).toMatchObject({ status: 'success', details: { created: 0, updated: 1 } });
    expect(outputRecords(outcome.outputs[0] as string)[0]).toContain(`<paymentId>${zero.data.id}</paymentId>`);
    expect(sandbox().control.paymentsForInvoice(invoiceId)).toMatchObject([{ id: zero.data.id, amount: 3 }]);
  });
});
