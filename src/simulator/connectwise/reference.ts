// Invoices and the reference targets the tasks fetch, each with list, `/count` and `/{id}`; the
// invoice writes (PUT, PATCH) are in invoices.ts.
import { notFound } from '../errors.js';
import type { SandboxData } from '../data/store.js';
import type { Router, RouteContext } from '../router.js';
import type { Json } from '../query/list-query.js';
import type { ReferenceData } from '../data/reference.js';
import { listRoutes, mapSource, type Source } from './lists.js';
import { invoiceView } from './versions.js';

type TableName = keyof ReturnType<SandboxData['tables']>;

/** path, label, table, and the reference schema (or none: the records' own fields stand in). */
const COLLECTIONS: [path: string, label: string, table: TableName, schema: string | undefined][] = [
  ['/company/companies', 'Company', 'companies', 'Company'],
  ['/company/companies/types', 'CompanyType', 'companyTypes', undefined],
  ['/company/contacts', 'Contact', 'contacts', undefined],
  ['/finance/billingStatuses', 'BillingStatus', 'billingStatuses', 'BillingStatus'],
  ['/finance/billingTerms', 'BillingTerm', 'billingTerms', 'BillingTerm'],
  ['/finance/taxCodes', 'TaxCode', 'taxCodes', 'TaxCode'],
  ['/finance/currencies', 'Currency', 'currencies', 'Finance.Currency'],
  ['/finance/glAccounts', 'GLAccount', 'glAccounts', 'GLAccount'],
  ['/system/locations', 'Location', 'locations', 'Location'],
  ['/system/members', 'Member', 'members', 'Member'],
  ['/project/projects', 'Project', 'projects', 'Project'],
  ['/procurement/purchaseorders', 'PurchaseOrder', 'purchaseOrders', 'PurchaseOrder'],
  ['/finance/agreements', 'Agreement', 'agreements', undefined],
  ['/procurement/products', 'ProductItem', 'products', 'ProductItem'],
  ['/procurement/catalog', 'CatalogItem', 'catalog', undefined],
  ['/procurement/warehouses', 'Warehouse', 'warehouses', undefined],
  ['/procurement/warehouseBins', 'WarehouseBin', 'warehouseBins', undefined],
  ['/procurement/shipmentmethods', 'ShipmentMethod', 'shipmentMethods', undefined],
  ['/company/companies/statuses', 'CompanyStatus', 'companyStatuses', undefined],
  ['/company/countries', 'Country', 'countries', undefined],
  ['/finance/agreements/types', 'AgreementType', 'agreementTypes', undefined],
];

/** A parent's child list as a list source. */
function listSource(records: Json[]): Source {
  return { records, get: (id) => records.find((r) => r['id'] === id) };
}

function* allChildren(table: Map<number, Json[]>): Generator<Json> {
  for (const children of table.values()) yield* children;
}

/** A child collection kept as parent id → its items; a parent without an entry does not exist (404). */
function childRoutes(router: Router, path: string, parentLabel: string, label: string, table: (ref: ReferenceData) => Map<number, Json[]>): void {
  listRoutes(router, path, {
    label,
    fields: (ctx) => allChildren(table(ctx.state.data.ref)),
    source: (ctx) => {
      const parentId = ctx.params['parentId'] ?? 0;
      const children = table(ctx.state.data.ref).get(parentId);
      if (!children) throw notFound(`${parentLabel} recId ${parentId} not found`);
      return listSource(children);
    },
  });
}

export function referenceRoutes(router: Router): void {
  listRoutes(router, '/finance/invoices', { label: 'Invoice', fields: 'Invoice', source: (ctx) => mapSource(ctx.state.data.invoices), view: invoiceView });
  for (const [path, label, table, schema] of COLLECTIONS) {
    const records = (ctx: RouteContext): Map<number, Json> => ctx.state.data.tables()[table];
    listRoutes(router, path, { label, fields: schema ?? ((ctx) => records(ctx).values()), source: (ctx) => mapSource(records(ctx)) });
  }
  listRoutes(router, '/company/companies/{parentId}/sites', {
    label: 'CompanySite',
    fields: 'CompanySite',
    source: (ctx) => {
      const data = ctx.state.data;
      const companyId = ctx.params['parentId'] ?? 0;
      if (!data.ref.companies.has(companyId)) throw notFound(`Company recId ${companyId} not found`);
      const siteIds = data.ref.sitesByCompany.get(companyId) ?? [];
      const sites = siteIds.map((id) => data.ref.sites.get(id)).filter((s) => s !== undefined);
      return listSource(sites);
    },
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
