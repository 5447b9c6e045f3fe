import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { elementToValue, elementToXml, readDocument, readRecords, type XmlRecord } from '../../src/xml/reader.js';
import { sniffDocument } from '../../src/xml/root-element.js';
import { makeTempDirSync } from '../support/temp-dir.js';

const SAMPLE = `<?xml version="1.0" encoding="utf-8"?>
<InvoicePayments xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <InvoicePayment>
    <id>2</id>
    <externalId>1234</externalId>
    <invoice>
      <id>206</id>
    </invoice>
    <amount>10</amount>
    <note xsi:nil="true" />
    <paymentDate>2018-10-11T00:00:00Z</paymentDate>
  </InvoicePayment>
  <InvoicePayment><invoice><id>207</id></invoice><amount>5 &amp; 6</amount></InvoicePayment>
</InvoicePayments>`;

async function collect(source: string | Readable, options: Parameters<typeof readRecords>[1] = {}): Promise<XmlRecord[]> {
  const out: XmlRecord[] = [];
  for await (const r of readRecords(source, options)) out.push(r);
  return out;
}

const fromText = (text: string, chunk = 7) => Readable.from(text.match(new RegExp(`[\\s\\S]{1,${chunk}}`, 'g')) ?? []);

describe('readRecords', () => {
  it('hands over each child of the root as a tree, across chunk boundaries', async () => {
    const records = await collect(fromText(`\uFEFF${SAMPLE}`), { expectRoot: 'InvoicePayments' });
    expect(records.map((r) => r.index)).toEqual([0, 1]);
    expect(elementToValue(records[0]!.element)).toEqual({ id: '2', externalId: '1234', invoice: { id: '206' }, amount: '10', note: null, paymentDate: '2018-10-11T00:00:00Z' });
    expect(elementToValue(records[1]!.element)).toEqual({ invoice: { id: '207' }, amount: '5 & 6' });
    expect(records[0]!.element.line).toBe(3);
  });

  it('reads big chunks a slice at a time, a character split between slices kept whole', async () => {
    // Records of ~100 characters in one chunk of text: the parser is given it in slices of 16 K
    // characters, so records and (with the padding) an astral character straddle slices.
    const head = '<?xml version="1.0" encoding="utf-8"?>\n<R>\n';
    const pad = 'x'.repeat(16 * 1024 - head.length - '<a><t>'.length - 1);
    const records = Array.from({ length: 2000 }, (_, i) => `<a><t>${i === 0 ? pad : ''}\u{1F600}${i}</t><n xsi:nil="true" /></a>\n`);
    const read = await collect(Readable.from([`${head}${records.join('')}</R>`]));
    expect(read.map((r) => r.index)).toEqual(records.map((_, i) => i));
    expect(elementToValue(read[0]!.element)).toEqual({ t: `${pad}\u{1F600}0`, n: null });
    expect(elementToValue(read[1999]!.element)).toEqual({ t: '\u{1F600}1999', n: null });
    expect(read[1]!.element.attributes).toEqual({});
    expect(read[1]!.element.children[1]!.attributes).toEqual({ 'xsi:nil': 'true' });
  });

  it('writes a record back as it came in', async () => {
    const [first] = await collect(fromText(SAMPLE));
    expect(elementToXml(first!.element, 1)).toBe(
      '  <InvoicePayment>\n    <id>2</id>\n    <externalId>1234</externalId>\n    <invoice>\n      <id>206</id>\n    </invoice>\n    <amount>10</amount>\n    <note xsi:nil="true" />\n    <paymentDate>2018-10-11T00:00:00Z</paymentDate>\n  </InvoicePayment>\n',
    );
  });

  it('turns repeated children into arrays', async () => {
    const doc = await readDocument(fromText('<TaskRequest><settings><refs><reference>a</reference><reference>b</reference></refs></settings></TaskRequest>'));
    expect(elementToValue(doc)).toEqual({ settings: { refs: { reference: ['a', 'b'] } } });
  });

  it.each([
    ['malformed XML', '<a><b></a>', 'DW_XML_MALFORMED'],
    ['a truncated file', '<a><b>1</b>', 'DW_XML_MALFORMED'],
    ['an empty file', '   \n', 'DW_FILE_EMPTY'],
    ['a DOCTYPE (entity expansion attacks)', '<!DOCTYPE a [<!ENTITY x "xxxxxxxx">]><a>&x;</a>', 'DW_XML_UNSAFE'],
    ['an undefined entity', '<a><b>&nope;</b></a>', 'DW_XML_MALFORMED'],
    ['deep nesting', `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`, 'DW_XML_UNSAFE'],
    ['the wrong root', '<Other><x/></Other>', 'DW_UNKNOWN_ROOT'],
  ])('refuses %s', async (_label, text, code) => {
    await expect(collect(fromText(text), { expectRoot: text.startsWith('<Other') ? 'InvoicePayments' : undefined })).rejects.toMatchObject({ code });
  });

  it('refuses giant text in one element', async () => {
    await expect(collect(fromText(`<a><b>${'x'.repeat(2000)}</b></a>`, 500), { limits: { maxTextLength: 1000 } })).rejects.toMatchObject({ code: 'DW_XML_UNSAFE' });
  });

  it.each([
    ['CDATA', (n: number) => `<a><b><![CDATA[${'x'.repeat(n)}]]></b></a>`],
    ['an attribute', (n: number) => `<a><b c="${'x'.repeat(n)}"/></a>`],
    ['a comment', (n: number) => `<a><!--${'x'.repeat(n)}--><b/></a>`],
  ])('refuses giant %s too', async (_label, make) => {
    await expect(collect(fromText(make(5000), 700), { limits: { maxTextLength: 1000 } })).rejects.toMatchObject({ code: 'DW_XML_UNSAFE' });
  });

  it('stops a giant text node before it is complete, without holding it', async () => {
    let fed = 0;
    const chunks = (async function* () {
      yield '<a><b>';
      // An endless text node: the reader must give up long before it ends.
      for (;;) {
        fed += 1000;
        yield 'x'.repeat(1000);
      }
    })();
    await expect(collect(Readable.from(chunks), { limits: { maxTextLength: 10_000 } })).rejects.toMatchObject({ code: 'DW_XML_UNSAFE' });
    expect(fed).toBeLessThanOrEqual(12_000);
  });

  it('keeps elements named like object internals as plain fields', async () => {
    const doc = await readDocument(fromText('<r><__proto__><polluted>yes</polluted></__proto__><constructor>c</constructor><constructor>d</constructor></r>'));
    const value = elementToValue(doc) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor']);
    expect(value['constructor']).toEqual(['c', 'd']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reads a file from disk', async () => {
    const file = path.join(makeTempDirSync('dw-xml-'), 'p.xml');
    fs.writeFileSync(file, SAMPLE);
    expect(await collect(file)).toHaveLength(2);
  });
});

describe('sniffDocument', () => {
  const write = (text: string) => {
    const file = path.join(makeTempDirSync('dw-sniff-'), 'f');
    fs.writeFileSync(file, text);
    return file;
  };

  it('reads only the first start tag', async () => {
    // The rest of the file is broken: sniffing must not care.
    expect(await sniffDocument(write(`<?xml version="1.0"?>\n<!-- c --><InvoicePayments a="1"><broken`))).toEqual({ kind: 'xml', root: 'InvoicePayments' });
    expect(await sniffDocument(write('\uFEFF  {"task": "x"}'))).toEqual({ kind: 'json' });
  });

  it.each([
    ['', 'DW_FILE_EMPTY'],
    ['hello world', 'DW_XML_MALFORMED'],
    ['<!DOCTYPE x><x/>', 'DW_XML_UNSAFE'],
    ['\u0000\u0001binary', 'DW_XML_MALFORMED'],
  ])('refuses %j', async (text, code) => {
    await expect(sniffDocument(write(text))).rejects.toMatchObject({ code });
  });
});
