// Every `_href` the sandbox writes resolves: each collection (both API versions), a GL export and a
// batch are walked, and every distinct href found is fetched and must answer 200.
import { describe, expect, it } from 'vitest';
import { withSandbox } from '../../support/sandbox.js';
import { DANGLING_COMPANY_ID, DANGLING_TERMS_ID } from '../../../src/simulator/data/invoices.js';
import { cw, type Row } from '../helpers.js';

const COLLECTIONS = [
  '/finance/invoices', '/company/companies', '/company/companies/types', '/company/contacts', '/finance/billingStatuses', '/finance/billingTerms',
  '/finance/taxCodes', '/finance/currencies', '/finance/glAccounts', '/system/locations', '/system/members', '/project/projects',
  '/procurement/purchaseorders', '/finance/agreements', '/procurement/products', '/procurement/catalog', '/procurement/warehouses',
  '/procurement/warehouseBins', '/procurement/shipmentmethods', '/company/companies/1/sites', '/finance/agreements/2/additions',
  '/procurement/purchaseorders/1/lineitems', '/finance/accounting/batches', '/finance/accounting/unpostedinvoices',
  '/finance/accounting/unpostedexpenses', '/finance/accounting/unpostedprocurement', '/finance/invoices/1/payments',
  '/finance/accounting/unpostedinvoices/1/taxableLevels',
];

function collect(value: unknown, into: Map<string, string>, where: string): void {
  if (Array.isArray(value)) value.forEach((v) => collect(v, into, where));
  else if (value !== null && typeof value === 'object') {
    for (const [key, member] of Object.entries(value)) {
      if (key.endsWith('_href') && typeof member === 'string') into.set(member, `${where} ${key}`);
      else collect(member, into, where);
    }
  }
}

describe('every _href resolves', () => {
  const sandbox = withSandbox({ size: { invoices: 120, unpostedInvoices: 10, unpostedExpenses: 5, unpostedProcurement: 5 } });

  it('in collections, GL exports and batches', async () => {
    const sb = sandbox();
    const hrefs = new Map<string, string>();
    const seen = { entries: 0 };
    for (const accept of ['application/vnd.connectwise.com+json; version=2022.1', 'application/vnd.connectwise.com+json; version=2025.1']) {
      for (const path of COLLECTIONS) {
        const r = await cw(sb, `${path}?pageSize=1000`, { headers: { Accept: accept } });
        expect(r.status, path).toBe(200);
        collect(r.body, hrefs, path);
      }
    }
    collect((await cw(sb, '/finance/accounting/export', { method: 'POST', body: { exportInvoicesFlag: true, exportExpensesFlag: true, exportProductsFlag: true } })).body, hrefs, 'export');
    const ids = [...sb.control.glEntryIds('invoice', 1), ...sb.control.glEntryIds('expense', 1), ...sb.control.glEntryIds('procurement', 1)];
    collect((await cw(sb, '/finance/accounting/batches', { method: 'POST', body: { processedRecordIds: ids } })).body, hrefs, 'batch');
    const batches = (await cw<Row[]>(sb, '/finance/accounting/batches?pageSize=1000')).body;
    collect(batches, hrefs, 'batches');
    for (const batch of batches) {
      const entries = await cw<Row[]>(sb, `/finance/accounting/batches/${String(batch['id'])}/entries?pageSize=1000`);
      seen.entries += entries.body.length;
      collect(entries.body, hrefs, 'entries');
    }
    // A batched invoice's 2025.1 glBatch reference points at its batch.
    collect((await cw(sb, '/finance/invoices?pageSize=1000', { headers: { Accept: 'application/vnd.connectwise.com+json; version=2025.1' } })).body, hrefs, 'invoices 2025.1');
    expect(seen.entries).toBe(ids.length);
    expect([...hrefs.keys()].some((h) => h.includes('/batchEntries') || h.endsWith('/entries'))).toBe(true);
    expect([...hrefs.keys()].some((h) => /\/finance\/accounting\/batches\/\d+$/.test(h))).toBe(true);
    expect(hrefs.size).toBeGreaterThan(50);
    // The sandbox dangles two references on purpose (a deleted ship-to company, retired terms), for
    // the agents' missing-reference paths; they must answer 404, everything else 200.
    const dangling = [`/company/companies/${DANGLING_COMPANY_ID}`, `/finance/billingTerms/${DANGLING_TERMS_ID}`];
    const broken: string[] = [];
    for (const [href, where] of hrefs) {
      if (dangling.some((d) => href.endsWith(d))) {
        expect((await cw(sb, href)).status, href).toBe(404);
        continue;
      }
      const r = await cw(sb, href);
      if (r.status !== 200) broken.push(`${r.status} ${href} (from ${where})`);
    }
    expect(broken).toEqual([]);
  });
});
