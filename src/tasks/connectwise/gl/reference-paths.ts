// "References To Fetch" of seed 002: the slash paths Zynk accepts, turned into ReferenceSpecs that
// the shared ReferenceResolver understands. A path names the record kind (its first segment, the
// singular of a GLExport array), then elements inside the record, where an array appears either as
// `container/itemName` (`detail/detailItem`) or by its item name alone (`purchaseDetailItem`), and a
// reference fetched by an earlier path is stepped into through its `record` child
// (`transaction/invoice/location` → invoice.record.location).
import type { ReferenceSpec } from '../../../connectors/connectwise/references.js';
import { singularName } from '../../../xml/json-to-xml.js';
import { isObject } from '../../../json/is-object.js';


/** Seed 002's list, in its order. */
export const GL_REFERENCE_PATHS = [
  'vendor/member', 'vendor/vendor', 'vendor/company', 'vendor/billingTerms', 'vendor/site', 'vendor/taxCode',
  'customer/company', 'customer/companyType', 'customer/contact', 'customer/site', 'customer/billingTerms', 'customer/taxCode', 'customer/currency',
  'transaction/company', 'transaction/billToCompany', 'transaction/companyType', 'transaction/invoice', 'transaction/invoice/location',
  'transaction/invoice/territory', 'transaction/invoice/agreement', 'transaction/invoice/agreement/agreementAdditions',
  'transaction/invoice/agreement/agreementAdditions/agreementAddition/product', 'transaction/site', 'transaction/billToSite',
  'transaction/billingTerms', 'transaction/purchaseOrder', 'transaction/project', 'transaction/currency', 'transaction/taxCode',
  'transaction/shipToCompany', 'transaction/shipCompanyType', 'transaction/shipSite', 'transaction/shipContact',
  'transaction/detail/detailItem/currency', 'transaction/detail/detailItem/taxCode', 'transaction/detail/detailItem/item',
  'transaction/detail/detailItem/product', 'transaction/detail/detailItem/warehouseSite', 'transaction/detail/detailItem/warehouseBin',
  'transaction/detail/detailItem/shipmentMethod',
  'expense/member', 'expense/company', 'expense/project', 'expense/currency',
  'expenseBill/member', 'expenseBill/currency', 'expenseBill/detailItem/company', 'expenseBill/detailItem/expenseClass',
  'expenseBill/detailItem/currency', 'expenseBill/detailItem/project', 'expenseBill/detailItem/taxCode', 'expenseBill/detailItem/expenseEntry',
  'purchaseTransaction/company', 'purchaseTransaction/companyType', 'purchaseTransaction/contact', 'purchaseTransaction/site',
  'purchaseTransaction/currency', 'purchaseTransaction/billingTerms', 'purchaseTransaction/shipToCompany', 'purchaseTransaction/shipToCompanyType',
  'purchaseTransaction/shipToContact', 'purchaseTransaction/shipToSite', 'purchaseTransaction/taxCode', 'purchaseTransaction/purchaseOrder',
  'purchaseTransaction/purchaseOrder/taxCode', 'purchaseTransaction/purchaseOrder/purchaseOrderItems',
  'purchaseTransaction/purchaseOrder/purchaseOrderItem/product', 'purchaseTransaction/purchaseOrder/purchaseOrderItem/shipmentMethod',
  'purchaseTransaction/purchaseOrder/purchaseOrderItem/warehouse', 'purchaseTransaction/purchaseOrder/purchaseOrderItem/warehouseBin',
  'purchaseTransaction/purchaseDetailItem/item', 'purchaseTransaction/purchaseDetailItem/currency', 'purchaseTransaction/purchaseDetailItem/shipmentMethod',
  'purchaseTransaction/purchaseDetailItem/warehouseBin', 'purchaseTransaction/purchaseDetailItem/warehouseBin/warehouse',
  'purchaseTransaction/purchaseDetailItem/warehouseSite', 'purchaseTransaction/purchaseDetailItem/taxCode',
  'purchaseTransaction/purchaseDetailTaxItem/warehouseBin', 'adjustmentTransaction/adjustmentDetailItem/item',
  'inventoryTransfer/item', 'inventoryTransfer/currency', 'inventoryTransfer/shipmentMethod', 'inventoryTransfer/bin', 'inventoryTransfer/warehouse',
  'inventoryTransfer/transferFromBin', 'inventoryTransfer/transferToBin', 'inventoryTransfer/taxCode',
] as const;

/** The GLExport array holding each record kind. */
const CONTAINERS: Record<string, string> = {
  vendor: 'vendors',
  customer: 'customers',
  transaction: 'transactions',
  expense: 'expenses',
  expenseBill: 'expenseBills',
  purchaseTransaction: 'purchaseTransactions',
  adjustmentTransaction: 'adjustmentTransactions',
  inventoryTransfer: 'inventoryTransfers',
};

const SITES = '/company/companies/{companyId}/sites';

/**
 * Where each kind of target lives (ConnectWise 2022.1–2026.4). Sites live under their company;
 * `expenseClass` is a classification (Reimbursable…) with no endpoint of its own, so it is absent.
 */
