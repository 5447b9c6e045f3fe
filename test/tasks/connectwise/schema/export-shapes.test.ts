// nullFields on the seed samples' data: "schema" writes what Zynk wrote (seed 000's
// <applyToId xsi:nil="true" />, seed 002's GL documents byte for byte), "omit" what the API sent.
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { readRawTopLevelRecords } from '../../../../src/json/record-stream.js';
import { zynkRecordOrder } from '../../../../src/tasks/connectwise/export-records.js';
import { convertGlExport } from '../../../../src/tasks/connectwise/gl/convert.js';
import { exportShape, type NullFields } from '../../../../src/tasks/connectwise/schema/export-shapes.js';
import { XML_DECLARATION, rootOpenTag, valueToXml, type XmlShape } from '../../../../src/xml/json-to-xml.js';
import { XmlDocumentWriter } from '../../../../src/xml/writer.js';

const here = import.meta.dirname;
const fixture = (name: string): string => fs.readFileSync(path.join(here, 'fixtures', name), 'utf8');
const glFixture = (name: string): string => fs.readFileSync(path.join(here, '../gl/fixtures', name), 'utf8');
const LEADING = ['id', 'externalId', '_info'];

/** One list record as the export writes it, in a document of its own. */
function listDocument(root: string, record: string, json: Record<string, unknown>, shape: XmlShape | undefined): string {
  return `${XML_DECLARATION}${rootOpenTag(root)}${valueToXml(record, zynkRecordOrder(json), 1, shape)}</${root}>\n`;
}

/** The JSON without its null properties, as ConnectWise sends it (the fixture keeps them as the sample shows nil). */
function withoutNulls(json: string): string {
  return JSON.stringify(JSON.parse(json, (_key, value: unknown) => (value === null ? undefined : value)));
}

async function glDocument(json: string, nullFields: NullFields): Promise<string> {
  const out = new PassThrough();
  const collected = text(out);
  async function* chunks(): AsyncGenerator<Buffer> {
    yield Buffer.from(json);
  }
  await convertGlExport(readRawTopLevelRecords(chunks()), new XmlDocumentWriter(out), { shape: exportShape('GLExport', nullFields) });
  out.end();
  return collected;
}

describe('nullFields "schema"', () => {
  it('writes seed 000\'s invoice from the JSON ConnectWise sends (nulls left out, _info last) with <applyToId xsi:nil="true" />', () => {
    const invoice = JSON.parse(fixture('seed-000-invoice.json')) as Record<string, unknown>;
    expect(invoice).not.toHaveProperty('applyToId');
    const xml = listDocument('Invoices', 'Invoice', invoice, exportShape('Invoice', 'schema', LEADING));
    // The sample predates overrideDownPaymentAmountFlag (a 2022.1 boolean): it is the one element more.
    const sample = fixture('seed-000-invoices.xml').replace('    <currency>\n', '    <overrideDownPaymentAmountFlag xsi:nil="true" />\n    <currency>\n');
    expect(xml).toBe(sample);
  });

  it('writes seed 001\'s batch in the schema\'s order, closedFlag (newer than the sample) as nil', () => {
    const batch = JSON.parse(fixture('seed-001-batch.json')) as Record<string, unknown>;
    const xml = listDocument('Batches', 'Batch', batch, exportShape('AccountingBatch', 'schema', LEADING));
    expect(xml).toBe(fixture('seed-001-batches.xml').replace('  </Batch>\n', '    <closedFlag xsi:nil="true" />\n  </Batch>\n'));
  });

  it.each(['invoices', 'procurement'])('reproduces seed 002\'s unposted %s sample byte for byte, the seed\'s older field names in their schema places', async (name) => {
    const json = glFixture(`seed-002-${name}.json`);
    expect(await glDocument(withoutNulls(json), 'schema')).toBe(glFixture(`seed-002-${name}.xml`));
  });

  it('puts value types as nil, leaves strings, references and arrays out, and keeps unknown fields after the schema\'s in the API\'s order', () => {
    const shape = exportShape('Invoice', 'schema', LEADING);
    const record = zynkRecordOrder({ zNewer: 1, id: 7, aNewer: 'x', invoiceNumber: null, company: null, total: null, customFields: null, date: undefined, _info: { lastUpdated: 't' } });
    const xml = valueToXml('Invoice', record, 1, shape);
    const elements = [...xml.matchAll(/^ {4}<([A-Za-z_]+)/gm)].map((m) => m[1]);
    expect(elements.slice(0, 3)).toEqual(['id', 'externalId', '_info']);
    expect(elements.slice(-2)).toEqual(['zNewer', 'aNewer']);
    for (const absent of ['invoiceNumber', 'company', 'customFields', 'status']) expect(elements).not.toContain(absent);
    for (const nil of ['total', 'date', 'applyToId', 'specialInvoiceFlag']) expect(xml).toContain(`    <${nil} xsi:nil="true" />\n`);
    // Nested records of a schema are shaped too; a reference's own members stay as they came.
    const gl = exportShape('GLExport', 'schema');
    const transaction = valueToXml('transaction', { detail: [{ id: 1 }], company: { name: 'N', id: 2 } }, 1, gl?.children['transactions']);
    expect(transaction).toContain('    <id xsi:nil="true" />\n    <company>');
    expect(transaction).toContain('      <detailItem>\n        <id>1</id>\n        <cost xsi:nil="true" />\n');
    expect(transaction).toContain('<company>\n      <name>N</name>\n      <id>2</id>\n    </company>');
  });
});

describe('nullFields "omit"', () => {
  it('writes what the API sent, in its order: no <applyToId />, seed 002 as its JSON gives it', async () => {
    expect(exportShape('Invoice', 'omit', LEADING)).toBeUndefined();
    const invoice = JSON.parse(fixture('seed-000-invoice.json')) as Record<string, unknown>;
    const xml = listDocument('Invoices', 'Invoice', invoice, exportShape('Invoice', 'omit', LEADING));
    expect(xml).toBe(fixture('seed-000-invoices.xml').replace('    <applyToId xsi:nil="true" />\n', ''));
    expect(glFixture('seed-002-invoices.json')).toContain('"cityTax": null');
    const gl = await glDocument(withoutNulls(glFixture('seed-002-invoices.json')), 'omit');
    expect(gl).not.toContain('xsi:nil');
    expect(await glDocument(glFixture('seed-002-invoices.json'), 'omit')).toBe(glFixture('seed-002-invoices.xml'));
  });
});
