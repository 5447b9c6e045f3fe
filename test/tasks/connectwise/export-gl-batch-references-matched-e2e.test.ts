// "References To Fetch" for the seed paths whose target the GL record names by number or which are
// child collections: a transaction's invoice (by documentNumber = invoiceNumber) with its location,
// territory, agreement, the agreement's additions and their products; a purchase transaction's
// purchase order (by the PO number in its id) with its tax code, line items and their references.
// Each must come out as the sandbox's own entity, looked up in batches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportGlBatchTask } from '../../../src/tasks/connectwise/export-gl-batch.js';
import { GL_REFERENCE_PATHS } from '../../../src/tasks/connectwise/gl/reference-paths.js';
import { elementToValue, readDocument } from '../../../src/xml/reader.js';
import { connectWiseCall, useSandbox, type Sandbox } from '../../support/sandbox.js';
import { makeTaskEnv, type TaskEnv } from '../../support/task-context.js';

type Json = Record<string, unknown>;

const PAGE_SIZE = 7;
const SIZE = { invoices: 40, unpostedInvoices: 60, unpostedProcurement: 25, detailLinesPerTransaction: 2 };
const PATHS = GL_REFERENCE_PATHS.filter((p) => p.startsWith('transaction/invoice') || p.startsWith('purchaseTransaction/purchaseOrder'));

let sandbox: Sandbox;
let env: TaskEnv;

const get = <T>(resource: string) => connectWiseCall<T>(sandbox, 'GET', resource);
const asList = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : v === undefined || v === '' ? [] : [v as Json]);
const child = (v: unknown, key: string): Json => ((v as Json | undefined)?.[key] ?? {}) as Json;
/** The `<record>` of a reference element is the entity at `endpoint/{its id}`. */
const recordId = (ref: Json): string | undefined => child(ref, 'record')['id'] as string | undefined;

beforeAll(async () => {
  sandbox = await useSandbox({ seed: 5, size: SIZE });
  env = await makeTaskEnv(sandbox);
});

afterAll(async () => {
  await env.close();
  await sandbox.close();
});

describe('connectwise.export-gl-batch references found by number and child collections', () => {
  it('attaches invoices, purchase orders, additions and line items with their references, in batched lookups', async () => {
    sandbox.control.resetRequests();
    const outcome = await env.runTask(exportGlBatchTask, { exportUnpostedProcurement: true, referencesPageSize: PAGE_SIZE, referencesToFetch: { reference: PATHS } });
    const requests = structuredClone(sandbox.control.requests().byRoute);
    expect(outcome.status).toBe('success');
    expect(outcome.details?.['referencesNotFetched']).toBeUndefined();
    expect(outcome.details?.['references']).toMatchObject({ warnings: 0 });
    const doc = elementToValue(await readDocument(outcome.outputs[0] as string)) as Json;

    const transactions = asList(child(doc['transactions'], 'transaction'));
    expect(transactions).toHaveLength(SIZE.unpostedInvoices);
    const agreements = new Set<string>();
    let additions = 0;
    for (const t of transactions) {
      const invoice = child(t, 'invoice');
      const [entity] = await get<Json[]>(`/finance/invoices?conditions=${encodeURIComponent(`invoiceNumber="${String(t['documentNumber'])}"`)}`);
      expect(entity, `invoice ${String(t['documentNumber'])}`).toBeDefined();
      expect(invoice['identifier']).toBe(t['documentNumber']);
      expect(invoice['id']).toBe(String(entity?.['id']));
      const record = child(invoice, 'record');
      expect(record['invoiceNumber']).toBe(t['documentNumber']);
      // The sandbox serves 2022.1 invoices: location and territory are made from locationId/territoryId.
      expect(entity?.['location']).toBeUndefined();
      expect(child(record, 'location')['id']).toBe(String(entity?.['locationId']));
      expect(recordId(child(record, 'location'))).toBe(String(entity?.['locationId']));
      expect(recordId(child(record, 'territory'))).toBe(String(entity?.['territoryId']));
      const agreementId = (entity?.['agreement'] as Json | undefined)?.['id'];
      if (agreementId === undefined) continue;
      agreements.add(String(agreementId));
      const agreement = child(record, 'agreement');
      expect(recordId(agreement)).toBe(String(agreementId));
      const expected = await get<Json[]>(`/finance/agreements/${String(agreementId)}/additions`);
      const got = asList(child(agreement['agreementAdditions'], 'agreementAddition'));
      expect(got.map((a) => a['id'])).toEqual(expected.map((a) => String(a['id'])));
      got.forEach((a, i) => expect(recordId(child(a, 'product'))).toBe(String(child(expected[i]?.['product'], 'id'))));
      additions += got.length;
    }
    expect(agreements.size, 'invoices with agreements').toBeGreaterThan(1);
    expect(additions).toBeGreaterThan(agreements.size);

    const purchases = asList(child(doc['purchaseTransactions'], 'purchaseTransaction'));
    expect(purchases).toHaveLength(SIZE.unpostedProcurement);
    const poNumbers = new Set<string>();
    for (const p of purchases) {
      const poNumber = /^PO #(.+), Packing Slip: /.exec(String(p['id']))?.[1] ?? '';
      poNumbers.add(poNumber);
      const [po] = await get<Json[]>(`/procurement/purchaseorders?conditions=${encodeURIComponent(`poNumber="${poNumber}"`)}`);
      const element = child(p, 'purchaseOrder');
      expect(element['identifier']).toBe(poNumber);
      expect(recordId(element)).toBe(String(po?.['id']));
      expect(recordId(child(child(element, 'record'), 'taxCode'))).toBe(String(child(po?.['taxCode'], 'id')));
      const lines = await get<Json[]>(`/procurement/purchaseorders/${String(po?.['id'])}/lineitems`);
      const got = asList(child(element['purchaseOrderItems'], 'purchaseOrderItem'));
      expect(got.map((l) => l['id'])).toEqual(lines.map((l) => String(l['id'])));
      got.forEach((line, i) => {
        for (const key of ['product', 'shipmentMethod', 'warehouse', 'warehouseBin']) expect(recordId(child(line, key)), key).toBe(String(child(lines[i]?.[key], 'id')));
      });
    }

    // Invoices and purchase orders by number: one lookup per page of distinct numbers (one window);
    // additions and line items: one GET per distinct parent, each once.
    const distinctInvoices = new Set(transactions.map((t) => t['documentNumber'])).size;
    expect(distinctInvoices).toBeGreaterThan(PAGE_SIZE);
    expect(requests['GET /finance/invoices']).toBe(Math.ceil(distinctInvoices / PAGE_SIZE));
    expect(requests['GET /procurement/purchaseorders']).toBe(Math.ceil(poNumbers.size / PAGE_SIZE));
    expect(requests['GET /finance/agreements/{id}/additions']).toBe(agreements.size);
    expect(requests['GET /procurement/purchaseorders/{id}/lineitems']).toBe(poNumbers.size);
    expect(requests['GET /finance/invoices/{id}']).toBeUndefined();
  });
});
