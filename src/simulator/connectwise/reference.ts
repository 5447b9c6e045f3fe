// Invoices and the reference targets the tasks fetch, each with list, `/count` and `/{id}`.
import { notFound } from '../errors.js';
import type { SandboxData } from '../data/store.js';
import type { Router } from '../router.js';
import type { Json } from '../query/list-query.js';
import type { ReferenceData } from '../data/reference.js';
import { listRoutes, mapSource, type Source } from './lists.js';

type TableName = keyof ReturnType<SandboxData['tables']>;

const COLLECTIONS: [path: string, label: string, table: TableName][] = [
  ['/finance/invoices', 'Invoice', 'invoices'],
  ['/company/companies', 'Company', 'companies'],
  ['/company/companies/types', 'CompanyType', 'companyTypes'],
  ['/company/contacts', 'Contact', 'contacts'],
  ['/finance/billingStatuses', 'BillingStatus', 'billingStatuses'],
  ['/finance/billingTerms', 'BillingTerm', 'billingTerms'],
  ['/finance/taxCodes', 'TaxCode', 'taxCodes'],
  ['/finance/currencies', 'Currency', 'currencies'],
  ['/system/locations', 'Location', 'locations'],
  ['/system/members', 'Member', 'members'],
  ['/project/projects', 'Project', 'projects'],
  ['/procurement/purchaseorders', 'PurchaseOrder', 'purchaseOrders'],
  ['/finance/agreements', 'Agreement', 'agreements'],
  ['/procurement/products', 'ProductItem', 'products'],
  ['/procurement/catalog', 'CatalogItem', 'catalog'],
  ['/procurement/warehouses', 'Warehouse', 'warehouses'],
  ['/procurement/warehouseBins', 'WarehouseBin', 'warehouseBins'],
  ['/procurement/shipmentmethods', 'ShipmentMethod', 'shipmentMethods'],
];

/** A parent's child list as a list source. */
function listSource(records: Json[]): Source {
  return { records, get: (id) => records.find((r) => r['id'] === id) };
}

/** A child collection kept as parent id → its items; a parent without an entry does not exist (404). */
function childRoutes(router: Router, path: string, parentLabel: string, label: string, table: (ref: ReferenceData) => Map<number, Json[]>): void {
  listRoutes(router, path, label, (ctx) => {
    const parentId = ctx.params['parentId'] ?? 0;
    const children = table(ctx.state.data.ref).get(parentId);
    if (!children) throw notFound(`${parentLabel} recId ${parentId} not found`);
    return listSource(children);
  });
}

export function referenceRoutes(router: Router): void {
  for (const [path, label, table] of COLLECTIONS) {
    listRoutes(router, path, label, (ctx) => mapSource(ctx.state.data.tables()[table]));
  }
  listRoutes(router, '/company/companies/{parentId}/sites', 'CompanySite', (ctx) => {
    const data = ctx.state.data;
    const companyId = ctx.params['parentId'] ?? 0;
    if (!data.ref.companies.has(companyId)) throw notFound(`Company recId ${companyId} not found`);
    const siteIds = data.ref.sitesByCompany.get(companyId) ?? [];
    const sites = siteIds.map((id) => data.ref.sites.get(id)).filter((s) => s !== undefined);
    return listSource(sites);
  });
  childRoutes(router, '/finance/agreements/{parentId}/additions', 'Agreement', 'Addition', (ref) => ref.agreementAdditions);
  childRoutes(router, '/procurement/purchaseorders/{parentId}/lineitems', 'PurchaseOrder', 'PurchaseOrderLineItem', (ref) => ref.purchaseOrderLines);
  router.add('GET', '/system/info', () => ({
    status: 200,
    body: {
      version: 'v2022.1.0.0',
      isCloud: false,
      serverTimeZone: 'Coordinated Universal Time',
      licenseBits: [
        { name: 'Finance', activeFlag: true },
        { name: 'Procurement', activeFlag: true },
        { name: 'Project', activeFlag: true },
      ],
      cloudRegion: 'SANDBOX',
    },
  }));
}
