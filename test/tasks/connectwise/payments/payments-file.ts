// Builds <InvoicePayments> input files for tests and the benchmark, and picks sandbox invoices to pay.
import fs from 'node:fs';
import type { Sandbox } from '../../../../src/simulator/index.js';
import { escapeText } from '../../../../src/xml/escape.js';

export interface PaymentInput {
  id?: number | string;
  externalId?: string;
  invoiceId: number | string;
  amount?: number | string;
  paymentDate?: string;
  /** Raw XML appended inside the record (for invalid records). */
  extra?: string;
}

const el = (name: string, value: unknown) => (value === undefined ? '' : `    <${name}>${escapeText(String(value))}</${name}>\n`);

export function paymentXml(p: PaymentInput): string {
  return `  <InvoicePayment>\n${el('id', p.id)}${el('externalId', p.externalId)}    <invoice>\n      <id>${escapeText(String(p.invoiceId))}</id>\n    </invoice>\n${el('amount', p.amount)}${el('paymentDate', p.paymentDate)}${p.extra ?? ''}  </InvoicePayment>\n`;
}

export const FILE_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<InvoicePayments xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n';

export function writePaymentsFile(file: string, payments: PaymentInput[]): string {
  fs.writeFileSync(file, FILE_HEAD + payments.map(paymentXml).join('') + '</InvoicePayments>\n');
  return file;
}

/** Invoices with no payment yet and a total of at least `minTotal`, lowest ids first. */
export function unpaidInvoices(sandbox: Sandbox, count: number, minTotal = 50): number[] {
  const ids = sandbox.control
    .invoices()
    .filter((inv) => (inv['total'] as number) >= minTotal && sandbox.control.paymentsForInvoice(inv['id'] as number).length === 0)
    .map((inv) => inv['id'] as number)
    .sort((a, b) => a - b);
  if (ids.length < count) throw new Error(`The sandbox has only ${ids.length} unpaid invoices; ${count} needed`);
  return ids.slice(0, count);
}

/** Invoices that already have their one payment: [invoice id, payment id]. */
export function paidInvoices(sandbox: Sandbox, count: number): [number, number][] {
  const pairs = sandbox.control
    .payments()
    .map((p) => [(p['invoice'] as { id: number }).id, p['id'] as number] as [number, number])
    .filter(([invoiceId]) => (sandbox.control.invoice(invoiceId)?.['total'] as number) >= 50)
    .sort((a, b) => a[0] - b[0]);
  if (pairs.length < count) throw new Error(`The sandbox has only ${pairs.length} paid invoices; ${count} needed`);
  return pairs.slice(0, count);
}

/** The record elements of an output file, as text, for order and content checks. */
export function outputRecords(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('<InvoicePayment>').slice(1);
}
