// The reference tables: companies and their sites, contacts and types, billing statuses and terms,
// tax codes, currencies, locations, members, projects, catalog items, purchase orders and products
// (warehouses, bins and shipment methods come from inventory.ts).
// Small, generated once per reset; the invoices and GL records point into them.
import type { Json } from '../query/list-query.js';
import { DAY, EPOCH, Rng, SEED_USER, compact, isoZ, seededStamps } from './random.js';
import { buildInventory, type InventoryData } from './inventory.js';
import { Refs } from './refs.js';
import { buildAgreements, type AgreementData } from './agreements.js';
import { buildPurchaseOrderLines } from './purchase-order-lines.js';

const ADJECTIVES = ['Angry', 'Blue', 'Clever', 'Dusty', 'Eager', 'Fuzzy', 'Golden', 'Happy', 'Icy', 'Jolly', 'Kind', 'Lucky', 'Mighty', 'Noble', 'Orange', 'Proud', 'Quiet', 'Rapid', 'Silver', 'Tidy'];
const NOUNS = ['Fox', 'Light', 'Otter', 'River', 'Falcon', 'Harbor', 'Maple', 'Summit', 'Badger', 'Comet', 'Lantern', 'Meadow', 'Pine', 'Quartz', 'Raven', 'Stone', 'Tiger', 'Willow', 'Yak', 'Zephyr'];
const SUFFIXES = ['Co.', 'Ltd', 'Inc.', 'GmbH', 'ApS', 'LLC'];
export const FIRST_NAMES = ['Robert', 'Anna', 'Chris', 'Maria', 'Lars', 'Sofia', 'James', 'Emma', 'Peter', 'Ida'];
export const LAST_NAMES = ['Storts', 'Hansen', 'Hotchkiss', 'Garcia', 'Nielsen', 'Berg', 'Smith', 'Jensen', 'Olsen', 'Moore'];
const CITIES = [['London', 'ENG', 'GB'], ['Copenhagen', 'H', 'DK'], ['Tampa', 'FL', 'US'], ['Berlin', 'BE', 'DE'], ['Leeds', 'ENG', 'GB']] as const;

export interface CompanyRow extends Json {
  id: number;
  identifier: string;
  name: string;
}
export interface SiteRow extends Json {
  id: number;
  name: string;
}

export const BILLING_STATUSES = [
  { id: 1, name: 'New', sortOrder: 1, defaultFlag: true, closedFlag: false, inactiveFlag: false, sentFlag: false },
  { id: 2, name: 'Sent', sortOrder: 2, defaultFlag: false, closedFlag: false, inactiveFlag: false, sentFlag: true },
  { id: 3, name: 'Closed', sortOrder: 3, defaultFlag: false, closedFlag: true, inactiveFlag: false, sentFlag: true },
  { id: 4, name: 'Partially Paid', sortOrder: 4, defaultFlag: false, closedFlag: false, inactiveFlag: false, sentFlag: true },
  { id: 5, name: 'Void', sortOrder: 5, defaultFlag: false, closedFlag: true, inactiveFlag: true, sentFlag: false },
];
export const BILLING_TERMS = [
  { id: 1, name: 'Due on receipt', defaultFlag: false, dueDays: 0, termsXref: 'DUE' },
  { id: 2, name: 'Net 10', defaultFlag: false, dueDays: 10, termsXref: 'Net 10' },
  { id: 3, name: 'Net 30', defaultFlag: true, dueDays: 30, termsXref: 'Net 30' },
  { id: 4, name: 'Net 60', defaultFlag: false, dueDays: 60, termsXref: 'Net 60' },
];
export const TAX_CODES = [
  { id: 1, identifier: 'VAT20', name: 'Standard VAT', rate: 20 },
  { id: 2, identifier: 'ZERO', name: 'Zero rated', rate: 0 },
  { id: 3, identifier: 'UKVAT', name: 'UK VAT Rates', rate: 20 },
  { id: 4, identifier: 'MOMS', name: 'Danish VAT', rate: 25 },
];
export const CURRENCIES = [
  { id: 1, currencyIdentifier: 'USD', name: 'US Dollars', symbol: '$', code: 'USD', thousands: ',', decimal: '.' },
  { id: 2, currencyIdentifier: 'GBP', name: 'Pounds Sterling', symbol: '£', code: 'GBP', thousands: ',', decimal: '.' },
  { id: 3, currencyIdentifier: 'EUR', name: 'Euro', symbol: '€', code: 'EUR', thousands: '.', decimal: ',' },
  { id: 4, currencyIdentifier: 'DKK', name: 'Danish Kroner', symbol: 'kr', code: 'DKK', thousands: '.', decimal: ',' },
];
export const LOCATIONS = [
  { id: 1, name: 'Head Office' },
  { id: 2, name: 'London' },
  { id: 3, name: 'Copenhagen' },
  { id: 4, name: 'New York' },
];
export const UNITS = [
  { id: 2, name: 'Hour' },
  { id: 13, name: 'Each' },
];
export const COMPANY_TYPES = [
  { id: 1, name: 'Customer' },
  { id: 6, name: 'Vendor' },
];

