// The failed-records store on real files: appended lines survive a reopen, a line cut off by a crash
// is skipped, search narrows by text, code and run, pages newest first.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonLinesFailedRecords } from '../../src/state/failed-records.js';
import type { NewFailedRecord } from '../../src/state/store.js';
import { makeTempDir } from '../support/workspace.js';

const record = (runId: string, index: number, invoiceId: string, code = 'DW_CW_NOT_FOUND'): NewFailedRecord => ({
  runId,
  task: 'connectwise.import-invoice-payments',
  file: `payments-${runId}.xml`,
  failFile: `/outbox/fail/payments-${runId}_fail.xml`,
  index,
  record: `  <InvoicePayment><invoice><id>${invoiceId}</id></invoice></InvoicePayment>\n`,
  invoiceId,
  externalId: `PAY-${invoiceId}`,
  errors: [{ code, message: `ConnectWise: Invoice recId ${invoiceId} not found`, field: 'invoice/id', httpStatus: 404 }],
});

describe('JsonLinesFailedRecords', () => {
  it('keeps what it was given across a reopen and finds it by invoice id, externalId, code and run', async () => {
    const file = path.join(await makeTempDir(), 'failed-records.jsonl');
    const store = new JsonLinesFailedRecords(file);
    const [first] = await store.add([record('r1', 0, '501'), record('r1', 2, '502', 'DW_RECORD_INVALID')]);
    await store.add([record('r2', 1, '601')]);
    await store.add([]);
    await fs.appendFile(file, '{"id":"cut-off","runId":"r3","err');

    const reopened = new JsonLinesFailedRecords(file);
    expect((await reopened.search()).total).toBe(3);
    expect((await reopened.search()).records.map((r) => r.invoiceId)).toEqual(['601', '502', '501']);
    expect((await reopened.search({ text: 'pay-502' })).records.map((r) => r.index)).toEqual([2]);
    expect((await reopened.search({ text: '50' })).total).toBe(2);
    expect((await reopened.search({ code: 'DW_RECORD_INVALID' })).records.map((r) => r.invoiceId)).toEqual(['502']);
    expect((await reopened.search({ runId: 'r2' })).total).toBe(1);
    expect(await reopened.search({ text: '50', limit: 1, offset: 1 })).toMatchObject({ total: 2, records: [{ invoiceId: '501' }] });
    expect(await reopened.search({ runId: 'r1', limit: 0 })).toEqual({ total: 2, records: [] });
    expect(await reopened.get(first?.id ?? '')).toEqual(first);
    expect(await reopened.get('cut-off')).toBeUndefined();
  });

  it('says which file it cannot read, and a missing file is an empty store', async () => {
    const dir = await makeTempDir();
    expect(await new JsonLinesFailedRecords(path.join(dir, 'none.jsonl')).search()).toEqual({ records: [], total: 0 });
    await fs.mkdir(path.join(dir, 'a-folder.jsonl'));
    await expect(new JsonLinesFailedRecords(path.join(dir, 'a-folder.jsonl')).search()).rejects.toMatchObject({ code: 'DW_STATE_READ' });
  });
});
