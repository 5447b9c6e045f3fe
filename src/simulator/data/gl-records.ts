// The unposted GL records and their GLExport forms, rebuilt from (seed, id) on demand so any number
// of them costs no memory. This file holds what the three ledgers share (ids, facts, references);
// each ledger's records are built in gl-invoices.ts, gl-expenses.ts and gl-procurement.ts. Field names and
// order follow seed 002 and the GLExport*/Unposted* schemas.
// GL entry ids (what `processedRecordIds` takes): an unposted invoice k owns d+1 consecutive ids from
// INVOICE_GL_BASE (its d detail lines and its sales-tax line, listed in `glEntryIds`); an unposted
// expense k owns EXPENSE_GL_BASE + k; an unposted procurement k owns d ids from PROCUREMENT_GL_BASE
// (its purchaseDetail lines). d = size.detailLinesPerTransaction.
// References into the reference tables (catalog items, products, bins, shipment methods, purchase
// orders, currencies) are built once per reset and shared, and picked by arithmetic on values the
// record already drew, so they add no random draws and next to no time per record.
import type { Json } from '../query/list-query.js';
import type { SandboxSize } from '../types.js';
import { DAY, EPOCH, hash, isoZ } from './random.js';
import { invoiceNumberOf } from './invoices.js';
import { BILLING_TERMS, LOCATIONS, TAX_CODES, currencyRef, type CompanyRow, type ReferenceData } from './reference.js';

export type LedgerKind = 'invoice' | 'expense' | 'procurement';

export const INVOICE_GL_BASE = 1_000;
export const EXPENSE_GL_BASE = 500_000_000;
export const PROCUREMENT_GL_BASE = 1_000_000_000;

/** The few facts export filters need, computed from hashes alone (no objects) so a million are cheap. */
export interface Facts {
  companyId: number;
  date: number;
  locationId: number;
}

/** Shared reference objects, by table position. */
export interface LineRefs {
  /** The full reference, as on record headers. */
  currency: Json;
  /** A slim one for detail lines, which are many. */
  lineCurrency: Json;
  items: Json[];
  products: Json[];
  bins: Json[];
  shipmentMethods: Json[];
  purchaseOrders: Json[];
}

function lineRefs(ref: ReferenceData): LineRefs {
  const catalog = [...ref.catalog.values()];
  // Product p sells catalog item 700 + (p % items); the first such product stands for each item.
  const productFor = (itemId: unknown): Json | undefined => [...ref.products.values()].find((p) => (p['catalogItem'] as Json | undefined)?.['id'] === itemId);
  const currency = currencyRef(ref.refs, 1);
  return {
    currency,
    lineCurrency: { id: currency['id'], currencyIdentifier: currency['currencyIdentifier'], name: currency['name'] },
    items: catalog.map((item) => ({ id: item['id'], identifier: item['identifier'] })),
    products: catalog.map((item) => {
      const product = productFor(item['id']);
      return product ? { id: product['id'], description: product['description'] } : {};
    }),
    bins: [...ref.warehouseBins.values()].map((bin) => ({ id: bin['id'], name: bin['name'] })),
    shipmentMethods: [...ref.shipmentMethods.values()].map((method) => ({ id: method['id'], name: method['name'] })),
    purchaseOrders: [...ref.purchaseOrders.values()].map((po) => ({ id: po['id'], name: po['poNumber'] })),
  };
}

/** The element at `index` modulo the length (the lists are never empty once the reference data exists). */
export function cycle(list: Json[], index: number): Json | undefined {
  return list[index % list.length];
}

export class GlRecords {
  readonly lines: number;
  readonly shared: LineRefs;

  constructor(
    readonly seed: number,
    readonly size: SandboxSize,
    readonly ref: ReferenceData,
  ) {
    this.lines = Math.max(1, size.detailLinesPerTransaction);
    this.shared = lineRefs(ref);
  }

