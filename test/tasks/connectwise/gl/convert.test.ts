import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRawTopLevelRecords } from '../../../../src/json/record-stream.js';
import { convertGlExport, type ConvertOptions } from '../../../../src/tasks/connectwise/gl/convert.js';
import { documentToXml } from '../../../support/xml-document.js';
import { XmlDocumentWriter } from '../../../../src/xml/writer.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Streams `json` in small chunks through the reader and the converter; returns the XML. */
async function convert(json: string, options: ConvertOptions = {}, chunk = 97): Promise<{ xml: string; result: Awaited<ReturnType<typeof convertGlExport>> }> {
  const out = new PassThrough();
  const collected = text(out);
  async function* chunks(): AsyncGenerator<Buffer> {
    const bytes = Buffer.from(json);
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const result = await convertGlExport(readRawTopLevelRecords(chunks()), new XmlDocumentWriter(out), options);
  out.end();
  return { xml: await collected, result };
}

describe('convertGlExport', () => {
  it.each(['invoices', 'procurement'])('reproduces seed 002\'s unposted %s sample byte for byte from the same data as JSON', async (name) => {
    const json = fs.readFileSync(path.join(fixtures, `seed-002-${name}.json`), 'utf8');
    const seedXml = fs.readFileSync(path.join(fixtures, `seed-002-${name}.xml`), 'utf8');
    const { xml } = await convert(json);
    expect(xml).toBe(seedXml);
  });

  it('writes what an in-memory conversion of the parsed export writes, leaving out null and empty top-level members', async () => {
    const doc = {
      exportSettings: { thruDate: '2024-01-31', nested: { a: [1, 2] } },
      vendors: [],
      customers: [{ id: 1, name: 'A & B <c>' }],
      transactions: [{ id: 2, detail: [{ id: 3 }, { id: 4 }], memo: null, empty: [] }],
      expenses: null,
      purchaseTransactions: [{ id: 'PO #1', purchaseDetail: [], purchaseDetailTax: [] }],
      adjustmentTransactions: [],
    };
    const json = JSON.stringify(doc);
    const { xml, result } = await convert(json, {}, 7);
    const kept = Object.entries(doc).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0));
    expect(xml).toBe(documentToXml('GLExport', kept));
    expect(result.counts).toEqual({ vendors: 0, customers: 1, transactions: 1, purchaseTransactions: 1, adjustmentTransactions: 0 });
    expect(result.records).toBe(3);
  });

  it('resolves references a window at a time, before the window is written', async () => {
    const transactions = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, company: { id: 100 + i } }));
    const windows: number[][] = [];
    const { xml } = await convert(JSON.stringify({ customers: [{ id: 9 }], transactions }), {
      references: {
        containers: new Set(['transactions']),
        windowSize: 3,
        resolve: async (container, records) => {
          expect(container).toBe('transactions');
          windows.push(records.map((r) => r['id'] as number));
          for (const r of records) (r['company'] as Record<string, unknown>)['record'] = { name: `Company ${String(r['id'])}` };
        },
      },
    });
    expect(windows).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(xml).toContain('<company>\n        <id>106</id>\n        <record>\n          <name>Company 7</name>');
    expect(xml.indexOf('<customers>')).toBeLessThan(xml.indexOf('<transactions>'));
  });
});
