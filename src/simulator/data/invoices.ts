// Invoices (`/finance/invoices`) shaped like seed 000 and the Invoice schema, plus the payments
// seeded on some of them. Everything dated before EPOCH so "modified since" finds only real changes.
import type { Json } from '../query/list-query.js';
import { BILLING_STATUSES, BILLING_TERMS, LOCATIONS, TAX_CODES, currencyRef, type ReferenceData } from './reference.js';
import { DAY, Rng, compact, isoZ, midnight, round2, seededInfo } from './random.js';
import type { Refs } from './refs.js';

const TYPES = ['Standard', 'Standard', 'Standard', 'Miscellaneous', 'Agreement', 'Progress'] as const;
/** Ids used by the few deliberately dangling references (targets that do not exist). */
export const DANGLING_COMPANY_ID = 99_999;
export const DANGLING_TERMS_ID = 99;

export function invoiceNumberOf(id: number): string {
  return String(100_000 + id);
}

export function buildInvoice(seed: number, id: number, ref: ReferenceData): Json {
  const rng = new Rng(seed, 20, id);
  const { refs } = ref;
  const companyId = 1 + rng.int(0, ref.companies.size - 1);
  const company = ref.companies.get(companyId);
  if (!company) throw new Error(`company ${companyId} missing`);
  const siteIds = ref.sitesByCompany.get(companyId) ?? [];
  const site = ref.sites.get(siteIds[0] ?? -1);
  const shipSite = ref.sites.get(siteIds[siteIds.length - 1] ?? -1);
  const stamps = seededInfo(rng, 700);
  const date = midnight(stamps.entered);
  const termsRow = id % 89 === 0 ? { id: DANGLING_TERMS_ID, name: 'Net 90 (retired)', dueDays: 90 } : rng.pick(BILLING_TERMS);
  const tax = rng.pick(TAX_CODES);
  const serviceTotal = rng.chance(0.7) ? rng.money(50, 5000) : 0;
  const productTotal = rng.chance(0.4) ? rng.money(10, 3000) : 0;
  const expenseTotal = rng.chance(0.2) ? rng.money(5, 400) : 0;
  const subtotal = round2(serviceTotal + productTotal + expenseTotal || rng.money(20, 200));
  const salesTax = round2((subtotal * tax.rate) / 100);
  const total = round2(subtotal + salesTax);
  const status = rng.pick(BILLING_STATUSES.slice(0, 4));
  const contact = ref.contacts.get(companyId);
  const shipTo =
    id % 97 === 0
      ? refs.company({ id: DANGLING_COMPANY_ID, identifier: 'GONE', name: 'Deleted Company' })
      : refs.company(company);
  const withCustomFields = id % 3 === 0;
  // Every other invoice bills an agreement.
  const agreement = id % 2 === 0 ? ref.agreements.get(1 + (id % Math.max(1, ref.agreements.size))) : undefined;
  return compact({
    id,
    invoiceNumber: invoiceNumberOf(id),
    type: rng.pick(TYPES),
    status: refs.named('status', '/finance/billingStatuses', status),
    company: refs.company(company),
    billToCompany: refs.company(company),
    shipToCompany: shipTo,
    accountNumber: company['accountNumber'],
    applyToType: 'All',
    attention: contact ? `${String(contact['firstName'])} ${String(contact['lastName'])}` : undefined,
    billingSite: site ? refs.site(companyId, site) : undefined,
    billingSiteAddressLine1: site?.['addressLine1'],
    billingSiteCity: company['city'],
    billingSiteZip: site?.['zip'],
    shippingSite: shipSite ? refs.site(companyId, shipSite) : undefined,
    shippingSiteAddressLine1: shipSite?.['addressLine1'],
    shippingSiteCity: company['city'],
    shippingSiteZip: shipSite?.['zip'],
    billingTerms: refs.named('billingTerms', '/finance/billingTerms', termsRow),
    reference: rng.chance(0.3) ? `REF-${rng.int(1000, 9999)}` : undefined,
    customerPO: rng.chance(0.3) ? `PO-${rng.int(10000, 99999)}` : undefined,
    templateSetupId: 1,
    emailTemplateId: 1,
    addToBatchEmailList: false,
    date: isoZ(date),
    restrictDownpaymentFlag: false,
    locationId: 1 + (companyId % LOCATIONS.length),
    departmentId: 10,
    territoryId: 1 + (companyId % LOCATIONS.length),
    taxableFlag: tax.rate > 0,
    taxCode: refs.named('taxCode', '/finance/taxCodes', tax),
    downpaymentPreviouslyTaxedFlag: false,
    serviceTotal,
    currency: currencyRef(refs, company['currency'] ? Number((company['currency'] as Json)['id']) : 1),
    dueDate: isoZ(date + termsRow.dueDays * DAY),
    expenseTotal,
    productTotal,
    previousProgressApplied: 0,
    serviceAdjustmentAmount: 0,
    agreementAmount: 0,
    downpaymentApplied: 0,
    subtotal,
    total,
    remainingDownpayment: 0,
    salesTax,
    payments: 0,
    credits: 0,
    balance: total,
    overrideDownPaymentAmountFlag: false,
    specialInvoiceFlag: false,
    agreement: agreement ? refs.named('agreement', '/finance/agreements', { id: agreement['id'] as number, name: String(agreement['name']) }) : undefined,
    _info: { dateEntered: stamps.dateEntered, enteredBy: stamps.enteredBy, lastUpdated: stamps.lastUpdated, updatedBy: stamps.updatedBy },
    customFields: [
      compact({ id: 1, caption: 'Cost Centre', type: 'Text', entryMethod: 'EntryField', numberOfDecimals: 0, value: withCustomFields ? `CC-${100 + (id % 7)}` : undefined }),
      compact({ id: 2, caption: 'Priority', type: 'Number', entryMethod: 'EntryField', numberOfDecimals: 0, value: withCustomFields ? 1 + (id % 5) : undefined }),
    ],
  });
}

