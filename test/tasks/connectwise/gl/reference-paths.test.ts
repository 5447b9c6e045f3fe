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

  it('plans every path of the seed, leaving only child collections and expense classes unfetched', () => {
    const plan = planGlReferences(GL_REFERENCE_PATHS);
    expect(plan.notFetched.sort()).toEqual([
      'expenseBill/detailItem/expenseClass',
      'purchaseTransaction/purchaseOrder/purchaseOrderItem/product',
      'purchaseTransaction/purchaseOrder/purchaseOrderItem/shipmentMethod',
      'purchaseTransaction/purchaseOrder/purchaseOrderItem/warehouse',
      'purchaseTransaction/purchaseOrder/purchaseOrderItem/warehouseBin',
      'purchaseTransaction/purchaseOrder/purchaseOrderItems',
      'transaction/invoice/agreement/agreementAdditions',
      'transaction/invoice/agreement/agreementAdditions/agreementAddition/product',
    ]);
  });
});
