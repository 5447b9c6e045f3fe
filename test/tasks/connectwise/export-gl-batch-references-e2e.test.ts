// "References To Fetch" end to end: the GL task runs against the sandbox with top-level, nested and
// through-a-fetched-record paths; every reference in the output file must carry the sandbox's own
// entity as <record>, and the lookups must go out in batches (no per-id GETs, at most one request per
// page of new ids for each window of records).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportGlBatchTask, REFERENCE_WINDOW } from '../../../src/tasks/connectwise/export-gl-batch.js';
import { elementToValue, readDocument } from '../../../src/xml/reader.js';
import { connectWiseCall, useSandbox, type Sandbox } from '../../support/sandbox.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';

type Json = Record<string, unknown>;

const PAGE_SIZE = 4;
const SIZE = { unpostedInvoices: 150, unpostedProcurement: 60, detailLinesPerTransaction: 3 };

/** One seed path: where its references sit in a raw export record and where they are looked up. */
interface Case {
  path: string;
  container: 'vendors' | 'customers' | 'transactions' | 'purchaseTransactions';
  endpoint: string;
  /** [reference in the raw JSON record, the same reference in the file's record] pairs. */
  pairs(raw: Json, xml: Json): [Json, Json][];
}

const asList = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : v === undefined || v === '' ? [] : [v as Json]);
/** The reference at `key` of two parallel records, when the raw one has it. */
const at = (raw: Json, xml: Json, key: string): [Json, Json][] => (raw[key] === undefined ? [] : [[raw[key] as Json, xml[key] as Json]]);
/** Parallel lines: the raw array and the XML container's item elements. */
function lines(raw: Json, xml: Json, array: string, item: string): [Json, Json][] {
  const xmlLines = asList((xml[array] as Json | undefined)?.[item]);
  const rawLines = raw[array] as Json[];
  expect(xmlLines.length, `${array} lines`).toBe(rawLines.length);
  return rawLines.map((line, i) => [line, xmlLines[i] as Json]);
}

const CASES: Case[] = [
  { path: 'vendor/vendor', container: 'vendors', endpoint: '/company/companies', pairs: (r, x) => at(r, x, 'vendor') },
  { path: 'customer/companyType', container: 'customers', endpoint: '/company/companies/types', pairs: (r, x) => at(r, x, 'companyType') },
  { path: 'transaction/company', container: 'transactions', endpoint: '/company/companies', pairs: (r, x) => at(r, x, 'company') },
  { path: 'transaction/purchaseOrder', container: 'transactions', endpoint: '/procurement/purchaseorders', pairs: (r, x) => at(r, x, 'purchaseOrder') },
  ...(['currency', 'item', 'product', 'shipmentMethod'] as const).map(
    (key): Case => ({
      path: `transaction/detail/detailItem/${key}`,
      container: 'transactions',
      endpoint: { currency: '/finance/currencies', item: '/procurement/catalog', product: '/procurement/products', shipmentMethod: '/procurement/shipmentmethods' }[key],
      pairs: (r, x) => lines(r, x, 'detail', 'detailItem').flatMap(([rl, xl]) => at(rl, xl, key)),
    }),
  ),
  ...(['item', 'warehouseBin'] as const).map(
    (key): Case => ({
      path: `purchaseTransaction/purchaseDetailItem/${key}`,
      container: 'purchaseTransactions',
      endpoint: key === 'item' ? '/procurement/catalog' : '/procurement/warehouseBins',
      pairs: (r, x) => lines(r, x, 'purchaseDetail', 'purchaseDetailItem').flatMap(([rl, xl]) => at(rl, xl, key)),
    }),
  ),
];

/** The XML record element names of each container. */
const ITEM_OF: Record<Case['container'], string> = { vendors: 'vendor', customers: 'customer', transactions: 'transaction', purchaseTransactions: 'purchaseTransaction' };

let sandbox: Sandbox;
let env: TaskEnv;

const cw = <T>(method: 'GET' | 'POST', resource: string, body?: unknown) => connectWiseCall<T>(sandbox, method, resource, body);

/** A fetched `record` must be the sandbox's entity: same id and the same scalar members. */
function expectRecord(xmlRef: Json, entity: Json, what: string): void {
  const record = xmlRef['record'] as Json | undefined;
  expect(record, `${what}: no <record>`).toBeDefined();
  for (const [key, value] of Object.entries(entity)) {
    if (value === null || typeof value === 'object') continue;
    expect(record?.[key], `${what}: record ${key}`).toBe(String(value));
  }
}

beforeAll(async () => {
  sandbox = await useSandbox({ seed: 11, size: SIZE });
  env = await makeTaskEnv(sandbox);
});

afterAll(async () => {
  await env.close();
  await sandbox.close();
});

