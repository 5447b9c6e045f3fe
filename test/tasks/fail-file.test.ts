// Reading a payments fail file back (as the import wrote it) and making a new input of its records.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DropwiseError } from '../../src/errors.js';
import { importInvoicePaymentsTask } from '../../src/tasks/connectwise/import-invoice-payments.js';
import { ResultFiles } from '../../src/tasks/connectwise/payments/result-files.js';
import { inputOfRecords } from '../../src/tasks/fail-file.js';
import type { Outbox } from '../../src/tasks/types.js';
import { readRecords } from '../../src/xml/reader.js';
import { makeTempDir } from '../support/workspace.js';

const input = `<?xml version="1.0" encoding="utf-8"?>
<InvoicePayments xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <InvoicePayment><externalId>PAY-1 &amp; co</externalId><invoice><id>900</id></invoice><amount>10</amount><type xsi:nil="true"/></InvoicePayment>
  <InvoicePayment><invoice><identifier>INV-7</identifier></invoice><amount>x</amount></InvoicePayment>
</InvoicePayments>`;

describe('readFailures of the payments import', () => {
  it('gives back each record as it came in, its keys and its errors, and the records make a valid new input', async () => {
    const dir = await makeTempDir();
    const inputFile = path.join(dir, 'in.xml');
    await fs.writeFile(inputFile, input);
    // The fail file written by the import's own ResultFiles, into a plain folder.
    const outbox: Outbox = {
      create: async (_folder, name) => {
        const { createWriteStream } = await import('node:fs');
        const stream = createWriteStream(path.join(dir, name));
        return { name, stream, commit: () => new Promise((resolve) => stream.end(() => resolve(path.join(dir, name)))), abort: async () => undefined };
      },
    };
    const files = new ResultFiles(outbox, { success: 's.xml', fail: 'f.xml' }, 'InvoicePayments');
    const errors = [
      [new DropwiseError('DW_CW_NOT_FOUND', 'Invoice 900 not found', { field: 'invoice/id', httpStatus: 404 })],
      [new DropwiseError('DW_RECORD_INVALID', 'Record 2: amount is not a number', { field: 'amount' }), new DropwiseError('DW_RECORD_INVALID', 'Record 2: invoice/id is missing')],
    ];
    for await (const { index, element } of readRecords(inputFile, { expectRoot: 'InvoicePayments' })) await files.fail(element, errors[index] ?? []);
    const [failFile] = await files.commit();

    const read = [];
    for await (const r of importInvoicePaymentsTask.readFailures?.(failFile ?? '') ?? []) read.push(r);
    expect(read.map(({ record: _r, ...rest }) => rest)).toEqual([
      { index: 0, invoiceId: '900', externalId: 'PAY-1 & co', errors: [{ code: 'DW_CW_NOT_FOUND', message: 'Invoice 900 not found', field: 'invoice/id', httpStatus: 404 }] },
      { index: 1, invoiceId: 'INV-7', errors: [{ code: 'DW_RECORD_INVALID', message: 'Record 2: amount is not a number', field: 'amount' }, { code: 'DW_RECORD_INVALID', message: 'Record 2: invoice/id is missing' }] },
    ]);
    expect(read[0]?.record).not.toContain('<errors>');
    expect(read[0]?.record).toContain('<externalId>PAY-1 &amp; co</externalId>');

    const retry = path.join(dir, 'retry.xml');
    await fs.writeFile(retry, inputOfRecords('InvoicePayments', read.map((r) => r.record)));
    const report = await importInvoicePaymentsTask.validateFile?.(retry, { successFile: 's', failFile: 'f', preventReprocessing: false });
    expect(report?.records).toBe(2);
    expect(report?.problems.map((p) => p.record)).toEqual([2, 2]);
  });
});
