// RecordXml must write exactly what valueToUtf8Xml writes for the same record, while rendering each
// reference target once per depth; pure rendering, so plain objects and no server.
import { describe, expect, it } from 'vitest';
import type { ReferenceSpec } from '../../../src/connectors/connectwise/references.js';
import { INVOICE_REFERENCES } from '../../../src/tasks/connectwise/invoice-references.js';
import { RecordXml } from '../../../src/tasks/connectwise/record-xml.js';
import { exportShape } from '../../../src/tasks/connectwise/schema/export-shapes.js';
import { valueToUtf8Xml } from '../../../src/xml/json-to-xml.js';

type Json = Record<string, unknown>;

const ALL_NINE: ReferenceSpec[] = Object.entries(INVOICE_REFERENCES).map(([name, spec]) => ({ name, ...spec }));
const SHAPE = exportShape('Invoice', 'schema', ['id', 'externalId', '_info']);

const acme = { id: 7, identifier: 'ACME', name: 'Acme & Søns <Ltd> – “Café”', _info: { lastUpdated: '2024-01-01T00:00:00Z' }, defaultContact: { id: 3, name: 'Ann' }, leadFlag: false, dateDeleted: null };
const terms = { id: 2, name: 'Net 30', dueDays: 30 };

function invoice(id: number, company: Json | undefined, extra: Json = {}): Json {
  return {
    id,
    invoiceNumber: String(100 + id),
    company: company === undefined ? { id: 9, name: 'Missing' } : { id: company['id'], name: company['name'], record: company },
    billToCompany: company === undefined ? undefined : { id: company['id'], name: company['name'], record: company },
    billingTerms: { id: 2, name: 'Net 30', record: terms },
    total: 12.5,
    ...extra,
  };
}

describe('RecordXml', () => {
  it('writes each record exactly as valueToUtf8Xml does, references and all, shaped and not', () => {
    const records = [invoice(1, acme), invoice(2, acme, { currency: { id: 1, symbol: '$' } }), invoice(3, undefined), invoice(4, { ...acme, id: 8 })];
    for (const shape of [SHAPE, undefined]) {
      const xml = new RecordXml('Invoice', shape, ALL_NINE);
      for (const depth of [1, 3]) for (const record of records) expect(xml.render(record, depth)).toBe(valueToUtf8Xml('Invoice', record, depth, shape));
    }
  });

  it('leaves every record as it found it', () => {
    const record = invoice(1, acme);
    const before = structuredClone(record);
    new RecordXml('Invoice', SHAPE, ALL_NINE).render(record, 1);
    expect(record).toEqual(before);
    expect((record['company'] as Json)['record']).toBe(acme);
  });

  it('renders a target once per depth, however many records name it', () => {
    let reads = 0;
    const counted = {
      id: 7,
      get name() {
        reads++;
        return 'Acme';
      },
    };
    const record = (id: number) => ({ id, company: { id: 7, name: 'Acme', record: counted }, billToCompany: { id: 7, name: 'Acme', record: counted } });
    const xml = new RecordXml('Invoice', SHAPE, ALL_NINE);
    xml.render(record(0), 1);
    // However often one rendering reads a property (the writer's business), fifty renderings read it as often.
    const once = reads;
    expect(once).toBeGreaterThan(0);
    const first = Array.from({ length: 50 }, (_, i) => xml.render(record(i), 1));
    expect(reads).toBe(once);
    xml.render(record(50), 2);
    expect(reads).toBe(2 * once);
    expect(first[49]).toBe(valueToUtf8Xml('Invoice', record(49), 1, SHAPE));
  });

  it('walks array paths, where the depth differs from item to item', () => {
    const specs: ReferenceSpec[] = [{ name: 'lines', path: ['lines', '*', 'item'], endpoint: '/procurement/catalog' }];
    const widget = { id: 5, identifier: 'W-1', description: 'Widget' };
    const record = { id: 1, lines: [{ item: { id: 5, record: widget } }, { item: { id: 5, record: widget }, nested: [{ item: { id: 5, record: widget } }] }] };
    expect(new RecordXml('Order', undefined, specs).render(record, 1)).toBe(valueToUtf8Xml('Order', record, 1));
  });

  it('leaves a data value that looks like a stand-in alone', () => {
    const record = invoice(1, acme, { record: 'dw-target-0000000000000000-0', company: { id: 7, record: 'dw-target-0' } });
    expect(new RecordXml('Invoice', SHAPE, ALL_NINE).render(record, 1)).toBe(valueToUtf8Xml('Invoice', record, 1, SHAPE));
  });
});
