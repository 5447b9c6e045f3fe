// "References To Fetch" of seed 002: the slash paths Zynk accepts, turned into ReferenceSpecs that
// the shared ReferenceResolver understands. A path names the record kind (its first segment, the
// singular of a GLExport array), then elements inside the record, where an array appears either as
// `container/itemName` (`detail/detailItem`) or by its item name alone (`purchaseDetailItem`), and a
// reference fetched by an earlier path is stepped into through its `record` child
// (`transaction/invoice/location` → invoice.record.location). Invoices and purchase orders are found
// by number (MATCHES), agreement additions and purchase order lines are child collections.
import type { PathTally, ReferenceSpec } from '../../../connectors/connectwise/references.js';
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

/**
 * Paths the 2022.1 schema names differently from the seed (whose older sample XML says
 * `<shipCompanyType>`): schema name → the seed's name. Both are accepted; the schema's is the
 * one planned, and its reference is looked for under either element name, so older and newer
 * data both match.
 */
export const GL_REFERENCE_ALIASES: Readonly<Record<string, string>> = {
  'transaction/shipToCompanyType': 'transaction/shipCompanyType',
};

/** Seed name → schema name, for the aliases above. */
const SCHEMA_NAME_OF: Record<string, string> = Object.fromEntries(Object.entries(GL_REFERENCE_ALIASES).map(([schema, seed]) => [seed, schema]));

/** A path as planned: the schema's name for a seed path that has one, else the path itself. */
export function canonicalGlReference(name: string): string {
  return SCHEMA_NAME_OF[name] ?? name;
}

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

/** Where each kind of target lives (ConnectWise 2022.1–2026.4). Sites live under their company. */
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
};

/**
 * Child collections: lists under their parent reference (an agreement's additions, a purchase
 * order's line items), fetched whole once per parent and attached to the parent element as a list
 * (`<agreementAdditions><agreementAddition>…`). A path may name the list or its item.
 */
const CHILD_COLLECTIONS: Record<string, { parent: string; endpoint: string }> = {
  agreementAdditions: { parent: 'agreement', endpoint: '/finance/agreements/{id}/additions' },
  purchaseOrderItems: { parent: 'purchaseOrder', endpoint: '/procurement/purchaseorders/{id}/lineitems' },
};
/** Item name → its child collection. */
const COLLECTION_OF_ITEM: Record<string, string> = Object.fromEntries(Object.keys(CHILD_COLLECTIONS).map((list) => [singularName(list), list]));

/** Inside a child collection item, `product` is a catalog item (IvItemReference), not a ProductItem. */
const ITEM_ENDPOINTS: Record<string, string> = {
  'agreementAddition/product': '/procurement/catalog',
  'purchaseOrderItem/product': '/procurement/catalog',
};

/** 2022.1 invoices give their location and territory as ids only (2025.1 adds the references). */
const ID_FIELDS: Record<string, string> = {
  'invoice/location': 'locationId',
  'invoice/territory': 'territoryId',
};

/** `PO #<poNumber>, Packing Slip: <slip>`: a purchase transaction's id names its purchase order. */
const PO_IN_ID = /^PO #(.+), Packing Slip: /;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Targets a GLExport record names by a number rather than a reference: a transaction's
 * `documentNumber` is its invoice's `invoiceNumber`; a purchase transaction's purchase order is the
 * `PO #…` of its id (else its `documentNumber`). Each is looked up by that field in batches and
 * attached to the record as a new element `{id, identifier, record}`.
 */
const MATCHES: Record<string, { endpoint: string; field: string; key: (record: Record<string, unknown>) => string | undefined }> = {
  'transaction/invoice': { endpoint: '/finance/invoices', field: 'invoiceNumber', key: (r) => text(r['documentNumber']) },
  'purchaseTransaction/purchaseOrder': {
    endpoint: '/procurement/purchaseorders',
    field: 'poNumber',
    key: (r) => PO_IN_ID.exec(text(r['id']) ?? '')?.[1] ?? text(r['documentNumber']),
  },
};

/** Why a target of the seed cannot be fetched. */
const UNFETCHABLE: Record<string, string> = {
  expenseClass: 'a classification (Reimbursable, NonReimbursable), not an entity: ConnectWise has no endpoint for it',
  expenseEntry:
    'GLExportExpenseBillDetail carries no expenseEntry element (its id list holds GL entry ids), and neither reference API spec (2022.1, 2026.4) has /expense/entries',
};

/** The company a site reference belongs to: the first of these fields of the record that is set. */
const SITE_COMPANY_FIELDS: Record<string, string[]> = {
  site: ['company', 'vendor'],
  billToSite: ['billToCompany', 'company'],
  shipSite: ['shipToCompany', 'company'],
  shipToSite: ['shipToCompany', 'company'],
  warehouseSite: ['company'],
};

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

export interface NotFetched {
  reference: string;
  reason: string;
}

export interface GlReferencePlan {
  /** Per container, the specs in rounds: a round may step into references fetched by earlier rounds. */
  rounds: Map<string, ReferenceSpec[][]>;
  /** Paths accepted but not fetched, each with the reason, to report. */
  notFetched: NotFetched[];
}

