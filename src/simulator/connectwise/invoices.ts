// Invoice writes, `PUT`/`PATCH /finance/invoices/{id}` (API-NOTES §3.1, §4.1). The money fields,
// the id and `_info` are read-only [inf]: totals follow the lines and `payments`/`balance` follow the
// payment. References to the sandbox's own tables (status, billing terms, tax code, company) are
// checked and stored in full; a PATCH path names one top-level field, case-sensitively.
import { invalid, notFound } from '../errors.js';
import type { Json } from '../query/list-query.js';
import type { Reply, Router, RouteContext } from '../router.js';
import { resolveField, schemaNode } from '../schema/fields.js';
import { FIELD_TABLES } from '../schema/fields.generated.js';
import { parseDateTime } from '../query/parser.js';
import { versionOf } from './lists.js';
import { invoiceView } from './versions.js';

const READ_ONLY = new Set([
  'id', '_info', 'serviceTotal', 'expenseTotal', 'productTotal', 'previousProgressApplied', 'serviceAdjustmentAmount', 'agreementAmount',
  'downpaymentApplied', 'subtotal', 'total', 'remainingDownpayment', 'salesTax', 'payments', 'credits', 'balance', 'adjustedBy', 'closedBy', 'glBatch', 'unbatchedBatch',
]);
const TYPES = ['Agreement', 'CreditMemo', 'DownPayment', 'Miscellaneous', 'Progress', 'Standard'];

/** Reference fields kept in sandbox tables: the stored reference is the table's own. */
const LINKED: Record<string, [table: 'billingStatuses' | 'billingTerms' | 'taxCodes' | 'companies', hrefKey: string, path: string, label: string]> = {
  status: ['billingStatuses', 'status', '/finance/billingStatuses', 'Billing status'],
  billingTerms: ['billingTerms', 'billingTerms', '/finance/billingTerms', 'Billing terms'],
  taxCode: ['taxCodes', 'taxCode', '/finance/taxCodes', 'Tax code'],
  company: ['companies', 'company', '/company/companies', 'Company'],
  billToCompany: ['companies', 'company', '/company/companies', 'Company'],
  shipToCompany: ['companies', 'company', '/company/companies', 'Company'],
};

function writableFields(ctx: RouteContext): string[] {
  const version = versionOf(ctx);
  const table = (version === '2025.1' ? FIELD_TABLES['2025.1']['Invoice'] : undefined) ?? FIELD_TABLES['2022.1']['Invoice'] ?? {};
  return Object.keys(table).filter((f) => !READ_ONLY.has(f));
}

/** Checks one field's new value against its schema type and returns what to store. */
function checked(ctx: RouteContext, field: string, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  const node = resolveField(schemaNode('Invoice', versionOf(ctx)) ?? { leaf: undefined, child: () => undefined }, [field]);
  const leaf = 'node' in node ? node.node.leaf : undefined;
  const wrong = (expected: string): never => {
    throw invalid('invoice', field, 'InvalidField', `${field} must be ${expected}.`);
  };
  if (field === 'type' && !TYPES.includes(String(value))) wrong(`one of ${TYPES.join(', ')}`);
  if (leaf === 'numeric') return typeof value === 'number' && Number.isFinite(value) ? value : wrong('a number');
  if (leaf === 'boolean') return typeof value === 'boolean' ? value : wrong('true or false');
  if (leaf === 'string') return typeof value === 'string' ? value : wrong('a string');
  if (leaf === 'datetime') return typeof value === 'string' && parseDateTime(value) !== undefined ? value : wrong('a date-time such as 2024-01-31T00:00:00Z');
  if (typeof value !== 'object' || Array.isArray(value) !== (field === 'customFields')) wrong(field === 'customFields' ? 'an array' : 'a reference object such as {"id": 1}');
  const linked = LINKED[field];
  if (!linked) return value;
  const [table, hrefKey, path, label] = linked;
  const id = (value as Json)['id'];
  const row = typeof id === 'number' ? (ctx.state.data.tables()[table].get(id) as Json | undefined) : undefined;
  if (!row) throw invalid('invoice', `${field}/id`, 'NotFound', `${label} ${String(id)} not found`);
  const refs = ctx.state.data.ref.refs;
  return table === 'companies'
    ? refs.company(row as { id: number; identifier: string; name: string })
    : refs.make(`${hrefKey}_href`, path, row['id'] as number, String(row['name'] ?? row['identifier']));
}

function invoiceOf(ctx: RouteContext): Json {
  const id = ctx.params['id'] ?? 0;
  const invoice = ctx.state.data.invoices.get(id);
  if (!invoice) throw notFound(`Invoice recId ${id} not found`);
  return invoice;
}

function apply(ctx: RouteContext, invoice: Json, changes: Map<string, unknown>): Reply {
  for (const [field, value] of changes) {
    const stored = checked(ctx, field, value);
    if (stored === undefined) delete invoice[field];
    else invoice[field] = stored;
  }
  ctx.state.data.stamp(invoice);
  return { status: 200, body: invoiceView(invoice, ctx, versionOf(ctx)) };
}

export function invoiceRoutes(router: Router): void {
  // PUT replaces: every writable field takes the body's value, and an omitted one is cleared.
  router.add('PUT', '/finance/invoices/{id}', async (ctx) => {
    const invoice = invoiceOf(ctx);
    const body = await ctx.body();
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('invoice', '', 'InvalidObject', 'The body must be a JSON object.');
    const given = body as Json;
    if (given['type'] === undefined) throw invalid('invoice', 'type', 'MissingRequiredField', 'type is required.');
    const writable = writableFields(ctx);
    return apply(ctx, invoice, new Map(writable.map((f) => [f, given[f]])));
  });

  router.add('PATCH', '/finance/invoices/{id}', async (ctx) => {
    const invoice = invoiceOf(ctx);
    const ops = await ctx.body();
    if (!Array.isArray(ops)) throw invalid('invoice', '', 'InvalidObject', 'PATCH takes a JSON array of operations: [{"op":"replace","path":"customerPO","value":"PO-1"}].');
    const writable = writableFields(ctx);
    const changes = new Map<string, unknown>();
    for (const op of ops as unknown[]) {
      const { op: verb, path, value } = (op ?? {}) as Json;
      const field = typeof path === 'string' ? path.replace(/^\//, '') : '';
      if (!writable.includes(field)) throw invalid('invoice', field, 'InvalidField', `Cannot patch '${String(path)}': not a writable Invoice field (paths name one top-level field, case-sensitively).`);
      if (verb === 'remove') changes.set(field, undefined);
      else if (verb === 'replace' || verb === 'add') changes.set(field, value);
      else throw invalid('invoice', field, 'InvalidField', `Unknown op '${String(verb)}': use add, replace or remove.`);
    }
    return apply(ctx, invoice, changes);
  });
}
