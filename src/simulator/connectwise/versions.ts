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

/** The batch that posted an invoice's GL record, if one has (unposted invoice k bills invoice 1 + (k - 1) mod n). */
function glBatchOf(data: SandboxData, invoiceId: number): Json | undefined {
  const count = data.size.invoices;
  for (const [batchId, records] of data.ledger.batchRecords) {
    if (!records.some((r) => r.kind === 'invoice' && count > 0 && 1 + ((r.id - 1) % count) === invoiceId)) continue;
    const batch = data.ledger.batches.get(batchId);
    return { id: batchId, name: String(batch?.['batchIdentifier'] ?? batchId), _info: { batch_href: data.ref.refs.href(`/finance/accounting/batches/${batchId}`) } };
  }
  return undefined;
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
  const glBatch = glBatchOf(data, invoice['id'] as number);
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
