// The payments import reads the truth table in batches: the externalIds of the records read ahead are
// looked up together (getMany), never one request per record, and each record still sees its own entry.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { importInvoicePaymentsTask } from '../../../../src/tasks/connectwise/import-invoice-payments.js';
import { LOOKUP_AHEAD } from '../../../../src/tasks/connectwise/payments/invoice-payments-lookup.js';
import { TRUTH_ENTITY } from '../../../../src/tasks/connectwise/payments/payment-truth.js';
import { withSandbox } from '../../../support/sandbox.js';
import { makeTaskEnv, type TaskEnv } from '../../../support/task-context.js';
import { unpaidInvoices, writePaymentsFile } from './payments-file.js';

const sandbox = withSandbox({ seed: 8, size: { invoices: 600 } });
let env: TaskEnv;

beforeEach(async () => {
  sandbox().control.reset();
  env = await makeTaskEnv(sandbox());
});
afterEach(async () => {
  vi.restoreAllMocks();
  await env.close();
});

describe('PaymentTruth in the payments import', () => {
  it('looks up a window of records at a time, and refuses the externalIds imported before', async () => {
    const invoices = unpaidInvoices(sandbox(), 250, 1);
    const known = new Set([3, 77, 150, 249]);
    await env.store.truth.putMany(
      [...known].map((i) => ({ connection: 'cw', entity: TRUTH_ENTITY, externalId: `T-${i}`, id: 900_000 + i, hash: 'h', created: '2026-01-01T00:00:00Z', modified: '2026-01-01T00:00:00Z' })),
    );
    const get = vi.spyOn(env.store.truth, 'get');
    const getMany = vi.spyOn(env.store.truth, 'getMany');
    const file = writePaymentsFile(path.join(env.dir, 'batch.xml'), invoices.map((invoiceId, i) => ({ externalId: `T-${i}`, invoiceId, amount: 1, paymentDate: '2024-05-01' })));
    const outcome = await env.runTask(importInvoicePaymentsTask, { preventReprocessing: true }, file);
    expect(outcome).toMatchObject({ status: 'partial', recordsOk: 246, recordsFailed: 4, details: { created: 246, alreadyProcessed: 4 } });
    expect(get).not.toHaveBeenCalled();
    // About one batch per LOOKUP_AHEAD records (a record that asks before its window was read ahead starts one early).
    expect(getMany.mock.calls.length).toBeLessThanOrEqual(Math.ceil(250 / LOOKUP_AHEAD) + 2);
    expect(getMany.mock.calls.flatMap((call) => call[2]).sort()).toEqual(invoices.map((_, i) => `T-${i}`).sort());
    expect(await env.store.truth.count()).toBe(250);
  });
});
