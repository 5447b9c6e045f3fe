// The failed records' contract, on both backends: kept across a reopen, searched by text (invoice id,
// externalId, file name, error code, message, field), code and run, newest first, a page at a time.
import { describe, expect, it } from 'vitest';
import type { NewFailedRecord } from '../../../src/state/index.js';
import { BACKENDS } from './backends.js';

const record = (runId: string, index: number, invoiceId: string, code = 'DW_CW_NOT_FOUND', field = 'invoice/id'): NewFailedRecord => ({
  runId,
  task: 'connectwise.import-invoice-payments',
  taskName: 'payments',
  file: `payments-${runId}.xml`,
  failFile: `/outbox/fail/payments-${runId}_fail.xml`,
  index,
  record: `  <InvoicePayment><invoice><id>${invoiceId}</id></invoice></InvoicePayment>\n`,
  invoiceId,
  externalId: `PAY-${invoiceId}`,
  errors: [{ code, message: `ConnectWise: Invoice recId ${invoiceId} not found`, field, httpStatus: 404 }],
});

describe.each(BACKENDS)('failed records ($name)', (backend) => {
  it('keeps what it was given across a reopen and finds it by text, code and run, newest first', async () => {
    const state = await backend.fresh();
    const store = state.open();
    const [first] = await store.failures.add([record('r1', 0, '501'), record('r1', 2, '502', 'DW_RECORD_INVALID', 'amount')]);
    await store.failures.add([record('r2', 1, '601')]);
    expect(await store.failures.add([])).toEqual([]);
    await store.close();

    const reopened = state.open().failures;
    expect((await reopened.search()).total).toBe(3);
    expect((await reopened.search()).records.map((r) => r.invoiceId)).toEqual(['601', '502', '501']);
    expect((await reopened.search({ text: 'pay-502' })).records.map((r) => r.index)).toEqual([2]);
    expect((await reopened.search({ text: ' 50 ' })).total).toBe(2);
    expect((await reopened.search({ text: 'AMOUNT' })).records.map((r) => r.invoiceId)).toEqual(['502']);
    expect((await reopened.search({ text: 'payments-r2' })).total).toBe(1);
    expect((await reopened.search({ text: 'not found' })).total).toBe(3);
    expect((await reopened.search({ text: 'dw_record_inv' })).total).toBe(1);
    expect((await reopened.search({ code: 'DW_RECORD_INVALID' })).records.map((r) => r.invoiceId)).toEqual(['502']);
    expect((await reopened.search({ code: 'DW_RECORD' })).total).toBe(0);
    expect((await reopened.search({ runId: 'r2' })).total).toBe(1);
    expect(await reopened.search({ text: '50', limit: 1, offset: 1 })).toMatchObject({ total: 2, records: [{ invoiceId: '501' }] });
    expect(await reopened.search({ runId: 'r1', limit: 0 })).toEqual({ total: 2, records: [] });
    expect(await reopened.get(first?.id ?? '')).toEqual(first);
    expect(await reopened.get('no-such-id')).toBeUndefined();
  });
});