/** Every reference table, as API records (null members already omitted). */
export interface ReferenceData extends InventoryData, AgreementData {
  refs: Refs;
  companies: Map<number, CompanyRow>;
  companyTypes: Map<number, Json>;
  sites: Map<number, SiteRow>;
  /** Company id → its site ids (first one is the default billing site). */
  sitesByCompany: Map<number, number[]>;
  contacts: Map<number, Json>;
  billingStatuses: Map<number, Json>;
  billingTerms: Map<number, Json>;
  taxCodes: Map<number, Json>;
  currencies: Map<number, Json>;
  locations: Map<number, Json>;
  members: Map<number, Json>;
  projects: Map<number, Json>;
  catalog: Map<number, Json>;
  purchaseOrders: Map<number, Json>;
  /** Purchase order id → its line items. */
  purchaseOrderLines: Map<number, Json[]>;
  products: Map<number, Json>;
  /** Ids of companies that are vendors (the last few). */
  vendorIds: number[];
}

function byId<T extends { id: number }>(rows: T[]): Map<number, T> {
  return new Map(rows.map((r) => [r.id, r]));
}

export function currencyRef(refs: Refs, id: number): Json {
  const c = CURRENCIES.find((x) => x.id === id) ?? CURRENCIES[0];
  if (!c) throw new Error('no currencies');
  return {
    id: c.id,
    symbol: c.symbol,
    currencyCode: c.code,
    decimalSeparator: c.decimal,
    numberOfDecimals: 2,
    thousandsSeparator: c.thousands,
    negativeParenthesesFlag: false,
    displaySymbolFlag: true,
    currencyIdentifier: c.currencyIdentifier,
    displayIdFlag: false,
    rightAlign: false,
    name: c.name,
    _info: { currency_href: refs.href(`/finance/currencies/${c.id}`) },
  };
}

