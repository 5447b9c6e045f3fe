// The unposted GL records and their GLExport forms, rebuilt from (seed, id) on demand so any number
// of them costs no memory. Field names and order follow seed 002 and the GLExport*/Unposted* schemas.
// GL entry ids (what `processedRecordIds` takes): an unposted invoice k owns d+1 consecutive ids from
// INVOICE_GL_BASE (its d detail lines and its sales-tax line, listed in `glEntryIds`); an unposted
// expense k owns EXPENSE_GL_BASE + k; an unposted procurement k owns d ids from PROCUREMENT_GL_BASE
// (its purchaseDetail lines). d = size.detailLinesPerTransaction.
// References into the reference tables (catalog items, products, bins, shipment methods, purchase
// orders, currencies) are built once per reset and shared, and picked by arithmetic on values the
// record already drew, so they add no random draws and next to no time per record.
import type { Json } from '../query/list-query.js';
import type { SandboxSize } from '../types.js';
import { DAY, EPOCH, Rng, compact, glDate, hash, isoZ, round2 } from './random.js';
import { invoiceNumberOf } from './invoices.js';
import { BILLING_TERMS, COMPANY_TYPES, LOCATIONS, TAX_CODES, UNITS, currencyRef, type CompanyRow, type ReferenceData } from './reference.js';

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
interface LineRefs {
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
function cycle(list: Json[], index: number): Json | undefined {
  return list[index % list.length];
}

export class GlRecords {
  private readonly lines: number;
  private readonly shared: LineRefs;

