import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportGlBatchTask } from '../../../src/tasks/connectwise/export-gl-batch.js';
import { documentToXml } from '../../support/xml-document.js';
import { connectWiseCall, useSandbox, type Sandbox } from '../../support/sandbox.js';
import { captureLogger } from '../../support/capture-log.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';

type Json = Record<string, unknown>;

let sandbox: Sandbox;
let env: TaskEnv;
/** These tests compare with a conversion of the API's JSON as it came: the elements as the API sent them. */
const runGl = (settings: Record<string, unknown>) => env.runTask(exportGlBatchTask, { nullFields: 'omit', ...settings });

const cw = <T>(method: 'GET' | 'POST', resource: string, body?: unknown) => connectWiseCall<T>(sandbox, method, resource, body);

/** What the file must hold: the export with each named reference given its full entity as `record`. */
async function expectedXml(request: Json, attach: (doc: Json, entity: (endpoint: string, id: unknown) => Promise<Json>) => Promise<void>): Promise<string> {
  const doc = await cw<Json>('POST', '/finance/accounting/export', request);
  await attach(doc, (endpoint, id) => cw<Json>('GET', `${endpoint}/${String(id)}`));
  const kept = Object.entries(doc).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0));
  return documentToXml('GLExport', kept);
}

beforeAll(async () => {
  // Enough transactions for several reference windows (200 records each).
  sandbox = await useSandbox({ seed: 3, size: { unpostedInvoices: 450, unpostedProcurement: 30, detailLinesPerTransaction: 2 } });
  env = await makeTaskEnv(sandbox);
});

afterAll(async () => {
  await env.close();
  await sandbox.close();
});

describe('connectwise.export-gl-batch references', () => {
  it('fetches references on top-level and nested paths, in batched lookups, and writes them as <record> children', async () => {
    sandbox.control.resetRequests();
    const outcome = await runGl({
      exportUnpostedProcurement: true,
      referencesPageSize: 50,
      referencesToFetch: { reference: ['transaction/company', 'transaction/detail/detailItem/currency', 'purchaseTransaction/purchaseDetailItem/item', 'purchaseTransaction/site'] },
    });
    const requests = sandbox.control.requests().byRoute;
    const expected = await expectedXml({ exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: true }, async (doc, entity) => {
      for (const t of doc['transactions'] as Json[]) {
        const company = t['company'] as Json;
        company['record'] = await entity('/company/companies', company['id']);
        for (const line of t['detail'] as Json[]) {
          const currency = line['currency'] as Json | undefined;
          if (currency) currency['record'] = await entity('/finance/currencies', currency['id']);
        }
      }
      for (const p of doc['purchaseTransactions'] as Json[]) {
        for (const line of p['purchaseDetail'] as Json[]) {
          const item = line['item'] as Json;
          item['record'] = await entity('/procurement/catalog', item['id']);
        }
        const site = p['site'] as Json | undefined;
        const company = p['company'] as Json;
        if (site) site['record'] = await entity(`/company/companies/${String(company['id'])}/sites`, site['id']);
      }
    });
    expect(fs.readFileSync(outcome.outputs[0] as string, 'utf8')).toBe(expected);
    expect(outcome.details?.['references']).toMatchObject({ warnings: 0 });
    // 450 transactions = 3 windows; each window needs a handful of batched lookups, not one per record.
    expect(requests['GET /company/companies']).toBeGreaterThanOrEqual(1);
    expect(requests['GET /company/companies']).toBeLessThanOrEqual(3 * 2);
    expect(requests['GET /company/companies/{id}']).toBeUndefined();
  });

  it('accepts the paths that cannot be fetched, leaves them as they are and says why', async () => {
    const outcome = await runGl({ outputFile: 'expense-entries.xml', exportUnpostedExpenses: true, referencesToFetch: ['expenseBill/detailItem/expenseEntry', 'transaction/company'] });
    expect(outcome.status).toBe('success');
    expect(outcome.details?.['referencesNotFetched']).toEqual([{ reference: 'expenseBill/detailItem/expenseEntry', reason: expect.stringContaining('no expenseEntry element') as unknown }]);
  });
});

describe('connectwise.export-gl-batch reference paths the 2022.1 schema names differently or does not have', () => {
  it('accepts the schema name shipToCompanyType and the seed name shipCompanyType for the same reference, and fetches it from 2022.1 data', async () => {
    for (const name of ['transaction/shipToCompanyType', 'transaction/shipCompanyType']) {
      const outcome = await runGl({ outputFile: `ship-type-${name.length}.xml`, referencesToFetch: [name] });
      expect(outcome.status).toBe('success');
      expect(outcome.details?.['referencesNotFetched']).toBeUndefined();
      const xml = fs.readFileSync(outcome.outputs[0] as string, 'utf8');
      const shipTypes = xml.match(/<shipToCompanyType>[\s\S]*?<\/shipToCompanyType>/g) ?? [];
      expect(shipTypes.length).toBeGreaterThan(0);
      for (const element of shipTypes) expect(element).toContain('<record>');
    }
  });

  it('reports a path that finds no reference in the data, with the reason, and logs it once', async () => {
    const captured = captureLogger();
    const logged = await makeTaskEnv(sandbox, { log: captured.log });
    const outcome = await logged.runTask(exportGlBatchTask, {
      outputFile: 'nothing-found.xml',
      referencesToFetch: ['transaction/company', 'transaction/shipContact', 'transaction/billToCompany', 'transaction/billToSite'],
    });
    expect(outcome.status).toBe('success');
    const notFetched = outcome.details?.['referencesNotFetched'] as { reference: string; reason: string }[];
    expect(notFetched.map((n) => n.reference).sort()).toEqual(['transaction/billToCompany', 'transaction/billToSite', 'transaction/shipContact']);
    expect(notFetched.find((n) => n.reference === 'transaction/shipContact')?.reason).toContain('a string at this path, not a reference');
    expect(notFetched.find((n) => n.reference === 'transaction/billToCompany')?.reason).toMatch(/none of the \d+ transactions exported has a reference at this path/);
    const warnings = captured.lines.filter((line) => line.message === 'some references found nothing to fetch in the exported records');
    expect(warnings).toEqual([{ level: 'warn', message: 'some references found nothing to fetch in the exported records' }]);
    await logged.close();
  });
});
