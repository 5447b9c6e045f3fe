import { describe, expect, it } from 'vitest';
import { escapeAttr, escapeText } from '../../src/xml/escape.js';
import { singularName, toUtf8Xml, valueToUtf8Xml, valueToXml, type XmlShape } from '../../src/xml/json-to-xml.js';
import { documentToXml } from '../support/xml-document.js';

describe('escaping', () => {
  it('escapes markup and replaces characters XML forbids', () => {
    expect(escapeText('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
    expect(escapeText('bell\u0007 nul\u0000 ok\ttab\nline')).toBe('bell\uFFFD nul\uFFFD ok\ttab\nline');
    expect(escapeText('lone \uD800 surrogate, pair \uD83D\uDE00')).toBe('lone \uFFFD surrogate, pair \uD83D\uDE00');
    expect(escapeText('cr\r')).toBe('cr&#13;');
    expect(escapeAttr('say "hi"\n')).toBe('say &quot;hi&quot;&#10;');
  });
});

describe('singularName', () => {
  it.each([
    ['customers', 'customer'],
    ['transactions', 'transaction'],
    ['detail', 'detailItem'],
    ['purchaseDetail', 'purchaseDetailItem'],
    ['purchaseDetailTax', 'purchaseDetailTaxItem'],
    ['entries', 'entry'],
    ['batches', 'batch'],
    ['customFields', 'customField'],
    ['lines', 'line'],
    ['address', 'addressItem'],
  ])('%s → %s', (container, item) => expect(singularName(container)).toBe(item));
});

describe('JSON → XML mapping', () => {
  it('renders the seed conventions', () => {
    const xml = valueToXml(
      'Invoice',
      { id: 206, applyToId: null, reference: '', status: { id: 3, name: 'Closed' }, taxableFlag: false, total: 444.0, tags: [], skipped: undefined, detail: [{ id: 1 }, { id: 2 }] },
      1,
    );
    expect(xml).toBe(
      [
        '  <Invoice>',
        '    <id>206</id>',
        '    <applyToId xsi:nil="true" />',
        '    <reference />',
        '    <status>',
        '      <id>3</id>',
        '      <name>Closed</name>',
        '    </status>',
        '    <taxableFlag>false</taxableFlag>',
        '    <total>444</total>',
        '    <tags />',
        '    <detail>',
        '      <detailItem>',
        '        <id>1</id>',
        '      </detailItem>',
        '      <detailItem>',
        '        <id>2</id>',
        '      </detailItem>',
        '    </detail>',
        '  </Invoice>',
        '',
      ].join('\n'),
    );
  });

  it('makes JSON keys that are not XML names safe', () => {
    expect(valueToXml('x', { 'a b': 1, '1st': 2 }, 0)).toBe('<x>\n  <a_b>1</a_b>\n  <_1st>2</_1st>\n</x>\n');
  });

  describe('with a shape', () => {
    const shape = (order: string[], nil: string[] = []): XmlShape => ({ order, known: new Set(order), nil: new Set(nil), children: {} });
    const lines = (...xs: string[]) => `${xs.join('\n')}\n`;

    it('writes the shape\'s properties in its order, nil where it says, then the others in the object\'s order', () => {
      expect(valueToXml('x', { z: 1, b: 2, a: 3, y: null }, 0, shape(['a', 'b', 'c', 'y'], ['c']))).toBe(
        lines('<x>', '  <a>3</a>', '  <b>2</b>', '  <c xsi:nil="true" />', '  <z>1</z>', '</x>'),
      );
    });

    // The unknown properties are looked for only when the object has more keys than the shape's
    // defined ones: these objects have as many keys, yet hold one the shape does not know.
    it('finds an unknown property beside a known one that is undefined', () => {
      expect(valueToXml('x', { a: undefined, z: 1 }, 0, shape(['a']))).toBe(lines('<x>', '  <z>1</z>', '</x>'));
    });

    it('finds an unknown property when a known one is inherited', () => {
      const obj = Object.assign(Object.create({ a: 1 }) as Record<string, unknown>, { z: 2 });
      expect(valueToXml('x', obj, 0, shape(['a']))).toBe(lines('<x>', '  <a>1</a>', '  <z>2</z>', '</x>'));
    });

    it('writes a property the order names twice once, and still finds the unknown one', () => {
      expect(valueToXml('x', { a: 1, z: 2 }, 0, shape(['a', 'a']))).toBe(lines('<x>', '  <a>1</a>', '  <z>2</z>', '</x>'));
    });
  });

  it('gives the same markup as UTF-8 bytes (valueToUtf8Xml, for the writer), ASCII as it is', () => {
    const value = { name: 'Søren – “Café” 😀', plain: 'Acme & Sons', nested: [{ note: '€5' }] };
    const utf8 = valueToUtf8Xml('x', value, 1);
    expect(Buffer.from(utf8, 'latin1').toString('utf8')).toBe(valueToXml('x', value, 1));
    expect(valueToUtf8Xml('x', { plain: 'Acme & Sons' }, 0)).toBe(valueToXml('x', { plain: 'Acme & Sons' }, 0));
    expect(toUtf8Xml('<a>é</a>')).toBe('<a>\u00C3\u00A9</a>');
  });

  it('writes a whole document with the declaration and namespaces', () => {
    expect(documentToXml('Batches', [['Batch', { id: 1 }]])).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<Batches xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n  <Batch>\n    <id>1</id>\n  </Batch>\n</Batches>\n',
    );
  });
});