export function buildReferenceData(seed: number, companyCount: number, refs: Refs): ReferenceData {
  const companies = new Map<number, CompanyRow>();
  const sites = new Map<number, SiteRow>();
  const sitesByCompany = new Map<number, number[]>();
  const contacts = new Map<number, Json>();
  const vendorCount = Math.max(1, Math.min(5, Math.floor(companyCount / 4)));
  const vendorIds: number[] = [];
  const statusRefs = [{ id: 1, name: 'Active' }];
  const location = (id: number): Json => refs.named('location', '/system/locations', LOCATIONS[(id - 1) % LOCATIONS.length] ?? { id, name: '' });
  let siteId = 0;
  for (let id = 1; id <= companyCount; id++) {
    const rng = new Rng(seed, 1, id);
    const adjective = rng.pick(ADJECTIVES);
    const noun = rng.pick(NOUNS);
    const name = `${adjective} ${noun}, ${rng.pick(SUFFIXES)}`;
    const identifier = `${(adjective + noun).toUpperCase().slice(0, 20)}${id}`;
    const [city, state, country] = rng.pick(CITIES);
    const isVendor = id > companyCount - vendorCount;
    if (isVendor) vendorIds.push(id);
    const companyRef = refs.company({ id, identifier, name });
    const siteIds: number[] = [];
    for (const siteName of rng.chance(0.4) ? ['Main', 'Warehouse'] : ['Main']) {
      siteId++;
      siteIds.push(siteId);
      sites.set(
        siteId,
        compact({
          id: siteId,
          name: siteName,
          addressLine1: `${rng.int(1, 250)} ${noun} Street`,
          city,
          stateReference: { id: 1, identifier: state, name: state },
          zip: String(rng.int(1000, 99999)),
          country: { id: 1, identifier: country, name: country },
          phoneNumber: `555${rng.int(1000000, 9999999)}`,
          taxCode: refs.named('taxCode', '/finance/taxCodes', { id: 1, name: 'Standard VAT' }),
          primaryAddressFlag: siteName === 'Main',
          defaultShippingFlag: siteName === 'Main',
          defaultBillingFlag: siteName === 'Main',
          defaultMailingFlag: siteName === 'Main',
          inactiveFlag: false,
          billSeparateFlag: false,
          company: companyRef,
          _info: seededStamps(rng),
        }) as SiteRow,
      );
    }
    sitesByCompany.set(id, siteIds);
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const mainSite = sites.get(siteIds[0] ?? 0);
    contacts.set(
      id,
      compact({
        id,
        firstName: first,
        lastName: last,
        company: companyRef,
        site: mainSite ? refs.site(id, mainSite) : undefined,
        inactiveFlag: false,
        defaultPhoneType: 'Direct',
        defaultPhoneNbr: `555${rng.int(1000000, 9999999)}`,
        defaultBillingFlag: true,
        defaultFlag: true,
        communicationItems: [
          { id: id * 10 + 1, type: { id: 1, name: 'Email' }, value: `${first}.${last}@example.com`.toLowerCase(), defaultFlag: true, communicationType: 'Email' },
          { id: id * 10 + 2, type: { id: 2, name: 'Direct' }, value: `555${rng.int(1000000, 9999999)}`, defaultFlag: true, communicationType: 'Phone' },
        ],
        _info: seededStamps(rng),
      }),
    );
    const terms = BILLING_TERMS[rng.int(1, 3)] ?? BILLING_TERMS[0];
    companies.set(
      id,
      compact({
        id,
        identifier,
        name,
        status: refs.named('status', '/company/companies/statuses', statusRefs[0] ?? { id: 1, name: 'Active' }),
        addressLine1: mainSite?.['addressLine1'],
        city,
        state,
        zip: mainSite?.['zip'],
        country: { id: 1, identifier: country, name: country },
        phoneNumber: mainSite?.['phoneNumber'],
        website: `www.${noun.toLowerCase()}${id}.example.com`,
        territory: location(1 + (id % LOCATIONS.length)),
        accountNumber: `${identifier.slice(0, 6)}0${id}`,
        defaultContact: refs.named('contact', '/company/contacts', { id, name: `${first} ${last}` }),
        leadFlag: false,
        taxCode: refs.named('taxCode', '/finance/taxCodes', { id: 1, name: 'Standard VAT' }),
        billingTerms: terms ? refs.named('billingTerms', '/finance/billingTerms', terms) : undefined,
        billingSite: mainSite ? refs.site(id, mainSite) : undefined,
        deletedFlag: false,
        isVendorFlag: isVendor,
        vendorIdentifier: isVendor ? `V${id}` : undefined,
        types: [refs.named('type', '/company/companies/types', (isVendor ? COMPANY_TYPES[1] : COMPANY_TYPES[0]) ?? { id: 1, name: 'Customer' })],
        site: mainSite ? refs.site(id, mainSite) : undefined,
        currency: currencyRef(refs, 1 + (id % 3 === 0 ? 1 : 0)),
        _info: seededStamps(rng),
      }) as CompanyRow,
    );
  }

  const members = buildMembers(seed, refs);
  const projects = new Map<number, Json>();
  for (let id = 1; id <= 10; id++) {
    const rng = new Rng(seed, 2, id);
    const company = companies.get(1 + ((id * 7) % companyCount));
    const start = EPOCH - rng.int(60, 400) * DAY;
    projects.set(
      id,
      compact({
        id,
        name: `Project ${rng.pick(NOUNS)} ${id}`,
        company: company ? refs.company(company) : undefined,
        board: { id: 1, name: 'Professional Services' },
        status: { id: 1, name: rng.chance(0.3) ? 'Closed' : 'Open' },
        billingMethod: rng.pick(['ActualRates', 'FixedFee', 'NotToExceed'] as const),
        billingTerms: refs.named('billingTerms', '/finance/billingTerms', BILLING_TERMS[2] ?? { id: 3, name: 'Net 30' }),
        location: location(1 + (id % LOCATIONS.length)),
        currency: currencyRef(refs, 1),
        estimatedStart: isoZ(start),
        estimatedEnd: isoZ(start + rng.int(30, 200) * DAY),
        closedFlag: false,
        _info: seededStamps(rng),
      }),
    );
  }

  const catalog = new Map<number, Json>();
  const ITEMS = ['PATCH10', 'LAPTOP14', 'MONITOR27', 'DOCK-USB', 'SSD1TB', 'ROUTER-AX', 'SWITCH24', 'UPS1500', 'KEYBOARD', 'MOUSE', 'HEADSET', 'LICENSE-M365'];
  ITEMS.forEach((identifier, index) => {
    const id = 700 + index;
    const rng = new Rng(seed, 3, id);
    const price = rng.money(5, 1500);
    catalog.set(
      id,
      compact({
        id,
        identifier,
        description: `${identifier} catalog item`,
        inactiveFlag: false,
        subcategory: { id: 24, name: 'Miscellaneous' },
        type: { id: 1, name: 'Hardware' },
        productClass: 'NonInventory',
        serializedFlag: false,
        unitOfMeasure: UNITS[1],
        price,
        cost: Math.round(price * 60) / 100,
        taxableFlag: true,
        customerDescription: `${identifier} for customers`,
        vendor: vendorIds[0] ? refs.company(companies.get(vendorIds[0]) as CompanyRow) : undefined,
        _info: seededStamps(rng),
      }),
    );
  });

  const purchaseOrders = new Map<number, Json>();
  for (let id = 1; id <= 20; id++) {
    const rng = new Rng(seed, 4, id);
    const vendor = companies.get(vendorIds[id % vendorIds.length] ?? 1);
    const date = EPOCH - rng.int(10, 300) * DAY;
    const sub = rng.money(50, 5000);
    purchaseOrders.set(
      id,
      compact({
        id,
        poNumber: `PO${String(id).padStart(5, '0')}`,
        poDate: isoZ(date - (date % DAY)),
        status: { id: 1, name: 'Closed' },
        vendorCompany: vendor ? refs.company(vendor) : undefined,
        vendorInvoiceNumber: `VINV${id}`,
        vendorInvoiceDate: isoZ(date - (date % DAY)),
        terms: refs.named('billingTerms', '/finance/billingTerms', BILLING_TERMS[1] ?? { id: 2, name: 'Net 10' }),
        locationId: 1 + (id % LOCATIONS.length),
        businessUnitId: 10,
        subTotal: sub,
        salesTax: Math.round(sub * 20) / 100,
        freightCost: 0,
        total: Math.round(sub * 120) / 100,
        taxCode: refs.named('taxCode', '/finance/taxCodes', { id: 1, name: 'Standard VAT' }),
        currency: currencyRef(refs, 1),
        closedFlag: true,
        _info: seededStamps(rng),
      }),
    );
  }

  const products = new Map<number, Json>();
  for (let id = 1; id <= 30; id++) {
    const rng = new Rng(seed, 5, id);
    const item = catalog.get(700 + (id % ITEMS.length));
    const company = companies.get(1 + (id % companyCount));
    products.set(
      id,
      compact({
        id,
        catalogItem: item ? refs.make('catalog_href', '/procurement/catalog', item['id'] as number, undefined, { identifier: item['identifier'] }) : undefined,
        description: item?.['description'],
        quantity: rng.int(1, 10),
        price: item?.['price'],
        cost: item?.['cost'],
        billableOption: 'Billable',
        locationId: 1 + (id % LOCATIONS.length),
        businessUnitId: 10,
        taxableFlag: true,
        company: company ? refs.company(company) : undefined,
        _info: seededStamps(rng),
      }),
    );
  }

  // The warehouses belong to the first company, the sandbox's own.
  const inventory = buildInventory(seed, refs, { company: companies.get(1) as CompanyRow, site: sites.get(sitesByCompany.get(1)?.[0] ?? 0) }, LOCATIONS);
  return {
    refs,
    companies,
    sites,
    sitesByCompany,
    contacts,
    billingStatuses: byId(BILLING_STATUSES.map((s) => ({ ...s, _info: seededStamps(new Rng(seed, 6, s.id)) }))),
    billingTerms: byId(BILLING_TERMS.map((t) => ({ ...t, _info: seededStamps(new Rng(seed, 7, t.id)) }))),
    taxCodes: byId(TAX_CODES.map((t) => taxCode(t, refs, new Rng(seed, 8, t.id)))),
    currencies: byId(
      CURRENCIES.map((c) => ({
        id: c.id,
        currencyIdentifier: c.currencyIdentifier,
        name: c.name,
        symbol: c.symbol,
        displayIdFlag: false,
        displaySymbolFlag: true,
        currencyCode: { id: c.id, name: c.code },
        thousandsSeparator: c.thousands,
        decimalSeparator: c.decimal,
        negativeParenthesesFlag: false,
        rightAlign: false,
        numberOfDecimals: 2,
        _info: seededStamps(new Rng(seed, 9, c.id)),
      })),
    ),
    locations: byId(
      LOCATIONS.map((l) => ({
        id: l.id,
        ownerLevelId: 1,
        structureLevel: { id: 2, name: 'Location' },
        name: l.name,
        manager: refs.member(members.get(1) ?? {}),
        locationFlag: true,
        clientFlag: false,
        workRoleIds: [],
        departmentIds: [10],
        _info: seededStamps(new Rng(seed, 10, l.id)),
      })),
    ),
    members,
    projects,
    catalog,
    purchaseOrders,
    products,
    vendorIds,
    companyTypes: byId(COMPANY_TYPES.map((t) => ({ ...t, defaultFlag: t.id === 1, vendorFlag: t.name === 'Vendor', serviceAlertFlag: false, _info: seededStamps(new Rng(seed, 15, t.id)) }))),
    ...inventory,
    purchaseOrderLines: buildPurchaseOrderLines(seed, refs, purchaseOrders, { catalog, warehouseBins: inventory.warehouseBins, shipmentMethods: inventory.shipmentMethods, units: UNITS }),
    ...buildAgreements(seed, refs, companies, contacts, catalog),
  };
}

