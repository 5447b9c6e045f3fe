// Records as a client pinning 2025.1 sees them, where that model differs from 2022.1 (the deltas in
// API-NOTES §6): invoices gain `location`/`department`/`territory` references beside the ids,
// `status.isClosed` and `glBatch` once posted; payments are InvoicePayments with the invoice's total
// and balance; unposted invoices gain `location`/`department` and what they bill. The stored records
// stay 2022.1-shaped; these views are built per response.
import type { Json } from '../query/list-query.js';
import type { RouteContext } from '../router.js';
import type { ApiVersion } from '../schema/fields.js';
import { BILLING_STATUSES, LOCATIONS } from '../data/reference.js';
import type { SandboxData } from '../data/store.js';

/** The one department the sandbox has (also on warehouses and members); there is no endpoint for it. */
const DEPARTMENT = { id: 10, name: 'Services' };

function locationRef(data: SandboxData, id: unknown): Json | undefined {
  const location = LOCATIONS.find((l) => l.id === id);
  return location ? data.ref.refs.named('location', '/system/locations', location) : undefined;
}

/** Invoice id → the batch that posted its GL record (unposted invoice k bills invoice 1 + (k - 1) mod n), built once per request. */
const postedByRequest = new WeakMap<RouteContext, Map<number, Json>>();

function glBatchOf(ctx: RouteContext, invoiceId: number): Json | undefined {
  let posted = postedByRequest.get(ctx);
  if (!posted) {
    const data = ctx.state.data;
    const count = data.size.invoices;
    posted = new Map();
    for (const [batchId, records] of data.ledger.batchRecords) {
      const batch = data.ledger.batches.get(batchId);
      const ref = { id: batchId, name: String(batch?.['batchIdentifier'] ?? batchId), _info: { batch_href: data.ref.refs.href(`/finance/accounting/batches/${batchId}`) } };
      for (const r of records) if (r.kind === 'invoice' && count > 0 && !posted.has(1 + ((r.id - 1) % count))) posted.set(1 + ((r.id - 1) % count), ref);
    }
    postedByRequest.set(ctx, posted);
  }
  return posted.get(invoiceId);
}

export function invoiceView(invoice: Json, ctx: RouteContext, version: ApiVersion): Json {
  if (version !== '2025.1') return invoice;
  const data = ctx.state.data;
  const status = invoice['status'] as Json | undefined;
  const closed = BILLING_STATUSES.find((s) => s.id === status?.['id'])?.closedFlag;
  const view: Json = { ...invoice };
  if (status) view['status'] = { id: status['id'], name: status['name'], ...(closed === undefined ? {} : { isClosed: closed }), _info: status['_info'] };
  const location = locationRef(data, invoice['locationId']);
  const territory = locationRef(data, invoice['territoryId']);
  if (location) view['location'] = location;
  if (invoice['departmentId'] === DEPARTMENT.id) view['department'] = { ...DEPARTMENT };
  if (territory) view['territory'] = territory;
  const glBatch = glBatchOf(ctx, invoice['id'] as number);
  if (glBatch) view['glBatch'] = glBatch;
  return view;
}

export function paymentView(payment: Json, ctx: RouteContext, version: ApiVersion): Json {
  if (version !== '2025.1') return payment;
  const invoiceRef = payment['invoice'] as Json | undefined;
  const invoice = ctx.state.data.invoices.get(invoiceRef?.['id'] as number);
  if (!invoice) return payment;
  return {
    ...payment,
    invoice: { ...invoiceRef, invoiceDate: invoice['date'] },
    invoiceTotal: invoice['total'],
    invoiceBalance: invoice['balance'],
    balance: invoice['balance'],
  };
}

export function unpostedInvoiceView(record: Json, ctx: RouteContext, version: ApiVersion): Json {
  if (version !== '2025.1') return record;
  const location = locationRef(ctx.state.data, record['locationId']);
  return {
    ...record,
    ...(location ? { location } : {}),
    ...(record['departmentId'] === DEPARTMENT.id ? { department: { ...DEPARTMENT } } : {}),
    ...ctx.state.data.ledger.invoices.contents(record['id'] as number),
  };
}