/** The JSON path of one seed path inside its record. */
function jsonPath(segments: string[]): string[] {
  const path: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const previous = segments[i - 1];
    const collection = COLLECTION_OF_ITEM[segment];
    if (collection !== undefined && previous !== collection) {
      // Named by its item alone (`purchaseOrder/purchaseOrderItem`).
      path.push(collection, '*');
    } else if (previous !== undefined && singularName(previous) === segment) {
      path.push('*');
    } else if (segment.endsWith('Item') && segment.length > 4) {
      path.push(segment.slice(0, -4), '*');
    } else {
      // A segment after a reference steps into that reference's fetched record; a child collection
      // sits on the reference itself.
      if (previous !== undefined && ENDPOINTS[previous] !== undefined && CHILD_COLLECTIONS[segment] === undefined) path.push('record');
      path.push(segment);
    }
  }
  return path;
}

/** The fetched paths a path steps through, outermost first: `transaction/invoice/location` needs `transaction/invoice`. */
function parentsOf(name: string): string[] {
  const segments = name.split('/');
  const parents: string[] = [];
  for (let end = 2; end < segments.length; end++) {
    const segment = segments[end - 1] as string;
    const collection = COLLECTION_OF_ITEM[segment];
    if (ENDPOINTS[segment] !== undefined || CHILD_COLLECTIONS[segment] !== undefined) parents.push(segments.slice(0, end).join('/'));
    else if (collection !== undefined && segments[end - 2] !== collection) parents.push([...segments.slice(0, end - 1), collection].join('/'));
  }
  return parents;
}

/** The spec of one path, or why it cannot be fetched. */
function specOf(name: string): ReferenceSpec | { reason: string } {
  const [kind = '', ...rest] = name.split('/');
  const target = rest[rest.length - 1] ?? '';
  const previous = rest[rest.length - 2];
  const unfetchable = UNFETCHABLE[target];
  if (unfetchable !== undefined) return { reason: unfetchable };
  const match = rest.length === 1 ? MATCHES[name] : undefined;
  if (match) return { name, path: [], endpoint: match.endpoint, match: { field: match.field, key: match.key, attachAs: target } };
  const collection = CHILD_COLLECTIONS[target];
  if (collection) {
    if (previous !== collection.parent) return { reason: `${target} are listed under a ${collection.parent}` };
    return { name, path: jsonPath(rest.slice(0, -1)), endpoint: collection.endpoint, children: { attachAs: target } };
  }
  const endpoint = ITEM_ENDPOINTS[`${previous ?? ''}/${target}`] ?? ENDPOINTS[target];
  if (endpoint === undefined || CONTAINERS[kind] === undefined) return { reason: `no ConnectWise endpoint is known for ${target}` };
  const idField = ID_FIELDS[`${previous ?? ''}/${target}`];
  return { name, path: jsonPath(rest), endpoint, ...(endpoint === SITES ? { parentEndpoint: siteParent(target) } : {}), ...(idField === undefined ? {} : { idField }) };
}

/** A spec for each element name the path's reference may have: the schema's and the seed's. */
function specsOf(name: string): ReferenceSpec[] | { reason: string } {
  const spec = specOf(name);
  const seedName = GL_REFERENCE_ALIASES[name];
  if ('reason' in spec || seedName === undefined) return 'reason' in spec ? spec : [spec];
  const seedSpec = specOf(seedName);
  return 'reason' in seedSpec ? [spec] : [spec, { ...seedSpec, name }];
}

/**
 * Turns the chosen seed paths into resolver specs per container. Paths must come from
 * GL_REFERENCE_PATHS or GL_REFERENCE_ALIASES; a seed name with a schema name is planned as the latter.
 */
export function planGlReferences(paths: readonly string[]): GlReferencePlan {
  const rounds = new Map<string, ReferenceSpec[][]>();
  const notFetched: NotFetched[] = [];
  const refused = new Set<string>();
  const all = new Set(paths.map(canonicalGlReference).flatMap((name) => [...parentsOf(name), name]));
  // Shorter paths first, so a path's parents are decided before it.
  for (const name of [...all].sort((a, b) => a.split('/').length - b.split('/').length)) {
    const parents = parentsOf(name);
    const blocked = parents.find((parent) => refused.has(parent));
    const specs = blocked === undefined ? specsOf(name) : { reason: `needs ${blocked}, which is not fetched` };
    if ('reason' in specs) {
      refused.add(name);
      notFetched.push({ reference: name, reason: specs.reason });
      continue;
    }
    const container = CONTAINERS[name.split('/')[0] ?? ''] as string;
    // Each fetched parent is fetched one round before: the round is the number of parents.
    const list = rounds.get(container) ?? [];
    while (list.length <= parents.length) list.push([]);
    list[parents.length]?.push(...specs);
    rounds.set(container, list);
  }
  return { rounds, notFetched };
}

/**
 * The planned paths that found no reference in records their container did have (a field the
 * tenant's version does not send, or a plain value such as 2022.1's string `shipContact`), each
 * with the reason: `seen` is the resolver's tally by path, `counts` the records per container.
 */
export function pathsFoundEmpty(plan: GlReferencePlan, seen: ReadonlyMap<string, PathTally>, counts: Readonly<Record<string, number>>): NotFetched[] {
  const empty: NotFetched[] = [];
  for (const [container, rounds] of plan.rounds) {
    const records = counts[container] ?? 0;
    if (records === 0) continue;
    for (const name of new Set(rounds.flat().map((spec) => spec.name))) {
      const tally = seen.get(name);
      if ((tally?.references ?? 0) > 0) continue;
      const reason = tally?.otherType !== undefined
        ? `the data holds a ${tally.otherType} at this path, not a reference, so there is nothing to fetch`
        : `none of the ${records} ${container} exported has a reference at this path (this ConnectWise version may not send that field)`;
      empty.push({ reference: name, reason });
    }
  }
  return empty;
}
