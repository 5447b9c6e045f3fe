// Unposted lists, the GL export (flags, thruDate, locationId, streaming) and batches that post records.
import { describe, expect, it } from 'vitest';
import { connectWiseHeaders, withSandbox } from '../../support/sandbox.js';
import { cw, q, type Row } from '../helpers.js';

type Doc = Record<string, Row[]>;

describe('accounting', () => {
  const sandbox = withSandbox({ size: { unpostedInvoices: 60, unpostedExpenses: 20, unpostedProcurement: 20, detailLinesPerTransaction: 2 } });
  const exportDoc = async (body: Row): Promise<Doc> => (await cw<Doc>(sandbox(), '/finance/accounting/export', { method: 'POST', body })).body;

  it('exports only what the flags ask for, shaped like seed 002', async () => {
    const invoicesOnly = await exportDoc({ exportInvoicesFlag: true });
    expect(invoicesOnly['transactions']).toHaveLength(60);
    expect(invoicesOnly['customers']?.length).toBeGreaterThan(0);
    expect(invoicesOnly['vendors']).toEqual([]);
    expect(invoicesOnly['expenses']).toEqual([]);
    const t = invoicesOnly['transactions']?.[0] ?? {};
    expect(Object.keys(t).slice(0, 6)).toEqual(['id', 'glClass', 'glTypeId', 'documentDate', 'documentNumber', 'documentType']);
    expect(t['documentDate']).toMatch(/^\d{4}-\d\d-\d\dT00:00:00$/);
    const detail = t['detail'] as Row[];
    expect(detail).toHaveLength(3);
    expect(t['glEntryIds']).toBe(detail.map((d) => d['id']).join(','));
    const procurement = await exportDoc({ exportProductsFlag: true });
    expect(procurement['purchaseTransactions']).toHaveLength(20);
    expect(procurement['vendors']?.length).toBeGreaterThan(0);
    expect(procurement['transactions']).toEqual([]);
    const expenses = await exportDoc({ exportExpensesFlag: true });
    expect(expenses['expenses']).toHaveLength(20);
    const none = await cw<Row>(sandbox(), '/finance/accounting/export', { method: 'POST', body: {} });
    expect(none.status).toBe(400);
  });

  it('honours thruDate and locationId', async () => {
    const sb = sandbox();
    const all = (await cw<Row[]>(sb, '/finance/accounting/unpostedinvoices?pageSize=1000')).body;
    const dates = all.map((r) => r['invoiceDate'] as string).sort();
    const thru = dates[29] ?? '';
    const expected = all.filter((r) => (r['invoiceDate'] as string) <= thru).length;
    expect((await exportDoc({ exportInvoicesFlag: true, thruDate: thru }))['transactions']).toHaveLength(expected);
    const atTwo = all.filter((r) => r['locationId'] === 2).map((r) => r['id']);
    expect((await exportDoc({ exportInvoicesFlag: true, locationId: 2 }))['transactions']?.map((t) => t['id'])).toEqual(atTwo);
    expect((await exportDoc({ exportInvoicesFlag: true, locationId: 0 }))['transactions']).toHaveLength(60);
    const byCondition = await cw<{ count: number }>(sb, `/finance/accounting/unpostedinvoices/count?conditions=${q('locationId = 2')}`);
    expect(byCondition.body.count).toBe(atTwo.length);
  });

  it('a batch from processedRecordIds posts those records: gone from the lists and later exports', async () => {
    const sb = sandbox();
    const before = await exportDoc({ exportInvoicesFlag: true, exportExpensesFlag: true });
    const tx = before['transactions']?.slice(0, 3) ?? [];
    const processedRecordIds = [...tx.flatMap((t) => String(t['glEntryIds']).split(',').map(Number)), before['expenses']?.[0]?.['id'] as number];
    const batchCountBefore = (await cw<{ count: number }>(sb, '/finance/accounting/batches/count')).body.count;
    const created = await cw<Doc>(sb, '/finance/accounting/batches', { method: 'POST', body: { batchIdentifier: 'nightly-1', processedRecordIds } });
    expect(created.status).toBe(201);
    expect(created.body['transactions']?.map((t) => t['id'])).toEqual(tx.map((t) => t['id']));
    expect(created.body['expenses']).toHaveLength(1);
    const after = await exportDoc({ exportInvoicesFlag: true, exportExpensesFlag: true });
    expect(after['transactions']).toHaveLength((before['transactions']?.length ?? 0) - 3);
    expect(after['expenses']).toHaveLength((before['expenses']?.length ?? 0) - 1);
    expect((await cw(sb, `/finance/accounting/unpostedinvoices/${String(tx[0]?.['id'])}`)).status).toBe(404);
    const batches = await cw<Row[]>(sb, `/finance/accounting/batches?conditions=${q('batchIdentifier = "nightly-1"')}`);
    expect(batches.body).toHaveLength(1);
    expect(batches.body[0]).toMatchObject({ exportInvoicesFlag: true, exportExpensesFlag: true, exportProductsFlag: false });
    expect((await cw<{ count: number }>(sb, '/finance/accounting/batches/count')).body.count).toBe(batchCountBefore + 1);
    expect(sb.control.created().batches).toHaveLength(1);

    const twice = await cw<Row>(sb, '/finance/accounting/batches', { method: 'POST', body: { processedRecordIds } });
    expect(twice.status).toBe(400);
    expect(twice.body).toMatchObject({ errors: [{ field: 'processedRecordIds' }] });
    expect((await cw(sb, '/finance/accounting/batches', { method: 'POST', body: {} })).status).toBe(400);

    const batchId = batches.body[0]?.['id'] as number;
    const again = await cw<Doc>(sb, `/finance/accounting/batches/${batchId}/export`, { method: 'POST', body: {} });
    expect(again.body['transactions']).toHaveLength(3);
    expect((await cw(sb, `/finance/accounting/batches/${batchId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await exportDoc({ exportInvoicesFlag: true }))['transactions']).toHaveLength(60);
  });

  it('refuses an existing batchIdentifier, unknown and already batched ids apart, as ConnectWise does; DELETE frees both', async () => {
    const sb = sandbox();
    const ids = (invoice: number): number[] => sb.control.glEntryIds('invoice', invoice);
    const create = (body: Row) => cw<Row>(sb, '/finance/accounting/batches', { method: 'POST', body });
    const first = await create({ batchIdentifier: 'refusals-1', processedRecordIds: ids(1), exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: true });
    expect(first.status).toBe(201);
    const stored = sb.control.batches().find((b) => b['batchIdentifier'] === 'refusals-1');
    // The flags sent are kept as sent.
    expect(stored).toMatchObject({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: true });

    const sameIdentifier = await create({ batchIdentifier: 'refusals-1', processedRecordIds: ids(2) });
    expect(sameIdentifier.status).toBe(400);
    expect(sameIdentifier.body).toEqual({
      code: 'InvalidObject',
      message: 'accountingBatch object is invalid',
      errors: [{ code: 'ObjectExists', message: 'A batch with the batchIdentifier "refusals-1" already exists.', resource: 'accountingBatch', field: 'batchIdentifier' }],
    });
    const batched = await create({ batchIdentifier: 'refusals-2', processedRecordIds: [...ids(2), ...ids(1)] });
    expect(batched.status).toBe(400);
    expect(batched.body).toMatchObject({ code: 'InvalidObject', errors: [{ code: 'InvalidField', field: 'processedRecordIds', message: `GL entries already in a batch: ${ids(1).join(', ')}` }] });
    const unknown = await create({ batchIdentifier: 'refusals-2', processedRecordIds: [...ids(2), 999] });
    expect(unknown.body).toMatchObject({ errors: [{ code: 'NotFound', field: 'processedRecordIds', message: 'GL entries not found: 999' }] });
    const tooLong = await create({ batchIdentifier: 'x'.repeat(51), processedRecordIds: ids(2) });
    expect(tooLong.body).toMatchObject({ errors: [{ code: 'MaxLengthField', field: 'batchIdentifier' }] });
    // Nothing refused was created.
    expect(sb.control.unposted('invoice', 2)).toBeDefined();

    expect((await cw(sb, `/finance/accounting/batches/${String(stored?.['id'])}`, { method: 'DELETE' })).status).toBe(204);
    expect(sb.control.unposted('invoice', 1)).toBeDefined();
    expect((await create({ batchIdentifier: 'refusals-1', processedRecordIds: ids(1) })).status).toBe(201);
  });

  it('generates a large ledger lazily and streams its export', async () => {
    const sb = sandbox();
    sb.control.reset({ size: { unpostedInvoices: 5_000, detailLinesPerTransaction: 1 } });
    try {
      const count = await cw<{ count: number }>(sb, '/finance/accounting/unpostedinvoices/count');
      expect(count.body.count).toBe(5_000);
      const r = await fetch(`${sb.connectwise.url}/finance/accounting/export`, {
        method: 'POST',
        headers: { ...connectWiseHeaders(sb), 'Content-Type': 'application/json' },
        body: JSON.stringify({ exportInvoicesFlag: true }),
      });
      expect(r.headers.get('transfer-encoding')).toBe('chunked');
      const doc = (await r.json()) as Doc;
      expect(doc['transactions']).toHaveLength(5_000);
      expect(doc['transactions']?.[4_999]?.['id']).toBe(5_000);
    } finally {
      sb.control.reset({ size: { unpostedInvoices: 60, unpostedExpenses: 20, unpostedProcurement: 20, detailLinesPerTransaction: 2 } });
    }
  });

  it('a batch lists its entries, one per GL entry it posted, agreeing with its GLExport (count, by id, conditions)', async () => {
    const sb = sandbox();
    const ids = [...sb.control.glEntryIds('invoice', 5), ...sb.control.glEntryIds('expense', 5), ...sb.control.glEntryIds('procurement', 5)];
    const created = await cw<Doc>(sb, '/finance/accounting/batches', { method: 'POST', body: { processedRecordIds: ids } });
    expect(created.status).toBe(201);
    const batch = sb.control.created().batches.at(-1) as Row;
    const base = `/finance/accounting/batches/${String(batch['id'])}/entries`;
    const entries = (await cw<Row[]>(sb, base)).body;
    expect(entries.map((e) => e['id'])).toEqual([...ids].sort((a, b) => a - b));
    const transaction = created.body['transactions']?.[0] as Row;
    const revenue = (transaction['detail'] as Row[])[0] as Row;
    expect(entries.find((e) => e['id'] === revenue['id'])).toMatchObject({ accountNumber: revenue['accountNumber'], credit: -(revenue['total'] as number), debit: 0, invoice: { identifier: transaction['documentNumber'] } });
    const expense = created.body['expenses']?.[0] as Row;
    expect(entries.find((e) => e['id'] === expense['id'])).toMatchObject({ accountNumber: '6000', debit: expense['total'], credit: 0 });
    expect((await cw(sb, `${base}/count`)).body).toEqual({ count: ids.length });
    expect((await cw<Row>(sb, `${base}/${String(ids[0])}`)).body['id']).toBe(ids[0]);
    expect((await cw<Row[]>(sb, `${base}?conditions=${q('accountNumber = "6000"')}`)).body.map((e) => e['id'])).toEqual([expense['id']]);
    expect((await cw<Row>(sb, `${base}?conditions=${q('nosuch = 1')}`)).status).toBe(400);
    expect((await cw<Row>(sb, '/finance/accounting/batches/9999/entries')).status).toBe(404);
    // Seeded batches posted history outside the unposted range: they have no entries here.
    expect((await cw<Row[]>(sb, '/finance/accounting/batches/1/entries')).body).toEqual([]);
  });

  it('unposted records list their taxable levels; GL accounts cover every account the exports use', async () => {
    const sb = sandbox();
    const unposted = (await cw<Row>(sb, '/finance/accounting/unpostedinvoices/7')).body;
    const levels = (await cw<Row[]>(sb, '/finance/accounting/unpostedinvoices/7/taxableLevels')).body;
    expect(levels).toEqual([{ id: 1, taxLevel: 1, taxCodeXref: unposted['stateTaxXref'], taxAmount: unposted['salesTaxAmount'] }]);
    expect((await cw(sb, '/finance/accounting/unpostedexpenses/2/taxableLevels/count')).body).toEqual({ count: 1 });
    expect((await cw<Row>(sb, '/finance/accounting/unpostedprocurement/2/taxableLevels/1')).body).toMatchObject({ id: 1, taxLevel: 1 });
    expect((await cw(sb, '/finance/accounting/unpostedinvoices/9999/taxableLevels')).status).toBe(404);
    const accounts = new Set((await cw<Row[]>(sb, '/finance/glAccounts?pageSize=1000')).body.map((a) => a['segment1']));
    const doc = await exportDoc({ exportInvoicesFlag: true, exportExpensesFlag: true, exportProductsFlag: true });
    const used = new Set<unknown>();
    for (const t of doc['transactions'] ?? []) for (const d of t['detail'] as Row[]) used.add(d['accountNumber']);
    for (const e of doc['expenses'] ?? []) used.add(e['accountNumber']);
    for (const p of doc['purchaseTransactions'] ?? []) for (const d of p['purchaseDetail'] as Row[]) used.add(d['accountNumber']);
    expect([...used].filter((a) => !accounts.has(a))).toEqual([]);
    expect((await cw<Row[]>(sb, `/finance/glAccounts?conditions=${q('glType = "AR"')}`)).body.map((a) => a['segment1'])).toEqual(['1200']);
  });
});