  facts(kind: LedgerKind, k: number): Facts {
    const salt = kind === 'invoice' ? 30 : kind === 'expense' ? 40 : 50;
    const companies = this.ref.companies.size;
    const vendors = this.ref.vendorIds;
    const companyId =
      kind === 'procurement'
        ? (vendors[hash(this.seed, salt, k) % vendors.length] ?? 1)
        : 1 + (hash(this.seed, salt, k) % companies);
    return {
      companyId,
      date: EPOCH - (1 + (hash(this.seed, salt + 1, k) % 365)) * DAY,
      locationId: 1 + (hash(this.seed, salt + 2, k) % LOCATIONS.length),
    };
  }

  glEntryIds(kind: LedgerKind, k: number): number[] {
    if (kind === 'expense') return [EXPENSE_GL_BASE + k];
    const stride = kind === 'invoice' ? this.lines + 1 : this.lines;
    const base = (kind === 'invoice' ? INVOICE_GL_BASE : PROCUREMENT_GL_BASE) + (k - 1) * stride;
    return Array.from({ length: stride }, (_, j) => base + j);
  }

  /** Which record owns a GL entry id, if any exists at this size. */
  owner(entryId: number): { kind: LedgerKind; id: number } | undefined {
    let found: { kind: LedgerKind; id: number } | undefined;
    if (entryId >= PROCUREMENT_GL_BASE) found = { kind: 'procurement', id: Math.floor((entryId - PROCUREMENT_GL_BASE) / this.lines) + 1 };
    else if (entryId >= EXPENSE_GL_BASE) found = { kind: 'expense', id: entryId - EXPENSE_GL_BASE };
    else if (entryId >= INVOICE_GL_BASE) found = { kind: 'invoice', id: Math.floor((entryId - INVOICE_GL_BASE) / (this.lines + 1)) + 1 };
    if (!found || found.id < 1 || found.id > this.count(found.kind)) return undefined;
    return found;
  }

  count(kind: LedgerKind): number {
    return kind === 'invoice' ? this.size.unpostedInvoices : kind === 'expense' ? this.size.unpostedExpenses : this.size.unpostedProcurement;
  }

  company(id: number): CompanyRow {
    const company = this.ref.companies.get(id) ?? this.ref.companies.get(1);
    if (!company) throw new Error('no companies');
    return company;
  }

  companyRef(id: number): Json {
    return this.ref.refs.company(this.company(id));
  }

  siteRef(companyId: number): Json | undefined {
    const site = this.ref.sites.get(this.ref.sitesByCompany.get(companyId)?.[0] ?? -1);
    return site ? this.ref.refs.site(companyId, site) : undefined;
  }

  terms(companyId: number): (typeof BILLING_TERMS)[number] {
    return BILLING_TERMS[companyId % BILLING_TERMS.length] ?? { id: 3, name: 'Net 30', defaultFlag: true, dueDays: 30, termsXref: 'Net 30' };
  }

  tax(companyId: number): (typeof TAX_CODES)[number] {
    return TAX_CODES[companyId % TAX_CODES.length] ?? { id: 2, identifier: 'ZERO', name: 'Zero rated', rate: 0 };
  }

  named(kind: string, path: string, item: { id: number; name: string }): Json {
    return this.ref.refs.named(kind, path, item);
  }

  /**
   * Unposted invoice k is sandbox invoice 1 + (k - 1) mod the invoices there are, by number, so a
   * GL transaction's documentNumber finds its invoice in /finance/invoices (own numbers without any).
   */
  invoiceNumber(k: number): string {
    const invoices = this.size.invoices;
    return invoices > 0 ? invoiceNumberOf(1 + ((k - 1) % invoices)) : `GL${String(k).padStart(7, '0')}`;
  }

  stamps(kind: LedgerKind, k: number, date: number): Json {
    const entered = date + (hash(this.seed, 60, k, kind.length) % 36_000) * 1000;
    return { dateEntered: isoZ(entered), enteredBy: 'Admin1', lastUpdated: isoZ(entered), updatedBy: 'Admin1' };
  }
  item(index: number): Json | undefined {
    return this.ref.catalog.get(700 + index);
  }
}
