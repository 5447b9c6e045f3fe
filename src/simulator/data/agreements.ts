// Agreements (`/finance/agreements`) and their additions (`/finance/agreements/{id}/additions`), the
// targets of an invoice's `agreement` reference. Shapes follow the 2026.4 Agreement and Addition
// schemas; small, generated once per reset from the companies, contacts and catalog items.
import type { Json } from '../query/list-query.js';
import { DAY, EPOCH, Rng, compact, isoZ, round2, seededStamps } from './random.js';
import type { Refs } from './refs.js';

export const AGREEMENT_COUNT = 6;
export const AGREEMENT_TYPES = [
  { id: 1, name: 'Managed Services' },
  { id: 2, name: 'Block Time' },
];

export interface AgreementData {
  agreements: Map<number, Json>;
  /** Agreement id → its additions, in id order. */
  agreementAdditions: Map<number, Json[]>;
}

/** Agreement a belongs to company 1 + a (wrapped to the companies there are). */
export function agreementCompanyId(agreementId: number, companyCount: number): number {
  return 1 + (agreementId % companyCount);
}

export function buildAgreements(seed: number, refs: Refs, companies: Map<number, { id: number; identifier: string; name: string }>, contacts: Map<number, Json>, catalog: Map<number, Json>): AgreementData {
  const agreements = new Map<number, Json>();
  const agreementAdditions = new Map<number, Json[]>();
  const items = [...catalog.values()];
  let additionId = 0;
  for (let id = 1; id <= AGREEMENT_COUNT; id++) {
    const rng = new Rng(seed, 16, id);
    const companyId = agreementCompanyId(id, companies.size);
    const company = companies.get(companyId);
    const contact = contacts.get(companyId);
    if (!company || !contact) continue;
    const start = EPOCH - rng.int(100, 700) * DAY;
    const type = AGREEMENT_TYPES[id % AGREEMENT_TYPES.length] ?? { id: 1, name: 'Managed Services' };
    agreements.set(
      id,
      compact({
        id,
        name: `${type.name} ${company.name}`,
        type: refs.named('type', '/finance/agreements/types', type),
        company: refs.company(company),
        contact: refs.named('contact', '/company/contacts', { id: contact['id'] as number, name: `${String(contact['firstName'])} ${String(contact['lastName'])}` }),
        startDate: isoZ(start - (start % DAY)),
        noEndingDateFlag: true,
        cancelledFlag: false,
        applicationCycle: 'CalendarMonth',
        billAmount: rng.money(100, 2000),
        taxable: true,
        agreementStatus: 'Active',
        _info: seededStamps(rng),
      }),
    );
    const additions: Json[] = [];
    for (let n = 0; n < 1 + (id % 3); n++) {
      const item = items[(id * 3 + n) % items.length];
      if (!item) continue;
      additionId++;
      const quantity = rng.int(1, 20);
      const unitPrice = typeof item['price'] === 'number' ? item['price'] : 0;
      const unitCost = typeof item['cost'] === 'number' ? item['cost'] : 0;
      additions.push({
        id: additionId,
        product: refs.make('catalog_href', '/procurement/catalog', item['id'] as number, undefined, { identifier: item['identifier'] }),
        quantity,
        unitPrice,
        unitCost,
        billCustomer: 'Billable',
        effectiveDate: isoZ(start - (start % DAY)),
        taxableFlag: true,
        agreementId: id,
        description: String(item['description']),
        extPrice: round2(quantity * unitPrice),
        extCost: round2(quantity * unitCost),
        agreementStatus: 'Active',
        _info: seededStamps(rng),
      });
    }
    agreementAdditions.set(id, additions);
  }
  return { agreements, agreementAdditions };
}
