// The invoice export's catalogue of "References To Fetch" (seed 000): which reference objects of an
// invoice can gain their full entity, and where ConnectWise keeps each. Task data for the resolver
// engine in connectors/connectwise/references.ts.
import type { ReferenceSpec } from '../../connectors/connectwise/references.js';
import { isObject } from '../../json/is-object.js';

/** A company site lives under its company: the parent comes from the site's href, else from `companyField`. */
function companySites(companyField: string): Pick<ReferenceSpec, 'parentEndpoint' | 'recordFields'> {
  const parentEndpoint: ReferenceSpec['parentEndpoint'] = (ref, record) => {
    const info = ref['_info'];
    const href = isObject(info) && typeof info['site_href'] === 'string' ? info['site_href'] : '';
    const fromHref = /\/company\/companies\/(\d+)\/sites\/[^/]+$/.exec(href)?.[1];
    const company = record[companyField];
    const companyId = fromHref ?? (isObject(company) && typeof company['id'] === 'number' ? String(company['id']) : undefined);
    return companyId === undefined ? undefined : `/company/companies/${companyId}/sites`;
  };
  return { parentEndpoint, recordFields: [companyField] };
}

/** The nine references the seed's invoice export can fetch. */
export const INVOICE_REFERENCES: Record<string, Omit<ReferenceSpec, 'name'>> = {
  status: { path: ['status'], endpoint: '/finance/billingStatuses' },
  company: { path: ['company'], endpoint: '/company/companies' },
  billToCompany: { path: ['billToCompany'], endpoint: '/company/companies' },
  shipToCompany: { path: ['shipToCompany'], endpoint: '/company/companies' },
  billingSite: { path: ['billingSite'], endpoint: '/company/companies/{companyId}/sites', ...companySites('billToCompany') },
  shippingSite: { path: ['shippingSite'], endpoint: '/company/companies/{companyId}/sites', ...companySites('shipToCompany') },
  billingTerms: { path: ['billingTerms'], endpoint: '/finance/billingTerms' },
  taxCode: { path: ['taxCode'], endpoint: '/finance/taxCodes' },
  currency: { path: ['currency'], endpoint: '/finance/currencies' },
};
