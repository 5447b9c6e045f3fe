// Unposted invoices: their `/finance/accounting/unpostedinvoices` form and their GLExport customer
// and transaction (one per invoice, its detail lines and its sales-tax line).
import type { Json } from '../query/list-query.js';
import type { GlRecords } from './gl-records.js';
import { cycle } from './gl-records.js';
import { DAY, Rng, compact, glDate, isoZ, round2 } from './random.js';
import { COMPANY_TYPES, LOCATIONS, UNITS, currencyRef } from './reference.js';

export class InvoiceGl {
  constructor(private readonly gl: GlRecords) {}

  /** Lines and totals of unposted invoice k, shared by its list form and its GL transaction. */
  private amounts(k: number): { lines: { qty: number; price: number; itemIndex: number; service: boolean }[]; subtotal: number; tax: number; total: number; rate: number; companyId: number } {
    const rng = new Rng(this.gl.seed, 33, k);
    const facts = this.gl.facts('invoice', k);
    const lines = Array.from({ length: this.gl.lines }, () => ({ qty: rng.int(1, 8), price: rng.money(5, 400), itemIndex: rng.int(0, 11), service: rng.chance(0.5) }));
    const subtotal = round2(lines.reduce((sum, l) => sum + l.qty * l.price, 0));
    const rate = this.gl.tax(facts.companyId).rate;
    const tax = round2((subtotal * rate) / 100);
    return { lines, subtotal, tax, total: round2(subtotal + tax), rate, companyId: facts.companyId };
  }
  /** What unposted invoice k bills (2025.1's hasTime/hasExpenses/hasProducts): service lines are time. */
  contents(k: number): { hasTime: boolean; hasExpenses: boolean; hasProducts: boolean } {
    const { lines } = this.amounts(k);
    return { hasTime: lines.some((l) => l.service), hasExpenses: false, hasProducts: lines.some((l) => !l.service) };
  }

  unposted(k: number): Json {
    const facts = this.gl.facts('invoice', k);
    const a = this.amounts(k);
    const company = this.gl.company(facts.companyId);
    const terms = this.gl.terms(facts.companyId);
    const tax = this.gl.tax(facts.companyId);
    return compact({
      id: k,
      billingLogId: k,
      locationId: facts.locationId,
      departmentId: 10,
      company: this.gl.companyRef(facts.companyId),
      accountNumber: company['accountNumber'],
      billToCompany: this.gl.companyRef(facts.companyId),
      billToSite: this.gl.siteRef(facts.companyId),
      shipToCompany: this.gl.companyRef(facts.companyId),
      shipToSite: this.gl.siteRef(facts.companyId),
      invoiceNumber: this.gl.invoiceNumber(k),
      invoiceDate: isoZ(facts.date),
      invoiceType: 'Standard',
      description: 'Accounts Receivable',
      billingTerms: this.gl.named('billingTerms', '/finance/billingTerms', terms),
      dueDays: String(terms.dueDays),
      dueDate: isoZ(facts.date + terms.dueDays * DAY),
      currency: currencyRef(this.gl.ref.refs, 1),
      subTotal: a.subtotal,
      total: a.total,
      invoiceTaxableFlag: a.rate > 0,
      taxCode: this.gl.named('taxCode', '/finance/taxCodes', tax),
      avalaraTaxFlag: false,
      itemTaxableFlag: a.rate > 0,
      salesTaxAmount: a.tax,
      stateTaxFlag: a.rate > 0,
      stateTaxXref: tax.identifier,
      stateTaxAmount: a.tax,
      createdBy: 'Admin1',
      _info: this.gl.stamps('invoice', k, facts.date),
    });
  }
  customer(companyId: number): Json {
    const company = this.gl.company(companyId);
    const contact = this.gl.ref.contacts.get(companyId);
    const terms = this.gl.terms(companyId);
    const tax = this.gl.tax(companyId);
    return {
      company: { id: companyId, identifier: company.identifier },
      companyType: COMPANY_TYPES[0],
      contact: contact ? { id: contact['id'], name: `${String(contact['firstName'])} ${String(contact['lastName'])}` } : undefined,
      site: this.gl.siteRef(companyId),
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
    const facts = this.gl.facts('invoice', k);
    const a = this.amounts(k);
    const company = this.gl.company(facts.companyId);
    const terms = this.gl.terms(facts.companyId);
    const tax = this.gl.tax(facts.companyId);
    const contact = this.gl.ref.contacts.get(facts.companyId);
    const ids = this.gl.glEntryIds('invoice', k);
    const documentDate = glDate(facts.date);
    const location = LOCATIONS[facts.locationId - 1]?.name ?? 'DEFAULT';
    const shared = this.gl.shared;
    const detail: Json[] = a.lines.map((line, j) => {
      const item = this.gl.item(line.itemIndex);
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
      documentNumber: this.gl.invoiceNumber(k),
      documentType: 'INVOICE',
      memo: '',
      description: 'Accounts Receivable',
      attention: contact ? `${String(contact['firstName'])} ${String(contact['lastName'])}` : '',
      salesTerritory: location,
      company: { id: company.id, identifier: company.identifier },
      companyType: COMPANY_TYPES[0],
      companyAccountNumber: company['accountNumber'],
      site: this.gl.siteRef(facts.companyId),
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
      // 2022.1 gives the ship-to contact as a name, not a reference.
      ...(contact ? { shipContact: `${String(contact['firstName'])} ${String(contact['lastName'])}` } : {}),
      detail,
    };
  }
}