describe('connectwise.export-gl-batch references, end to end', () => {
  it('attaches each referenced entity as <record>, through fetched records too, in batched lookups', async () => {
    // Each container must fit one reference window, so the lookup bound below is per container.
    expect(Math.max(SIZE.unpostedInvoices, SIZE.unpostedProcurement)).toBeLessThanOrEqual(REFERENCE_WINDOW);
    const raw = await cw<Json>('POST', '/finance/accounting/export', { exportInvoicesFlag: true, exportExpensesFlag: false, exportProductsFlag: true });
    sandbox.control.resetRequests();

    const outcome = await env.runTask(exportGlBatchTask, {
      exportUnpostedProcurement: true,
      referencesPageSize: PAGE_SIZE,
      referencesToFetch: { reference: [...CASES.map((c) => c.path), 'purchaseTransaction/purchaseDetailItem/warehouseBin/warehouse'] },
    });
    const requests = structuredClone(sandbox.control.requests().byRoute);
    expect(outcome.status).toBe('success');
    expect(outcome.details?.['references']).toMatchObject({ warnings: 0 });

    const doc = elementToValue(await readDocument(outcome.outputs[0] as string)) as Json;
    const entities = new Map<string, Json>();
    const entity = async (endpoint: string, id: unknown): Promise<Json> => {
      const key = `${endpoint}/${String(id)}`;
      if (!entities.has(key)) entities.set(key, await cw<Json>('GET', key));
      return entities.get(key) as Json;
    };

    /** Distinct ids wanted per container and endpoint, in document order. */
    const wanted = new Map<string, Map<string, Set<unknown>>>();
    const want = (container: string, endpoint: string, id: unknown): void => {
      const byEndpoint = wanted.get(container) ?? new Map<string, Set<unknown>>();
      wanted.set(container, byEndpoint);
      byEndpoint.set(endpoint, (byEndpoint.get(endpoint) ?? new Set()).add(id));
    };

    for (const c of CASES) {
      const rawRecords = raw[c.container] as Json[];
      const xmlRecords = asList((doc[c.container] as Json | undefined)?.[ITEM_OF[c.container]]);
      expect(xmlRecords.length, c.container).toBe(rawRecords.length);
      let seen = 0;
      for (const [i, rawRecord] of rawRecords.entries()) {
        for (const [rawRef, xmlRef] of c.pairs(rawRecord, xmlRecords[i] as Json)) {
          seen++;
          expect(xmlRef['id'], `${c.path} #${i}`).toBe(String(rawRef['id']));
          expectRecord(xmlRef, await entity(c.endpoint, rawRef['id']), `${c.path} #${i}`);
          want(c.container, c.endpoint, rawRef['id']);
        }
      }
      expect(seen, `${c.path}: the sandbox export has no such references`).toBeGreaterThan(0);
    }

    // Through a fetched record: each bin's own warehouse, fetched in a second round.
    const rawPurchases = raw['purchaseTransactions'] as Json[];
    const xmlPurchases = asList((doc['purchaseTransactions'] as Json)['purchaseTransaction']);
    for (const [i, rawPurchase] of rawPurchases.entries()) {
      for (const [rawLine, xmlLine] of lines(rawPurchase, xmlPurchases[i] as Json, 'purchaseDetail', 'purchaseDetailItem')) {
        const bin = await entity('/procurement/warehouseBins', (rawLine['warehouseBin'] as Json)['id']);
        const warehouseId = (bin['warehouse'] as Json)['id'];
        const xmlWarehouse = ((xmlLine['warehouseBin'] as Json)['record'] as Json)['warehouse'] as Json;
        expect(xmlWarehouse['id']).toBe(String(warehouseId));
        expectRecord(xmlWarehouse, await entity('/procurement/warehouses', warehouseId), `warehouse of purchase #${i}`);
        want('purchaseTransactions', '/procurement/warehouses', warehouseId);
      }
    }

    // Lookups: one request per page of ids not fetched before, per container (one window each); the
    // run also fetched every distinct id, so at least ceil(distinct / page size) requests went out.
    const bound = new Map<string, number>();
    const distinct = new Map<string, Set<unknown>>();
    for (const container of ['vendors', 'customers', 'transactions', 'purchaseTransactions']) {
      for (const [endpoint, ids] of wanted.get(container) ?? []) {
        const before = distinct.get(endpoint) ?? new Set();
        const fresh = [...ids].filter((id) => !before.has(id)).length;
        bound.set(endpoint, (bound.get(endpoint) ?? 0) + Math.ceil(fresh / PAGE_SIZE));
        distinct.set(endpoint, new Set([...before, ...ids]));
      }
    }
    const countOf = (route: string): number => Object.entries(requests).find(([r]) => r.toLowerCase() === route.toLowerCase())?.[1] ?? 0;
    for (const [endpoint, ids] of distinct) {
      const made = countOf(`GET ${endpoint}`);
      expect(made, `GET ${endpoint}: ${ids.size} ids`).toBeGreaterThanOrEqual(Math.ceil(ids.size / PAGE_SIZE));
      expect(made, `GET ${endpoint}: ${ids.size} ids`).toBeLessThanOrEqual(bound.get(endpoint) ?? 0);
      expect(countOf(`GET ${endpoint}/{id}`), `GET ${endpoint}/{id}`).toBe(0);
    }
    // The paths really exercised batching: more ids than one page on the busiest endpoints.
    expect(distinct.get('/company/companies')?.size).toBeGreaterThan(PAGE_SIZE);
    expect(distinct.get('/procurement/catalog')?.size).toBeGreaterThan(PAGE_SIZE);
    expect(distinct.get('/procurement/warehouses')?.size).toBeGreaterThan(1);
  });
});
