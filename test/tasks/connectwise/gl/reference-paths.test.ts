import { describe, expect, it } from 'vitest';
import { GL_REFERENCE_PATHS, planGlReferences } from '../../../../src/tasks/connectwise/gl/reference-paths.js';

const specOf = (name: string) => {
  const plan = planGlReferences([name]);
  for (const rounds of plan.rounds.values()) for (const round of rounds) for (const spec of round) if (spec.name === name) return spec;
  return undefined;
};

describe('planGlReferences', () => {
  it.each([
    ['transaction/company', 'transactions', ['company'], '/company/companies'],
    ['transaction/detail/detailItem/currency', 'transactions', ['detail', '*', 'currency'], '/finance/currencies'],
    ['purchaseTransaction/purchaseDetailItem/item', 'purchaseTransactions', ['purchaseDetail', '*', 'item'], '/procurement/catalog'],
    ['purchaseTransaction/purchaseDetailItem/warehouseBin/warehouse', 'purchaseTransactions', ['purchaseDetail', '*', 'warehouseBin', 'record', 'warehouse'], '/procurement/warehouses'],
    ['purchaseTransaction/purchaseDetailTaxItem/warehouseBin', 'purchaseTransactions', ['purchaseDetailTax', '*', 'warehouseBin'], '/procurement/warehouseBins'],
    ['expenseBill/detailItem/project', 'expenseBills', ['detail', '*', 'project'], '/project/projects'],
    ['adjustmentTransaction/adjustmentDetailItem/item', 'adjustmentTransactions', ['adjustmentDetail', '*', 'item'], '/procurement/catalog'],
    ['transaction/invoice/location', 'transactions', ['invoice', 'record', 'location'], '/system/locations'],
    ['vendor/member', 'vendors', ['member'], '/system/members'],
    ['inventoryTransfer/transferToBin', 'inventoryTransfers', ['transferToBin'], '/procurement/warehouseBins'],
  ])('maps %s to a path in %s records', (name, container, path, endpoint) => {
    const plan = planGlReferences([name]);
    expect([...plan.rounds.keys()]).toEqual([container]);
    expect(specOf(name)).toMatchObject({ path, endpoint });
  });

  it('fetches the references a nested path steps through, one round before it', () => {
    const plan = planGlReferences(['transaction/invoice/location']);
    expect(plan.rounds.get('transactions')?.map((round) => round.map((s) => s.name))).toEqual([['transaction/invoice'], ['transaction/invoice/location']]);
  });

  it('finds a site under the company the record names', () => {
    const spec = specOf('transaction/shipSite');
    expect(spec?.parentEndpoint?.({ id: 4 }, { company: { id: 1 }, shipToCompany: { id: 9 } })).toBe('/company/companies/9/sites');
    expect(spec?.parentEndpoint?.({ id: 4 }, { company: { id: 1 } })).toBe('/company/companies/1/sites');
    expect(spec?.parentEndpoint?.({ id: 4 }, {})).toBeUndefined();
  });

  it.each([
    ['transaction/invoice', [], '/finance/invoices', { match: { field: 'invoiceNumber', attachAs: 'invoice' } }],
    ['purchaseTransaction/purchaseOrder', [], '/procurement/purchaseorders', { match: { field: 'poNumber', attachAs: 'purchaseOrder' } }],
    ['transaction/invoice/agreement/agreementAdditions', ['invoice', 'record', 'agreement'], '/finance/agreements/{id}/additions', { children: { attachAs: 'agreementAdditions' } }],
    ['transaction/invoice/agreement/agreementAdditions/agreementAddition/product', ['invoice', 'record', 'agreement', 'agreementAdditions', '*', 'product'], '/procurement/catalog', {}],
    ['purchaseTransaction/purchaseOrder/purchaseOrderItems', ['purchaseOrder'], '/procurement/purchaseorders/{id}/lineitems', { children: { attachAs: 'purchaseOrderItems' } }],
    ['purchaseTransaction/purchaseOrder/purchaseOrderItem/warehouseBin', ['purchaseOrder', 'purchaseOrderItems', '*', 'warehouseBin'], '/procurement/warehouseBins', {}],
    ['purchaseTransaction/purchaseOrder/taxCode', ['purchaseOrder', 'record', 'taxCode'], '/finance/taxCodes', {}],
  ])('plans %s: looked up by number or as a child collection where the record has no reference', (name, path, endpoint, kind) => {
    expect(specOf(name)).toMatchObject({ path, endpoint, ...kind });
  });

  it('reads an invoice location or territory from its 2022.1 id field when the reference is absent', () => {
    expect(specOf('transaction/invoice/location')).toMatchObject({ path: ['invoice', 'record', 'location'], idField: 'locationId' });
    expect(specOf('transaction/invoice/territory')).toMatchObject({ idField: 'territoryId' });
    expect(specOf('transaction/company')?.idField).toBeUndefined();
  });

  it('finds the invoice by documentNumber and the purchase order by the PO number in the id', () => {
    expect(specOf('transaction/invoice')?.match?.key({ documentNumber: '119', documentType: 'INVOICE' })).toBe('119');
    const po = specOf('purchaseTransaction/purchaseOrder')?.match?.key;
    expect(po?.({ id: 'PO #COMPANYBPO, Packing Slip: PS1', documentNumber: 'PS1' })).toBe('COMPANYBPO');
    expect(po?.({ documentNumber: 'PO7' })).toBe('PO7');
  });

  it('fetches a child collection after its parent and the references in its items after it', () => {
    const plan = planGlReferences(['transaction/invoice/agreement/agreementAdditions/agreementAddition/product']);
    expect(plan.rounds.get('transactions')?.map((round) => round.map((s) => s.name))).toEqual([
      ['transaction/invoice'],
      ['transaction/invoice/agreement'],
      ['transaction/invoice/agreement/agreementAdditions'],
      ['transaction/invoice/agreement/agreementAdditions/agreementAddition/product'],
    ]);
    expect(planGlReferences(['purchaseTransaction/purchaseOrder/purchaseOrderItem/product']).rounds.get('purchaseTransactions')?.map((round) => round.map((s) => s.name))).toEqual([
      ['purchaseTransaction/purchaseOrder'],
      ['purchaseTransaction/purchaseOrder/purchaseOrderItems'],
      ['purchaseTransaction/purchaseOrder/purchaseOrderItem/product'],
    ]);
  });

  it('plans every path of the seed, leaving only expense classes and expense entries unfetched, with the reason', () => {
    const plan = planGlReferences(GL_REFERENCE_PATHS);
    expect(plan.notFetched.map((n) => n.reference).sort()).toEqual(['expenseBill/detailItem/expenseClass', 'expenseBill/detailItem/expenseEntry']);
    for (const n of plan.notFetched) expect(n.reason.length).toBeGreaterThan(20);
  });

  it('plans the seed name shipCompanyType as the schema name shipToCompanyType, matching either element', () => {
    for (const name of ['transaction/shipCompanyType', 'transaction/shipToCompanyType']) {
      const specs = planGlReferences([name]).rounds.get('transactions')?.flat() ?? [];
      expect(specs.map((s) => [s.name, s.path])).toEqual([
        ['transaction/shipToCompanyType', ['shipToCompanyType']],
        ['transaction/shipToCompanyType', ['shipCompanyType']],
      ]);
    }
  });
});