const ENDPOINTS: Record<string, string> = {
  company: '/company/companies',
  billToCompany: '/company/companies',
  shipToCompany: '/company/companies',
  vendor: '/company/companies',
  companyType: '/company/companies/types',
  shipCompanyType: '/company/companies/types',
  shipToCompanyType: '/company/companies/types',
  contact: '/company/contacts',
  shipContact: '/company/contacts',
  shipToContact: '/company/contacts',
  site: SITES,
  billToSite: SITES,
  shipSite: SITES,
  shipToSite: SITES,
  warehouseSite: SITES,
  billingTerms: '/finance/billingTerms',
  taxCode: '/finance/taxCodes',
  currency: '/finance/currencies',
  member: '/system/members',
  project: '/project/projects',
  purchaseOrder: '/procurement/purchaseorders',
  invoice: '/finance/invoices',
  location: '/system/locations',
  territory: '/system/locations',
  agreement: '/finance/agreements',
  product: '/procurement/products',
  item: '/procurement/catalog',
  warehouse: '/procurement/warehouses',
  warehouseBin: '/procurement/warehouseBins',
  bin: '/procurement/warehouseBins',
  transferFromBin: '/procurement/warehouseBins',
  transferToBin: '/procurement/warehouseBins',
  shipmentMethod: '/procurement/shipmentmethods',
  expenseEntry: '/expense/entries',
};

/** The company a site reference belongs to: the first of these fields of the record that is set. */
const SITE_COMPANY_FIELDS: Record<string, string[]> = {
  site: ['company', 'vendor'],
  billToSite: ['billToCompany', 'company'],
  shipSite: ['shipToCompany', 'company'],
  shipToSite: ['shipToCompany', 'company'],
  warehouseSite: ['company'],
};

/**
 * Child collections (an agreement's additions, a purchase order's line items) are lists under their
 * parent rather than references with an id; the resolver fetches references only, so these paths
 * (and the paths below them) are accepted but not fetched, and the run says so.
 */
const CHILD_COLLECTIONS = new Set(['agreementAdditions', 'purchaseOrderItems', 'purchaseOrderItem', 'agreementAddition']);


function siteParent(kind: string): ReferenceSpec['parentEndpoint'] {
  const fields = SITE_COMPANY_FIELDS[kind] ?? ['company'];
  return (_ref, record) => {
    for (const field of fields) {
      const company = record[field];
      if (isObject(company) && (typeof company['id'] === 'number' || typeof company['id'] === 'string')) return `/company/companies/${company['id']}/sites`;
    }
    return undefined;
  };
}

export interface GlReferencePlan {
  /** Per container, the specs in rounds: a round may step into references fetched by earlier rounds. */
  rounds: Map<string, ReferenceSpec[][]>;
  /** Paths accepted but not fetched (child collections), to report. */
  notFetched: string[];
}

/** The JSON path of one seed path inside its record, or undefined for a child collection. */
function jsonPath(segments: string[]): string[] | undefined {
  const path: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (CHILD_COLLECTIONS.has(segment)) return undefined;
    const previous = segments[i - 1];
    if (previous !== undefined && singularName(previous) === segment) {
      path.push('*');
    } else if (segment.endsWith('Item') && segment.length > 4) {
      path.push(segment.slice(0, -4), '*');
    } else {
      // A segment after a reference steps into that reference's fetched record.
      if (previous !== undefined && ENDPOINTS[previous] !== undefined) path.push('record');
      path.push(segment);
    }
  }
  return path;
}

/** A nested path needs the references it steps through: `transaction/invoice/location` needs `transaction/invoice`. */
function withParents(paths: readonly string[]): string[] {
  const all = new Set<string>();
  for (const name of paths) {
    const segments = name.split('/');
    for (let end = 2; end < segments.length; end++) {
      if (ENDPOINTS[segments[end - 1] as string] !== undefined) all.add(segments.slice(0, end).join('/'));
    }
    all.add(name);
  }
  return [...all];
}

/** Turns the chosen seed paths into resolver specs per container. Paths must come from GL_REFERENCE_PATHS. */
export function planGlReferences(paths: readonly string[]): GlReferencePlan {
  const rounds = new Map<string, ReferenceSpec[][]>();
  const notFetched: string[] = [];
  for (const name of withParents(paths)) {
    const [kind, ...rest] = name.split('/');
    const container = CONTAINERS[kind ?? ''];
    const target = rest[rest.length - 1] ?? '';
    const path = jsonPath(rest);
    const endpoint = ENDPOINTS[target];
    if (container === undefined || path === undefined || endpoint === undefined) {
      notFetched.push(name);
      continue;
    }
    const spec: ReferenceSpec = { name, path, endpoint, ...(endpoint === SITES ? { parentEndpoint: siteParent(target) } : {}) };
    // Each 'record' step needs one earlier round to have fetched the reference it steps into.
    const round = path.filter((p) => p === 'record').length;
    const list = rounds.get(container) ?? [];
    while (list.length <= round) list.push([]);
    list[round]?.push(spec);
    rounds.set(container, list);
  }
  return { rounds, notFetched };
}
