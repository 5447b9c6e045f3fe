// RecordXml must write exactly what valueToUtf8Xml writes for the same record, while rendering each
// reference target once per depth; pure rendering, so plain objects and no server.
import { describe, expect, it } from 'vitest';
import type { ReferenceSpec } from '../../../src/connectors/connectwise/references.js';
import { INVOICE_REFERENCES } from '../../../src/tasks/connectwise/invoice-references.js';
import { RecordXml } from '../../../src/tasks/connectwise/record-xml.js';
import { exportShape } from '../../../src/tasks/connectwise/schema/export-shapes.js';
import { valueToUtf8Xml, type Utf8Xml, type XmlShape } from '../../../src/xml/json-to-xml.js';
import { JsonXmlTranscoder, type AppendedMember, type ByteChunk } from '../../../src/xml/json-transcoder.js';

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

  describe('override', () => {
    const widget = { id: 5, identifier: 'W-1', description: 'Widget & “more”' };
    const specs: ReferenceSpec[] = [
      ...ALL_NINE,
      { name: 'lines', path: ['lines', '*', 'item'], endpoint: '/procurement/catalog' },
      { name: 'location', path: ['location'], endpoint: '/system/locations', idField: 'locationId' },
      { name: 'agreement', path: ['agreement'], endpoint: '/finance/agreements', match: { field: 'name', key: (at) => String(at['name']), attachAs: 'matched' } },
      { name: 'project', path: ['project'], endpoint: '/project/projects/{id}/phases', children: { attachAs: 'phases' } },
    ];
    const keys = [...new Set(specs.map((spec) => spec.path[0] as string))];
    const ZYNK: XmlShape = { order: ['id', 'externalId', '_info'], known: new Set(['id', 'externalId', '_info']), nil: new Set(), children: {} };

    /** The record as the server sends it, and as the resolver leaves it (targets attached, a reference made from its id). */
    function pair(id: number, company: Json | undefined): { sent: Json; resolved: Json } {
      const resolved = invoice(id, company, {
        lines: [{ item: { id: 5, record: widget } }, { item: { id: 6 } }],
        locationId: 3,
        agreement: { name: 'Gold' },
        project: { id: 2 },
      });
      const sent = structuredClone(resolved);
      for (const ref of [sent['company'], sent['billToCompany'], sent['billingTerms'], ...(sent['lines'] as Json[]).map((line) => line['item'])]) if (ref && typeof ref === 'object') delete (ref as Json)['record'];
      if (sent['billToCompany'] === undefined) delete sent['billToCompany'];
      Object.assign(resolved, { location: { id: 3, record: { id: 3, name: 'HQ' } } });
      (resolved['agreement'] as Json)['matched'] = { id: 11, identifier: 'Gold', record: { id: 11, name: 'Gold' } };
      (resolved['project'] as Json)['phases'] = [{ id: 1, description: 'Phase 1' }];
      return { sent: JSON.parse(JSON.stringify(sent)) as Json, resolved: JSON.parse(JSON.stringify(resolved)) as Json };
    }

    function chunk(): ByteChunk {
      return {
        buf: Buffer.alloc(1 << 16),
        length: 0,
        reserve(bytes) {
          if (this.length + bytes > this.buf.length) throw new Error('test chunk too small');
        },
      };
    }

    it('lets the transcoder write a record\'s bytes with its resolved references as render writes the resolved record', () => {
      for (const shape of [SHAPE, undefined]) {
        const xml = new RecordXml('Invoice', shape, specs);
        for (const depth of [1, 2]) {
          for (const { sent, resolved } of [pair(1, acme), pair(2, undefined), pair(3, { ...acme, id: 8 })]) {
            const overrides = new Map<string, Utf8Xml | AppendedMember>();
            for (const key of keys) {
              const value = resolved[key];
              const override = typeof value === 'object' && value !== null ? xml.override(key, value, depth) : undefined;
              if (override !== undefined) overrides.set(key, override);
            }
            const raw = Buffer.from(JSON.stringify(sent));
            const out = chunk();
            expect(new JsonXmlTranscoder().transcode('Invoice', raw, 0, raw.length, depth, shape ?? ZYNK, out, undefined, overrides)).toBeDefined();
            expect(out.buf.toString('latin1', 0, out.length)).toBe(xml.render(resolved, depth));
          }
        }
      }
    });

    it('adds a one-step reference\'s target from its one rendering, and has nothing for a reference that gained none', () => {
      const xml = new RecordXml('Invoice', SHAPE, ALL_NINE);
      const first = xml.override('company', { id: 7, record: acme }, 1);
      expect(first).toEqual({ key: 'record', xml: valueToUtf8Xml('record', acme, 3) });
      expect(xml.override('company', { id: 7, name: 'x', record: acme }, 1)).toBe(first);
      expect(xml.override('company', { id: 9, name: 'Missing' }, 1)).toBeUndefined();
    });
  });
});
