// Invoice payments, `/finance/invoices/{id}/payments` (API-NOTES §4.2). ConnectWise allows one
// payment per invoice; the invoice's `payments` and `balance` follow every write.
import { invalid, notFound } from '../errors.js';
import { applyPaymentTotals, invoiceRef } from '../data/invoices.js';
import { round2, isoZ } from '../data/random.js';
import { SANDBOX_USER, type SandboxData } from '../data/store.js';
import { parseDateTime } from '../query/parser.js';
import type { Json } from '../query/list-query.js';
import type { Reply, Router, RouteContext } from '../router.js';
import { itemReply, listReply, versionOf, type Collection } from './lists.js';
import { paymentView } from './versions.js';

const BASE = '/finance/invoices/{id}/payments';
/** Fields a client may set; PATCH paths are case-sensitive, as in ConnectWise. */
const WRITABLE = ['type', 'amount', 'paymentDate'] as const;

function invoiceOf(data: SandboxData, ctx: RouteContext): Json {
  const id = ctx.params['id'] ?? 0;
  const invoice = data.invoices.get(id);
  if (!invoice) throw notFound(`Invoice recId ${id} not found`);
  return invoice;
}

function paymentOf(data: SandboxData, ctx: RouteContext): Json {
  const invoice = invoiceOf(data, ctx);
  const paymentId = ctx.params['paymentId'] ?? 0;
  const payment = data.payments.get(paymentId);
  if (!payment || data.paymentByInvoice.get(invoice['id'] as number) !== paymentId) {
    throw notFound(`Payment recId ${paymentId} not found`);
  }
  return payment;
}

/** Checks and normalises the writable fields; returns them ready to store. */
function validated(fields: Json, invoice: Json): Json {
  const total = typeof invoice['total'] === 'number' ? invoice['total'] : 0;
  const amount = fields['amount'];
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || round2(amount) > total) {
    throw invalid('payment', 'amount', 'InvalidField', `amount must be a number greater than 0 and not more than the invoice total (${total}).`);
  }
  const rawDate = fields['paymentDate'];
  const date = rawDate === undefined || rawDate === null ? Date.now() : typeof rawDate === 'string' ? parseDateTime(rawDate) : undefined;
  if (date === undefined) throw invalid('payment', 'paymentDate', 'InvalidField', 'paymentDate must be a date-time such as 2018-10-11T00:00:00Z.');
  const type = fields['type'] ?? 'Payment';
  if (typeof type !== 'string') throw invalid('payment', 'type', 'InvalidField', 'type must be a string.');
  return { type, amount: round2(amount), paymentDate: isoZ(date) };
}

function objectBody(body: unknown): Json {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('payment', '', 'InvalidObject', 'The body must be a JSON object.');
  }
  return body as Json;
}

function save(data: SandboxData, invoice: Json, payment: Json): void {
  data.stamp(payment);
  applyPaymentTotals(invoice, payment['amount'] as number);
  data.stamp(invoice);
}

function writable(payment: Json): Json {
  return Object.fromEntries(WRITABLE.filter((k) => payment[k] !== undefined).map((k) => [k, payment[k]]));
}

/** An invoice's payments (at most one) as a list, queried like every other (ConnectWise has no /count here). */
const PAYMENTS: Collection = {
  label: 'Payment',
  fields: 'Payment',
  view: paymentView,
  source: (ctx) => {
    const data = ctx.state.data;
    const invoice = invoiceOf(data, ctx);
    const paymentId = data.paymentByInvoice.get(invoice['id'] as number);
    const payment = paymentId === undefined ? undefined : data.payments.get(paymentId);
    const records = payment ? [payment] : [];
    return { records, get: (id) => records.find((p) => p['id'] === id) };
  },
};

/** A written payment as the client's version shows it. */
function shown(ctx: RouteContext, status: number, payment: Json): Reply {
  return { status, body: paymentView(payment, ctx, versionOf(ctx)) };
}

export function paymentRoutes(router: Router): void {
  router.add('GET', BASE, (ctx) => listReply(PAYMENTS, ctx));

  router.add('POST', BASE, async (ctx) => {
    const data = ctx.state.data;
    const invoice = invoiceOf(data, ctx);
    const body = objectBody(await ctx.body());
    const invoiceId = invoice['id'] as number;
    const existing = data.paymentByInvoice.get(invoiceId);
    if (existing !== undefined) {
      throw invalid('payment', 'invoice', 'ObjectExists', `Invoice ${invoiceId} already has payment ${existing}; only one payment per invoice is allowed.`);
    }
    const id = data.allocatePaymentId();
    const payment: Json = { id, type: 'Payment', invoice: invoiceRef(invoice, data.apiUrl), ...validated(body, invoice), appliedBy: SANDBOX_USER };
    data.stamp(payment, true);
    data.payments.set(id, payment);
    data.paymentByInvoice.set(invoiceId, id);
    save(data, invoice, payment);
    data.createdLog.payments.push(structuredClone(payment));
    return shown(ctx, 201, payment);
  });

  router.add('GET', `${BASE}/{paymentId}`, (ctx) => itemReply(PAYMENTS, ctx, ctx.params['paymentId'] ?? 0));

  router.add('PUT', `${BASE}/{paymentId}`, async (ctx) => {
    const data = ctx.state.data;
    const payment = paymentOf(data, ctx);
    const invoice = invoiceOf(data, ctx);
    Object.assign(payment, validated(objectBody(await ctx.body()), invoice));
    save(data, invoice, payment);
    return shown(ctx, 200, payment);
  });

  router.add('PATCH', `${BASE}/{paymentId}`, async (ctx) => {
    const data = ctx.state.data;
    const payment = paymentOf(data, ctx);
    const invoice = invoiceOf(data, ctx);
    const ops = await ctx.body();
    if (!Array.isArray(ops)) {
      throw invalid('payment', '', 'InvalidObject', 'PATCH takes a JSON array of operations: [{"op":"replace","path":"amount","value":10}].');
    }
    const next = writable(payment);
    for (const op of ops as unknown[]) {
      const { op: verb, path, value } = (op ?? {}) as Json;
      const field = typeof path === 'string' ? path.replace(/^\//, '') : '';
      if (!(WRITABLE as readonly string[]).includes(field)) {
        throw invalid('payment', field, 'InvalidField', `Cannot patch '${String(path)}': writable fields are ${WRITABLE.join(', ')}.`);
      }
      if (verb === 'remove') delete next[field];
      else if (verb === 'replace' || verb === 'add') next[field] = value;
      else throw invalid('payment', field, 'InvalidField', `Unknown op '${String(verb)}': use add, replace or remove.`);
    }
    Object.assign(payment, validated(next, invoice));
    save(data, invoice, payment);
    return shown(ctx, 200, payment);
  });

  router.add('DELETE', `${BASE}/{paymentId}`, (ctx) => {
    const data = ctx.state.data;
    const payment = paymentOf(data, ctx);
    const invoice = invoiceOf(data, ctx);
    data.payments.delete(payment['id'] as number);
    data.paymentByInvoice.delete(invoice['id'] as number);
    applyPaymentTotals(invoice, 0);
    data.stamp(invoice);
    return { status: 204 };
  });
}
