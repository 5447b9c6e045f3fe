// Accounting: unposted lists and their taxable levels, GL export, batches and their entries
// (API-NOTES §4.3–4.5). The GLExport document is
// streamed record by record, so its size is bounded only by the unposted counts.
import type { ServerResponse } from 'node:http';
import { invalid, notFound } from '../errors.js';
import { Ledger, LEDGER_KINDS, type LedgerKind, type PostedRecord, type Selection } from '../data/ledger.js';
import { streamJsonObject, type Section } from '../json-stream.js';
import type { Json } from '../query/list-query.js';
import type { Router, RouteContext } from '../router.js';
import { listRoutes, mapSource } from './lists.js';
import { unpostedInvoiceView } from './versions.js';
import { batchEntries } from '../data/batch-entries.js';

const UNPOSTED: Record<LedgerKind, [path: string, label: string]> = {
  invoice: ['/finance/accounting/unpostedinvoices', 'UnpostedInvoice'],
  expense: ['/finance/accounting/unpostedexpenses', 'UnpostedExpense'],
  procurement: ['/finance/accounting/unpostedprocurement', 'UnpostedProcurement'],
};

function* mapIds<T>(ids: Iterable<number>, build: (id: number) => T): Generator<T> {
  for (const id of ids) yield build(id);
}

/** Distinct owners (customers, vendors) of the selected records, ascending; one cheap pass over ids. */
function* distinct(ids: Iterable<number>, key: (id: number) => number, build: (key: number) => Json): Generator<Json> {
  const keys = new Set<number>();
  for (const id of ids) keys.add(key(id));
  for (const k of [...keys].sort((a, b) => a - b)) yield build(k);
}

/** The GLExport members in schema order; `ids(kind)` yields the record ids to include (fresh each call). */
export function glExportSections(ledger: Ledger, ids: (kind: LedgerKind) => Iterable<number>): Section[] {
  const r = ledger.records;
  const lazy = (make: () => Iterable<Json | undefined>): Iterable<Json | undefined> => ({ [Symbol.iterator]: () => make()[Symbol.iterator]() });
  return [
    ['vendors', lazy(() => distinct(ids('procurement'), (id) => r.facts('procurement', id).companyId, (c) => ledger.procurement.vendor(c)))],
    ['customers', lazy(() => distinct(ids('invoice'), (id) => r.facts('invoice', id).companyId, (c) => ledger.invoices.customer(c)))],
    ['transactions', lazy(() => mapIds(ids('invoice'), (id) => ledger.invoices.transaction(id)))],
    ['expenses', lazy(() => mapIds(ids('expense'), (id) => ledger.expenses.expense(id)))],
    ['expenseBills', lazy(() => mapIds(ids('expense'), (id) => ledger.expenses.expenseBill(id)))],
    ['purchaseTransactions', lazy(() => mapIds(ids('procurement'), (id) => ledger.procurement.purchaseTransaction(id)))],
    ['adjustmentTransactions', []],
    ['inventoryTransfers', []],
  ];
}

function recordsOf(records: PostedRecord[]): (kind: LedgerKind) => number[] {
  return (kind) => records.filter((r) => r.kind === kind).map((r) => r.id);
}

async function streamGlExport(res: ServerResponse, status: number, sections: Section[]): Promise<undefined> {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' });
  await streamJsonObject(res, sections);
  return undefined;
}

async function jsonObject(ctx: RouteContext, resource: string): Promise<Json> {
  const body = (await ctx.body()) ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw invalid(resource, '', 'InvalidObject', 'The body must be a JSON object.');
  }
  return body as Json;
}

const TAXABLE_LEVEL_SCHEMA: Record<LedgerKind, string> = {
  invoice: 'UnpostedInvoiceTaxableLevel',
  expense: 'UnpostedExpenseTaxableLevel',
  procurement: 'UnpostedProcurementTaxableLevel',
};