/** Does the seed give this invoice a payment already? (about one in six) */
export function hasSeededPayment(seed: number, id: number): boolean {
  return new Rng(seed, 21, id).chance(1 / 6);
}

export function invoiceRef(invoice: Json, apiUrl: string): Json {
  return {
    id: invoice['id'],
    identifier: invoice['invoiceNumber'],
    billingType: invoice['type'],
    applyToType: invoice['applyToType'] ?? 'All',
    _info: { invoice_href: `${apiUrl}/finance/invoices/${String(invoice['id'])}` },
  };
}

/**
 * A seeded invoice's status agrees with its money: paid in full is Closed, part-paid is Partially
 * Paid, and an unpaid one is New or Sent (the status drawn for it, Closed and Partially Paid drawn
 * for an unpaid invoice becoming Sent and New). Later writes leave the status to the client, as
 * ConnectWise does.
 */
export function settleStatus(invoice: Json, refs: Refs): void {
  const total = typeof invoice['total'] === 'number' ? invoice['total'] : 0;
  const paid = typeof invoice['payments'] === 'number' ? invoice['payments'] : 0;
  const drawn = (invoice['status'] as Json | undefined)?.['name'];
  const name = paid >= total && total > 0 ? 'Closed' : paid > 0 ? 'Partially Paid' : drawn === 'New' || drawn === 'Partially Paid' ? 'New' : 'Sent';
  const status = BILLING_STATUSES.find((s) => s.name === name);
  if (status) invoice['status'] = refs.named('status', '/finance/billingStatuses', status);
}

/** Payments follow their invoice: `payments` and `balance` are recomputed from the payment amount. */
export function applyPaymentTotals(invoice: Json, paid: number): void {
  const total = typeof invoice['total'] === 'number' ? invoice['total'] : 0;
  invoice['payments'] = round2(paid);
  invoice['balance'] = round2(total - paid);
}

export function buildSeededPayment(seed: number, paymentId: number, invoice: Json, apiUrl: string): Json {
  const rng = new Rng(seed, 22, paymentId);
  const total = typeof invoice['total'] === 'number' ? invoice['total'] : 0;
  const amount = rng.chance(0.5) ? total : round2(total * rng.int(10, 90) / 100);
  const info = invoice['_info'] as Record<string, string>;
  const paidAt = Date.parse(String(invoice['date'])) + rng.int(1, 30) * DAY;
  return {
    id: paymentId,
    type: 'Payment',
    invoice: invoiceRef(invoice, apiUrl),
    amount,
    paymentDate: isoZ(paidAt),
    appliedBy: 'Admin1',
    _info: { dateEntered: info['lastUpdated'] ?? isoZ(paidAt), enteredBy: 'Admin1', lastUpdated: info['lastUpdated'] ?? isoZ(paidAt), updatedBy: 'Admin1' },
  };
}
