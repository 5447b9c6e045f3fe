// All sandbox state for one seed and size: reference tables, invoices and payments, the GL ledger,
// batches and the Traede side. Routes and the control API read and change it through here.
import type { Json } from '../query/list-query.js';
import { DEFAULT_SIZE, type SandboxSize } from '../types.js';
import { AGREEMENT_TYPES } from './agreements.js';
import { buildGlAccounts } from './gl-accounts.js';
import { applyPaymentTotals, buildInvoice, buildSeededPayment, hasSeededPayment, settleStatus } from './invoices.js';
import { isoZ } from './random.js';
import { buildReferenceData, type ReferenceData } from './reference.js';
import { Refs } from './refs.js';
import { TraedeData } from './traede.js';
import { Ledger } from './ledger.js';

export const SANDBOX_USER = 'Sandbox';

const LOOKUP_STAMP = { dateEntered: '2020-01-01T00:00:00Z', enteredBy: 'Admin1', lastUpdated: '2020-01-01T00:00:00Z', updatedBy: 'Admin1' };

function lookup(rows: Json[]): Map<number, Json> {
  return new Map(rows.map((row) => [row['id'] as number, { ...row, _info: { ...LOOKUP_STAMP } }]));
}

export class SandboxData {
  readonly seed: number;
  readonly size: SandboxSize;
  readonly ref: ReferenceData;
  readonly invoices = new Map<number, Json>();
  readonly payments = new Map<number, Json>();
  /** Invoice id → its one payment id. */
  readonly paymentByInvoice = new Map<number, number>();
  readonly ledger: Ledger;
  readonly glAccounts = buildGlAccounts();
  /** Small lookup tables the records' references point at (company statuses, countries, agreement types). */
  readonly lookups = {
    companyStatuses: lookup([{ id: 1, name: 'Active', defaultFlag: true, inactiveFlag: false }]),
    countries: lookup([{ id: 1, identifier: 'GB', name: 'United Kingdom', defaultFlag: true }]),
    agreementTypes: lookup(AGREEMENT_TYPES.map((t) => ({ ...t, defaultFlag: false, inactiveFlag: false }))),
  };
  readonly traede: TraedeData;
  /** What clients created through the API, in order. */
  readonly createdLog: { payments: Json[]; batches: Json[] } = { payments: [], batches: [] };
  private nextPaymentId: number;

  constructor(
    readonly apiUrl: string,
    seed: number,
    size: Partial<SandboxSize> = {},
  ) {
    this.seed = seed;
    this.size = { ...DEFAULT_SIZE, ...size };
    this.ref = buildReferenceData(seed, Math.max(1, this.size.companies), new Refs(apiUrl));
    let paymentId = 0;
    for (let id = 1; id <= this.size.invoices; id++) {
      const invoice = buildInvoice(seed, id, this.ref);
      this.invoices.set(id, invoice);
      if (hasSeededPayment(seed, id)) {
        paymentId++;
        const payment = buildSeededPayment(seed, paymentId, invoice, apiUrl);
        this.payments.set(paymentId, payment);
        this.paymentByInvoice.set(id, paymentId);
        applyPaymentTotals(invoice, payment['amount'] as number);
      }
      settleStatus(invoice, this.ref.refs);
    }
    this.nextPaymentId = paymentId + 1;
    this.ledger = new Ledger(seed, this.size, this.ref, apiUrl);
    this.traede = new TraedeData(seed, this.size.traedeInvoices);
  }

  /** The tables served by the generic reference endpoints, by entity name. */
  tables() {
    const r = this.ref;
    return {
      invoices: this.invoices,
      payments: this.payments,
      companies: r.companies,
      companyTypes: r.companyTypes,
      sites: r.sites,
      contacts: r.contacts,
      billingStatuses: r.billingStatuses,
      billingTerms: r.billingTerms,
      taxCodes: r.taxCodes,
      currencies: r.currencies,
      locations: r.locations,
      members: r.members,
      projects: r.projects,
      catalog: r.catalog,
      purchaseOrders: r.purchaseOrders,
      agreements: r.agreements,
      products: r.products,
      warehouses: r.warehouses,
      warehouseBins: r.warehouseBins,
      shipmentMethods: r.shipmentMethods,
      batches: this.ledger.batches,
      glAccounts: this.glAccounts,
      ...this.lookups,
    };
  }

  /** Stamps a change made now, so `_info/lastUpdated` moves and Modified exports see it. */
  stamp(record: Json, created = false): void {
    const now = isoZ(Date.now());
    const info = { ...((record['_info'] as Json | undefined) ?? {}) };
    if (created) {
      info['dateEntered'] = now;
      info['enteredBy'] = SANDBOX_USER;
    }
    info['lastUpdated'] = now;
    info['updatedBy'] = SANDBOX_USER;
    record['_info'] = info;
  }

  /** Applies a shallow patch to a stored record and stamps it; undefined when there is no such record. */
  modify(entity: string, id: number, patch: Json = {}): Json | undefined {
    if (entity === 'traedeInvoices') return this.traede.modify(id, patch);
    const table = (this.tables() as Record<string, Map<number, Json> | undefined>)[entity];
    const record = table?.get(id);
    if (!record) return undefined;
    Object.assign(record, patch, { id });
    this.stamp(record);
    return record;
  }

  addInvoice(partial: Json = {}): Json {
    const id = Math.max(0, ...this.invoices.keys()) + 1;
    const invoice = { ...buildInvoice(this.seed, id, this.ref), ...partial, id };
    if (partial['balance'] === undefined) applyPaymentTotals(invoice, 0);
    if (partial['status'] === undefined) settleStatus(invoice, this.ref.refs);
    this.stamp(invoice, true);
    this.invoices.set(id, invoice);
    return invoice;
  }

  allocatePaymentId(): number {
    return this.nextPaymentId++;
  }
}