/** An unposted record's one tax level (the sandbox taxes at the state level only). */
function taxableLevels(record: Json): Json[] {
  const amount = record['stateTaxAmount'] ?? record['salesTaxAmount'] ?? record['taxTotal'] ?? 0;
  const xref = record['stateTaxXref'] ?? (record['taxCode'] as Json | undefined)?.['name'] ?? '';
  return [{ id: 1, taxLevel: 1, taxCodeXref: xref, taxAmount: amount }];
}

function invoiceIdByNumber(ctx: RouteContext): (documentNumber: string) => number | undefined {
  const data = ctx.state.data;
  return (documentNumber) => {
    for (const invoice of data.invoices.values()) if (invoice['invoiceNumber'] === documentNumber) return invoice['id'] as number;
    return undefined;
  };
}

export function accountingRoutes(router: Router): void {
  for (const kind of LEDGER_KINDS) {
    const [path, label] = UNPOSTED[kind];
    listRoutes(router, path, {
      label,
      fields: label,
      source: (ctx) => {
        const ledger = ctx.state.data.ledger;
        return { records: ledger.unpostedList(kind), get: (id) => ledger.unposted(kind, id) };
      },
      ...(kind === 'invoice' ? { view: unpostedInvoiceView } : {}),
    });
    listRoutes(router, `${path}/{parentId}/taxableLevels`, {
      label: TAXABLE_LEVEL_SCHEMA[kind],
      fields: TAXABLE_LEVEL_SCHEMA[kind],
      source: (ctx) => {
        const parentId = ctx.params['parentId'] ?? 0;
        const record = ctx.state.data.ledger.unposted(kind, parentId);
        if (!record) throw notFound(`${label} recId ${parentId} not found`);
        const levels = taxableLevels(record);
        return { records: levels, get: (id) => levels.find((l) => l['id'] === id) };
      },
    });
  }

  router.add('POST', '/finance/accounting/export', async (ctx) => {
    const ledger = ctx.state.data.ledger;
    const selection: Selection = ledger.selection(await jsonObject(ctx, 'exportAccountingBatchRequest'));
    return streamGlExport(ctx.res, 200, glExportSections(ledger, (kind) => ledger.unpostedIds(kind, selection[kind])));
  });

  listRoutes(router, '/finance/accounting/batches', { label: 'AccountingBatch', fields: 'AccountingBatch', source: (ctx) => mapSource(ctx.state.data.ledger.batches) });

  listRoutes(router, '/finance/accounting/batches/{parentId}/entries', {
    label: 'BatchEntry',
    fields: 'BatchEntry',
    source: (ctx) => {
      const data = ctx.state.data;
      const batchId = ctx.params['parentId'] ?? 0;
      const records = data.ledger.batchRecords.get(batchId);
      if (!records) throw notFound(`AccountingBatch recId ${batchId} not found`);
      const entries = batchEntries(data.ledger, records, data.ref.refs, invoiceIdByNumber(ctx));
      return { records: entries, get: (id) => entries.find((e) => e['id'] === id) };
    },
  });
  router.add('POST', '/finance/accounting/batches', async (ctx) => {
    const data = ctx.state.data;
    const { batch, records } = data.ledger.createBatch(await jsonObject(ctx, 'accountingBatch'), data.apiUrl);
    data.createdLog.batches.push({ ...structuredClone(batch), processedRecords: records.map((r) => ({ ...r })) });
    return streamGlExport(ctx.res, 201, glExportSections(data.ledger, recordsOf(records)));
  });

  router.add('POST', '/finance/accounting/batches/{id}/export', async (ctx) => {
    const ledger = ctx.state.data.ledger;
    const id = ctx.params['id'] ?? 0;
    const records = ledger.batchRecords.get(id);
    if (!records) throw notFound(`AccountingBatch recId ${id} not found`);
    await ctx.body();
    return streamGlExport(ctx.res, 200, glExportSections(ledger, recordsOf(records)));
  });

  router.add('DELETE', '/finance/accounting/batches/{id}', (ctx) => {
    const id = ctx.params['id'] ?? 0;
    if (!ctx.state.data.ledger.deleteBatch(id)) throw notFound(`AccountingBatch recId ${id} not found`);
    return { status: 204 };
  });
}
