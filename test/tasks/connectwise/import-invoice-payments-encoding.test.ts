// An import file in ISO-8859-1 keeps its externalIds as they were written: `Kø-1` and `Kæ-1` are two
// payments, two truth-table entries and two records in the UTF-8 success file, not two `K�-1`. A file
// with bytes that are not text in its encoding fails as a whole before any request, saying where.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importInvoicePaymentsTask } from '../../../src/tasks/connectwise/import-invoice-payments.js';
import { withSandbox } from '../../support/sandbox.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';
import { outputRecords, paymentXml, unpaidInvoices } from './payments/payments-file.js';

const sandbox = withSandbox({ seed: 4 });
let env: TaskEnv;
beforeEach(async () => {
  sandbox().control.reset({ seed: 4 });
  env = await makeTaskEnv(sandbox());
});
afterEach(async () => {
  await env.close();
});

function latin1File(name: string, invoices: [string, number][]): string {
  const text = `<?xml version="1.0" encoding="ISO-8859-1"?>\n<InvoicePayments>\n${invoices.map(([externalId, invoiceId]) => paymentXml({ externalId, invoiceId, amount: 3, paymentDate: '2024-02-01T00:00:00Z' })).join('')}</InvoicePayments>\n`;
  const file = path.join(env.dir, name);
  fs.writeFileSync(file, Buffer.from(text, 'latin1'));
  return file;
}

describe('connectwise.import-invoice-payments: encodings', () => {
  it('imports ISO-8859-1 externalIds as they are, each once, and writes them back in UTF-8', async () => {
    const [a, b] = unpaidInvoices(sandbox(), 2) as [number, number];
    const file = latin1File('betalinger.xml', [['Kø-1', a], ['Kæ-1', b]]);
    const outcome = await env.runTask(importInvoicePaymentsTask, { preventReprocessing: 'True' }, file);
    expect(outcome).toMatchObject({ status: 'success', recordsOk: 2, recordsFailed: 0, details: { created: 2 } });
    expect(sandbox().control.created().payments).toHaveLength(2);
    expect((await env.store.truth.get('cw', 'invoicePayment', 'Kø-1'))?.id).toBe(sandbox().control.paymentsForInvoice(a)[0]?.['id']);
    expect((await env.store.truth.get('cw', 'invoicePayment', 'Kæ-1'))?.id).toBe(sandbox().control.paymentsForInvoice(b)[0]?.['id']);
    const success = path.join(env.folders.success, 'betalinger_success.xml');
    expect(fs.readFileSync(success, 'utf8')).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>/);
    const records = outputRecords(success);
    expect(records[0]).toContain('<externalId>Kø-1</externalId>');
    expect(records[1]).toContain('<externalId>Kæ-1</externalId>');
    expect(fs.readFileSync(success, 'utf8')).not.toContain('\uFFFD');
  });

  it('refuses a UTF-8 file with a Latin-1 byte as a whole, naming the byte and line, before any request', async () => {
    const [a, b] = unpaidInvoices(sandbox(), 2) as [number, number];
    const file = path.join(env.dir, 'mixed.xml');
    const head = `<?xml version="1.0" encoding="utf-8"?>\n<InvoicePayments>\n${paymentXml({ externalId: 'Kø-1', invoiceId: a, amount: 3 })}`;
    const bad = paymentXml({ externalId: 'K\u0000-1', invoiceId: b, amount: 3 }).split('\u0000');
    fs.writeFileSync(file, Buffer.concat([Buffer.from(head), Buffer.from(bad[0] as string), Buffer.from([0xe6]), Buffer.from(`${bad[1] as string}</InvoicePayments>\n`)]));
    sandbox().control.resetRequests();
    const offset = Buffer.byteLength(head + (bad[0] as string));
    const line = (head + (bad[0] as string)).split('\n').length;
    await expect(env.runTask(importInvoicePaymentsTask, {}, file)).rejects.toMatchObject({ code: 'DW_XML_ENCODING', message: expect.stringContaining(`not valid UTF-8 at byte ${offset} (line ${line})`) as string });
    expect(sandbox().control.created().payments).toHaveLength(0);
    expect(sandbox().control.requests().total).toBe(0);
  });
});
