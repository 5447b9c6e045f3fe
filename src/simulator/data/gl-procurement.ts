// Unposted procurement (purchase order receipts): their `/finance/accounting/unpostedprocurement`
// form and their GLExport vendor and purchase transaction.
import type { Json } from '../query/list-query.js';
import type { GlRecords } from './gl-records.js';
import { cycle } from './gl-records.js';
import { Rng, compact, glDate, isoZ, round2 } from './random.js';
import { LOCATIONS, UNITS, currencyRef } from './reference.js';

export class ProcurementGl {
  constructor(private readonly gl: GlRecords) {}

  unposted(k: number): Json {
    const facts = this.gl.facts('procurement', k);
    const p = this.facts(k);
    return compact({
      id: k,
      description: 'Purchase',
      unpostedProductId: String(k),
      locationId: facts.locationId,
      departmentId: 10,
      procurementType: 'Purchase',
      purchaseOrder: p.po ? this.gl.named('purchaseOrder', '/procurement/purchaseorders', { id: p.po['id'] as number, name: String(p.po['poNumber']) }) : undefined,
      purchaseDate: isoZ(facts.date),
      trackingNumber: `TRK${100_000 + k}`,
      billingTerms: this.gl.named('billingTerms', '/finance/billingTerms', this.gl.terms(facts.companyId)),
      currency: currencyRef(this.gl.ref.refs, 1),
      total: p.total,
      taxCode: this.gl.named('taxCode', '/finance/taxCodes', this.gl.tax(facts.companyId)),
      avalaraTaxFlag: false,
      itemTaxableFlag: true,
      purchaseOrderTaxableFlag: false,
      taxTotal: 0,
      vendor: this.gl.companyRef(facts.companyId),
      vendorInvoiceNumber: `VINV${k}`,
      vendorInvoiceDate: isoZ(facts.date),
      taxFreightFlag: false,
      freightTaxTotal: 0,
      freightCost: 0,
      _info: this.gl.stamps('procurement', k, facts.date),
    });
  }
  private facts(k: number): { po: Json | undefined; lines: { qty: number; cost: number; itemIndex: number }[]; total: number } {
    const rng = new Rng(this.gl.seed, 51, k);
    const po = this.gl.ref.purchaseOrders.get(1 + rng.int(0, this.gl.ref.purchaseOrders.size - 1));
    const lines = Array.from({ length: this.gl.lines }, () => ({ qty: rng.int(1, 50), cost: rng.money(0.25, 300), itemIndex: rng.int(0, 11) }));
    return { po, lines, total: round2(lines.reduce((s, l) => s + l.qty * l.cost, 0)) };
  }
  vendor(companyId: number): Json {
    const company = this.gl.company(companyId);
    const terms = this.gl.terms(companyId);
    const tax = this.gl.tax(companyId);
    return {
      vendor: { id: company.id, identifier: company.identifier },
      vendorNumber: String(company['vendorIdentifier'] ?? ''),
      company: { id: company.id, identifier: company.identifier },
      accountNumber: company['accountNumber'],
      billingTerms: { id: terms.id, name: terms.name },
      dueDays: terms.dueDays,
      site: this.gl.siteRef(companyId),
      taxCode: { id: tax.id, name: tax.name },
    };
  }
  purchaseTransaction(k: number): Json {
    const facts = this.gl.facts('procurement', k);
    const p = this.facts(k);
    const company = this.gl.company(facts.companyId);
    const terms = this.gl.terms(facts.companyId);
    const tax = this.gl.tax(facts.companyId);
    const contact = this.gl.ref.contacts.get(facts.companyId);
    const poNumber = String(p.po?.['poNumber'] ?? `PO${k}`);
    const slip = `PS${100_000 + k}`;
    const documentDate = glDate(facts.date);
    const ids = this.gl.glEntryIds('procurement', k);
    const location = LOCATIONS[facts.locationId - 1]?.name ?? 'DEFAULT';
    const shared = this.gl.shared;
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
      site: this.gl.siteRef(facts.companyId),
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
        const item = this.gl.item(line.itemIndex);
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
}