  constructor(
    private readonly seed: number,
    private readonly size: SandboxSize,
    private readonly ref: ReferenceData,
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

  private company(id: number): CompanyRow {
    const company = this.ref.companies.get(id) ?? this.ref.companies.get(1);
    if (!company) throw new Error('no companies');
    return company;
  }

  private companyRef(id: number): Json {
    return this.ref.refs.company(this.company(id));
  }

  private siteRef(companyId: number): Json | undefined {
    const site = this.ref.sites.get(this.ref.sitesByCompany.get(companyId)?.[0] ?? -1);
    return site ? this.ref.refs.site(companyId, site) : undefined;
  }

  private terms(companyId: number): (typeof BILLING_TERMS)[number] {
    return BILLING_TERMS[companyId % BILLING_TERMS.length] ?? { id: 3, name: 'Net 30', defaultFlag: true, dueDays: 30, termsXref: 'Net 30' };
  }

  private tax(companyId: number): (typeof TAX_CODES)[number] {
    return TAX_CODES[companyId % TAX_CODES.length] ?? { id: 2, identifier: 'ZERO', name: 'Zero rated', rate: 0 };
  }

  private named(kind: string, path: string, item: { id: number; name: string }): Json {
    return this.ref.refs.named(kind, path, item);
  }

  /**
   * Unposted invoice k is sandbox invoice 1 + (k - 1) mod the invoices there are, by number, so a
   * GL transaction's documentNumber finds its invoice in /finance/invoices (own numbers without any).
   */
  private invoiceNumber(k: number): string {
    const invoices = this.size.invoices;
    return invoices > 0 ? invoiceNumberOf(1 + ((k - 1) % invoices)) : `GL${String(k).padStart(7, '0')}`;
  }

  /** Lines and totals of unposted invoice k, shared by its list form and its GL transaction. */
  private invoiceAmounts(k: number): { lines: { qty: number; price: number; itemIndex: number; service: boolean }[]; subtotal: number; tax: number; total: number; rate: number; companyId: number } {
    const rng = new Rng(this.seed, 33, k);
    const facts = this.facts('invoice', k);
    const lines = Array.from({ length: this.lines }, () => ({ qty: rng.int(1, 8), price: rng.money(5, 400), itemIndex: rng.int(0, 11), service: rng.chance(0.5) }));
    const subtotal = round2(lines.reduce((sum, l) => sum + l.qty * l.price, 0));
    const rate = this.tax(facts.companyId).rate;
    const tax = round2((subtotal * rate) / 100);
    return { lines, subtotal, tax, total: round2(subtotal + tax), rate, companyId: facts.companyId };
  }

  private stamps(kind: LedgerKind, k: number, date: number): Json {
    const entered = date + (hash(this.seed, 60, k, kind.length) % 36_000) * 1000;
    return { dateEntered: isoZ(entered), enteredBy: 'Admin1', lastUpdated: isoZ(entered), updatedBy: 'Admin1' };
  }

  unpostedInvoice(k: number): Json {
    const facts = this.facts('invoice', k);
    const a = this.invoiceAmounts(k);
    const company = this.company(facts.companyId);
    const terms = this.terms(facts.companyId);
    const tax = this.tax(facts.companyId);
    return compact({
      id: k,
      billingLogId: k,
      locationId: facts.locationId,
      departmentId: 10,
      company: this.companyRef(facts.companyId),
      accountNumber: company['accountNumber'],
      billToCompany: this.companyRef(facts.companyId),
      billToSite: this.siteRef(facts.companyId),
      shipToCompany: this.companyRef(facts.companyId),
      shipToSite: this.siteRef(facts.companyId),
      invoiceNumber: this.invoiceNumber(k),
      invoiceDate: isoZ(facts.date),
      invoiceType: 'Standard',
      description: 'Accounts Receivable',
      billingTerms: this.named('billingTerms', '/finance/billingTerms', terms),
      dueDays: String(terms.dueDays),
      dueDate: isoZ(facts.date + terms.dueDays * DAY),
      currency: currencyRef(this.ref.refs, 1),
      subTotal: a.subtotal,
      total: a.total,
      invoiceTaxableFlag: a.rate > 0,
      taxCode: this.named('taxCode', '/finance/taxCodes', tax),
      avalaraTaxFlag: false,
      itemTaxableFlag: a.rate > 0,
      salesTaxAmount: a.tax,
      stateTaxFlag: a.rate > 0,
      stateTaxXref: tax.identifier,
      stateTaxAmount: a.tax,
      createdBy: 'Admin1',
      _info: this.stamps('invoice', k, facts.date),
    });
  }

  unpostedExpense(k: number): Json {
    const facts = this.facts('expense', k);
    const e = this.expenseFacts(k);
    return compact({
      id: k,
      locationId: facts.locationId,
      departmentId: 10,
      company: this.companyRef(facts.companyId),
      accountNumber: '6000',
      creditAccount: '2100',
      expenseDetailId: 5_000 + k,
      expenseType: { id: e.typeId, name: e.typeName },
      classification: e.classification,
      glType: 'EE',
      member: this.ref.refs.member(e.member),
      dateExpense: isoZ(facts.date),
      chargeCode: { id: 1, name: 'Travel' },
      inPolicy: true,
      paymentMethod: { id: 1, name: e.classification === 'Reimbursable' ? 'Personal Card' : 'Company Card' },
      currency: currencyRef(this.ref.refs, 1),
      total: e.total,
      billableAmount: e.billable ? e.total : 0,
      nonBillableAmount: e.billable ? 0 : e.total,
      project: e.project,
      avalaraTaxFlag: false,
      itemTaxableFlag: false,
      salesTaxAmount: 0,
      _info: this.stamps('expense', k, facts.date),
    });
  }

  private expenseFacts(k: number): { member: Json; total: number; billable: boolean; classification: string; typeId: number; typeName: string; project: Json | undefined } {
    const rng = new Rng(this.seed, 41, k);
    const member = this.ref.members.get(1 + rng.int(0, this.ref.members.size - 1)) ?? {};
    const project = this.ref.projects.get(rng.int(1, this.ref.projects.size + 3));
    const [typeId, typeName] = rng.pick([[1, 'Mileage'], [2, 'Meals'], [3, 'Hotel'], [4, 'Airfare']] as const);
    return {
      member,
      total: rng.money(5, 800),
      billable: rng.chance(0.5),
      classification: rng.pick(['Reimbursable', 'NonReimbursable', 'Reimbursable'] as const),
      typeId,
      typeName,
      project: project ? this.named('project', '/project/projects', { id: project['id'] as number, name: String(project['name']) }) : undefined,
    };
  }

  unpostedProcurement(k: number): Json {
    const facts = this.facts('procurement', k);
    const p = this.procurementFacts(k);
    return compact({
      id: k,
      description: 'Purchase',
      unpostedProductId: String(k),
      locationId: facts.locationId,
      departmentId: 10,
      procurementType: 'Purchase',
      purchaseOrder: p.po ? this.named('purchaseOrder', '/procurement/purchaseorders', { id: p.po['id'] as number, name: String(p.po['poNumber']) }) : undefined,
      purchaseDate: isoZ(facts.date),
      trackingNumber: `TRK${100_000 + k}`,
      billingTerms: this.named('billingTerms', '/finance/billingTerms', this.terms(facts.companyId)),
      currency: currencyRef(this.ref.refs, 1),
      total: p.total,
      taxCode: this.named('taxCode', '/finance/taxCodes', this.tax(facts.companyId)),
      avalaraTaxFlag: false,
      itemTaxableFlag: true,
      purchaseOrderTaxableFlag: false,
      taxTotal: 0,
      vendor: this.companyRef(facts.companyId),
      vendorInvoiceNumber: `VINV${k}`,
      vendorInvoiceDate: isoZ(facts.date),
      taxFreightFlag: false,
      freightTaxTotal: 0,
      freightCost: 0,
      _info: this.stamps('procurement', k, facts.date),
    });
  }

  private procurementFacts(k: number): { po: Json | undefined; lines: { qty: number; cost: number; itemIndex: number }[]; total: number } {
    const rng = new Rng(this.seed, 51, k);
    const po = this.ref.purchaseOrders.get(1 + rng.int(0, this.ref.purchaseOrders.size - 1));
    const lines = Array.from({ length: this.lines }, () => ({ qty: rng.int(1, 50), cost: rng.money(0.25, 300), itemIndex: rng.int(0, 11) }));
    return { po, lines, total: round2(lines.reduce((s, l) => s + l.qty * l.cost, 0)) };
  }

  private item(index: number): Json | undefined {
    return this.ref.catalog.get(700 + index);
  }

  customer(companyId: number): Json {
    const company = this.company(companyId);
    const contact = this.ref.contacts.get(companyId);
    const terms = this.terms(companyId);
    const tax = this.tax(companyId);
    return {
      company: { id: companyId, identifier: company.identifier },
      companyType: COMPANY_TYPES[0],
      contact: contact ? { id: contact['id'], name: `${String(contact['firstName'])} ${String(contact['lastName'])}` } : undefined,
      site: this.siteRef(companyId),
      accountNumber: company['accountNumber'],
      billingTerms: { id: terms.id, name: terms.name },
      billingTermsXref: terms.termsXref,
      dueDays: terms.dueDays,
      taxable: tax.rate > 0,
      taxCode: { id: tax.id, name: tax.name },
      stateTaxXref: tax.identifier,
      countyTaxXref: '',
      cityTaxXref: '',
      countryTaxXref: '',
      compositeTaxXref: '',
      stateTaxRate: tax.rate,
      countyTaxRate: 0,
      cityTaxRate: 0,
      countryTaxRate: 0,
      compositeTaxRate: 0,
      taxAgencyXref: company['accountNumber'],
      stateTaxAgencyXref: company['accountNumber'],
      countyTaxAgencyXref: '',
      cityTaxAgencyXref: '',
      countryTaxAgencyXref: '',
      compositeTaxAgencyXref: '',
    };
  }

  transaction(k: number): Json {
    const facts = this.facts('invoice', k);
    const a = this.invoiceAmounts(k);
    const company = this.company(facts.companyId);
    const terms = this.terms(facts.companyId);
    const tax = this.tax(facts.companyId);
    const contact = this.ref.contacts.get(facts.companyId);
    const ids = this.glEntryIds('invoice', k);
    const documentDate = glDate(facts.date);
    const location = LOCATIONS[facts.locationId - 1]?.name ?? 'DEFAULT';
    const shared = this.shared;
    const detail: Json[] = a.lines.map((line, j) => {
      const item = this.item(line.itemIndex);
      const product = !line.service;
      return {
        id: ids[j],
        documentDate,
        documentType: 'INVOICE',
        accountNumber: line.service ? '4000' : '4010',
        glClass: '',
        glTypeId: line.service ? 'RP' : 'IT',
        glItemId: line.service ? '' : String(item?.['identifier'] ?? ''),
        invoiceSummaryOption: '0',
        cost: 0,
        salesCode: '0000',
        memo: String(item?.['description'] ?? 'Service'),
        description: line.service ? 'Services' : 'Products',
        quantity: -line.qty,
        total: -round2(line.qty * line.price),
        currency: shared.lineCurrency,
        costAccountNumber: '0000',
        inventoryAccountNumber: '0000',
        productAccountNumber: '4000',
        taxCodeXref: tax.identifier,
        taxAgencyXref: '',
        taxNote: '',
        taxRate: 0,
        taxRatePercent: 0,
        taxableFlag: a.rate > 0,
        taxable2Flag: false,
        taxable3Flag: false,
        taxable4Flag: false,
        taxable5Flag: false,
        item: product ? cycle(shared.items, line.itemIndex) : undefined,
        product: product ? cycle(shared.products, line.itemIndex) : undefined,
        itemTaxableFlag: a.rate > 0,
        itemPrice: line.price,
        itemCost: 0,
        itemDescription: String(item?.['description'] ?? ''),
        salesDescription: String(item?.['customerDescription'] ?? ''),
        unitOfMeasure: line.service ? UNITS[0] : UNITS[1],
        serializedFlag: false,
        serialNumbers: '',
        warehouseBin: product ? cycle(shared.bins, line.itemIndex + k) : undefined,
        shipmentMethod: product ? cycle(shared.shipmentMethods, line.itemIndex + j) : undefined,
        dropShippedFlag: false,
        itemTypeXref: line.service ? 'Service' : 'Non-Inventory',
        inventoryXref: '0000',
        cogsXref: '0000',
        uomScheduleXref: '',
        locationXref: location,
      };
    });
    detail.push({
      id: ids[a.lines.length],
      documentDate,
      documentType: 'INVOICE',
      accountNumber: '2200',
      glClass: '',
      glTypeId: 'ST',
      glItemId: '',
      invoiceSummaryOption: '0',
      cost: 0,
      salesCode: '',
      memo: 'Sales Tax',
      description: 'Level 1 Sales Tax',
      quantity: 0,
      total: -a.tax,
      currency: shared.lineCurrency,
      productAccountNumber: '4000',
      taxCodeXref: tax.identifier,
      taxNote: 'AUTOSTAX',
      taxRate: a.rate / 100,
      taxRatePercent: a.rate,
      taxableFlag: false,
      itemTaxableFlag: false,
      itemPrice: 0,
      itemCost: 0,
      unitOfMeasure: UNITS[0],
      serializedFlag: false,
      dropShippedFlag: false,
      locationXref: location,
    });
    return {
      id: k,
      glClass: '',
      glTypeId: 'AR',
      documentDate,
      documentNumber: this.invoiceNumber(k),
      documentType: 'INVOICE',
      memo: '',
      description: 'Accounts Receivable',
      attention: contact ? `${String(contact['firstName'])} ${String(contact['lastName'])}` : '',
      salesTerritory: location,
      company: { id: company.id, identifier: company.identifier },
      companyType: COMPANY_TYPES[0],
      companyAccountNumber: company['accountNumber'],
      site: this.siteRef(facts.companyId),
      billingTerms: { id: terms.id, name: terms.name },
      billingTermsXref: terms.termsXref,
      dueDays: terms.dueDays,
      dueDate: glDate(facts.date + terms.dueDays * DAY),
      emailDeliveryFlag: false,
      printDeliveryFlag: false,
      agreementPrePaymentFlag: false,
      accountNumber: '1200',
      billingType: 'Standard',
      glEntryIds: ids.join(','),
      // Every other invoice was raised against a purchase order.
      purchaseOrder: k % 2 === 0 ? cycle(shared.purchaseOrders, k) : undefined,
      currency: shared.currency,
      total: a.total,
      taxable: a.rate > 0,
      taxableTotal: a.rate > 0 ? a.subtotal : 0,
      taxCode: { id: tax.id, name: tax.name },
      taxGroupRate: a.rate / 100,
      piggyBackFlag: false,
      taxAccountNumber: '2200',
      salesTax: a.tax,
      stateTax: a.tax,
      countyTax: 0,
      cityTax: 0,
      taxableAmount1: a.rate > 0 ? a.subtotal : 0,
      taxableAmount2: 0,
      taxableAmount3: 0,
      taxableAmount4: 0,
      taxableAmount5: 0,
      taxAgencyXref: company['accountNumber'],
      stateTaxXref: tax.identifier,
      countyTaxXref: '',
      taxId: '',
      taxDpAppliedFlag: false,
      useAvalaraFlag: false,
      sendAvalaraTaxFlag: false,
      shipToCompany: { id: company.id, identifier: company.identifier },
      shipToCompanyAccountNumber: company['accountNumber'],
      shipToCompanyType: COMPANY_TYPES[0],
      shipToTaxId: '',
      detail,
    };
  }

  vendor(companyId: number): Json {
    const company = this.company(companyId);
    const terms = this.terms(companyId);
    const tax = this.tax(companyId);
    return {
      vendor: { id: company.id, identifier: company.identifier },
      vendorNumber: String(company['vendorIdentifier'] ?? ''),
      company: { id: company.id, identifier: company.identifier },
      accountNumber: company['accountNumber'],
      billingTerms: { id: terms.id, name: terms.name },
      dueDays: terms.dueDays,
      site: this.siteRef(companyId),
      taxCode: { id: tax.id, name: tax.name },
    };
  }

  purchaseTransaction(k: number): Json {
    const facts = this.facts('procurement', k);
    const p = this.procurementFacts(k);
    const company = this.company(facts.companyId);
    const terms = this.terms(facts.companyId);
    const tax = this.tax(facts.companyId);
    const contact = this.ref.contacts.get(facts.companyId);
    const poNumber = String(p.po?.['poNumber'] ?? `PO${k}`);
    const slip = `PS${100_000 + k}`;
    const documentDate = glDate(facts.date);
    const ids = this.glEntryIds('procurement', k);
    const location = LOCATIONS[facts.locationId - 1]?.name ?? 'DEFAULT';
    const shared = this.shared;
    return {
      id: `PO #${poNumber}, Packing Slip: ${slip}`,
      documentDate,
      documentNumber: slip,
      description: 'Purchase',
      memo: '',
      apAccountNumber: '9000',
      purchaseDate: documentDate,
      company: { id: company.id, identifier: company.identifier },
      contact: contact ? { id: contact['id'], name: `${String(contact['firstName'])} ${String(contact['lastName'])}` } : undefined,
      site: this.siteRef(facts.companyId),
      purchaseClass: '',
      freightAmount: 0,
      freightPackingSlip: slip,
      packingSlip: slip,
      dropshipFlag: false,
      total: p.total,
      billingTerms: { id: terms.id, name: terms.name },
      billingTermsXref: terms.termsXref,
      dueDays: terms.dueDays,
      vendorNumber: String(company['vendorIdentifier'] ?? ''),
      vendorAccountNumber: '',
      vendorInvoiceDate: documentDate,
      vendorInvoiceNumber: `VINV${k}`,
      taxAgencyXref: '',
      stateTaxXref: tax.identifier,
      countyTaxXref: '',
      cityTaxXref: '',
      taxGroupRate: tax.rate / 100,
      useAvalaraTaxFlag: false,
      purchaseHeaderTaxGroup: tax.name,
      purchaseHeaderTaxableFlag: false,
      purchaseHeaderFreightTaxableFlag: false,
      purchaseDetail: p.lines.map((line, j) => {
        const item = this.item(line.itemIndex);
        const identifier = String(item?.['identifier'] ?? 'ITEM');
        return {
          id: ids[j],
          documentDate,
          glClass: '',
          glTypeId: 'RP',
          glItemId: identifier,
          salesCode: '1111',
          description: 'Purchase',
          cost: round2(line.qty * line.cost),
          memo: String(item?.['description'] ?? ''),
          taxNote: '',
          vendorNumber: '',
          accountNumber: '4001',
          costAccountNumber: '1111',
          inventoryAccountNumber: '1111',
          vendorAccountNumber: '',
          item: cycle(shared.items, line.itemIndex),
          itemDescription: String(item?.['description'] ?? ''),
          salesDescription: String(item?.['customerDescription'] ?? ''),
          taxable: true,
          itemPrice: item?.['price'] ?? 0,
          itemCost: line.cost,
          unitOfMeasure: UNITS[1],
          quantity: -line.qty,
          total: -round2(line.qty * line.cost),
          serializedFlag: false,
          serialNumbers: '',
          dropShippedFlag: false,
          lineNumber: j + 1,
          warehouseBin: cycle(shared.bins, line.itemIndex + k),
          subCategory: { id: 24, name: 'Miscellaneous' },
          shipmentMethod: cycle(shared.shipmentMethods, line.itemIndex + j),
          itemTypeXref: 'Other Charge',
          inventoryXref: '1111',
          cogsXref: '1111',
          uomScheduleXref: 'DEFAULT',
          priceLevelXref: 'DEFAULT',
          locationXref: location,
          purchaseHeaderTaxGroup: tax.name,
          taxCodeXref: '',
          taxRate: 0,
          taxAgencyXref: '',
        };
      }),
      purchaseDetailTax: [],
    };
  }

  expense(k: number): Json {
    const facts = this.facts('expense', k);
    const e = this.expenseFacts(k);
    const company = this.company(facts.companyId);
    const entryId = EXPENSE_GL_BASE + k;
    const documentDate = glDate(facts.date);
    const member = { id: e.member['id'], identifier: e.member['identifier'], name: `${String(e.member['firstName'])} ${String(e.member['lastName'])}` };
    return {
      id: entryId,
      documentDate,
      documentType: 'EXPENSE',
      apAccountNumber: '2100',
      apClass: '',
      accountNumber: '6000',
      glClass: '',
      glTypeId: 'EE',
      memo: e.typeName,
      description: `${e.typeName} expense`,
      periodStartDate: documentDate,
      periodEndDate: glDate(facts.date + 6 * DAY),
      member,
      vendorNumber: String(e.member['vendorNumber'] ?? ''),
      company: { id: company.id, identifier: company.identifier },
      companyAccountNumber: company['accountNumber'],
      project: e.project,
      currency: currencyRef(this.ref.refs, 1),
      total: e.total,
      offset: { id: entryId, documentDate, documentType: 'EXPENSE', accountNumber: '2100', glTypeId: 'EO', glClass: '', member, memo: e.typeName, description: 'Expense offset', total: -e.total },
    };
  }

  /** Reimbursable expenses are owed to the member, so each also appears as a bill. */
  expenseBill(k: number): Json | undefined {
    const e = this.expenseFacts(k);
    if (e.classification !== 'Reimbursable') return undefined;
    const facts = this.facts('expense', k);
    const company = this.company(facts.companyId);
    const entryId = EXPENSE_GL_BASE + k;
    const documentDate = glDate(facts.date);
    return {
      id: entryId,
      documentDate,
      documentType: 'BILL',
      documentNumber: `EXP${k}`,
      memo: e.typeName,
      glClass: '',
      apAccountNumber: '2100',
      member: { id: e.member['id'], identifier: e.member['identifier'], name: `${String(e.member['firstName'])} ${String(e.member['lastName'])}` },
      vendorNumber: String(e.member['vendorNumber'] ?? ''),
      currency: currencyRef(this.ref.refs, 1),
      total: e.total,
      detail: [
        {
          id: [entryId],
          documentDate,
          glTypeId: 'EE',
          memo: e.typeName,
          company: { id: company.id, identifier: company.identifier },
          accountNumber: '6000',
          expenseClass: { id: 1, name: 'Reimbursable' },
          currency: currencyRef(this.ref.refs, 1),
          total: e.total,
          billable: e.billable,
          reimbursable: true,
          companyAdvance: false,
        },
      ],
    };
  }
}