function taxCode(t: (typeof TAX_CODES)[number], refs: Refs, rng: Rng): Json & { id: number } {
  return {
    id: t.id,
    identifier: t.identifier,
    description: t.name,
    invoiceCaption: t.name.slice(0, 25),
    country: { id: 1, identifier: 'GB', name: 'United Kingdom', _info: { country_href: refs.href('/company/countries/1') } },
    effectiveDate: '2020-01-01T00:00:00Z',
    defaultFlag: t.id === 1,
    displayOnInvoiceFlag: true,
    canadaCalculateGSTFlag: false,
    levelOneRate: t.rate,
    levelOneRateType: 'Percent',
    levelOneCaption: 'VAT',
    levelOneTaxCodeXref: t.identifier,
    levelOneAgencyXref: 'HMRC',
    levelOneServicesFlag: true,
    levelOneExpensesFlag: true,
    levelOneProductsFlag: true,
    _info: seededStamps(rng),
  };
}

function buildMembers(seed: number, refs: Refs): Map<number, Json> {
  const members = new Map<number, Json>();
  for (let id = 1; id <= 8; id++) {
    const rng = new Rng(seed, 11, id);
    const firstName = FIRST_NAMES[id % FIRST_NAMES.length] ?? 'Admin';
    const lastName = LAST_NAMES[(id * 3) % LAST_NAMES.length] ?? 'User';
    const identifier = id === 1 ? SEED_USER : `${firstName.charAt(0)}${lastName}`.toLowerCase();
    members.set(id, {
      id,
      identifier,
      firstName,
      lastName,
      licenseClass: 'F',
      inactiveFlag: false,
      officeEmail: `${identifier}@sandbox.example.com`,
      defaultEmail: 'Office',
      defaultPhone: 'Office',
      officePhone: `555${rng.int(1000000, 9999999)}`,
      securityRole: { id: 1, name: 'Admin' },
      defaultLocation: refs.named('location', '/system/locations', LOCATIONS[id % LOCATIONS.length] ?? { id: 1, name: 'Head Office' }),
      defaultDepartment: { id: 10, name: 'Services' },
      vendorNumber: `EMP${id}`,
      hourlyCost: rng.money(30, 90),
      hireDate: isoZ(EPOCH - rng.int(400, 3000) * DAY),
      companyActivityTabFormat: 'SummaryList',
      invoiceTimeTabFormat: 'SummaryList',
      invoiceScreenDefaultTabFormat: 'ShowInvoicingTab',
      invoicingDisplayOptions: 'RemainOnInvoicingScreen',
      agreementInvoicingDisplayOptions: 'RemainOnInvoicingScreen',
      _info: seededStamps(rng),
    });
  }
  return members;
}
