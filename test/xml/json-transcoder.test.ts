import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportShape } from '../../src/tasks/connectwise/schema/export-shapes.js';
import { singularName, valueToUtf8Xml, type XmlShape } from '../../src/xml/json-to-xml.js';
import { JsonXmlTranscoder, type ByteChunk, type Overrides } from '../../src/xml/json-transcoder.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'tasks', 'connectwise', 'gl', 'fixtures');

function chunk(size = 16): ByteChunk {
  return {
    buf: Buffer.alloc(size),
    length: 0,
    reserve(bytes) {
      if (this.length + bytes <= this.buf.length) return;
      const grown = Buffer.alloc(Math.max(2 * this.buf.length, this.length + bytes));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    },
  };
}

const shapeOf = (order: string[], nil: string[] = [], children: Record<string, XmlShape> = {}): XmlShape => ({ order, known: new Set(order), nil: new Set(nil), children });

/** What the transcoder wrote for `json` (UTF-8 bytes as latin1), or undefined when it gave up; the object path's answer beside it. */
function both(json: string | Buffer, shape?: XmlShape, depth = 2, name = 'record'): { got: string | undefined; want: string | undefined } {
  const bytes = typeof json === 'string' ? Buffer.from(json) : json;
  // Some bytes before and after: the record is a span of a larger chunk, as the reader hands it over.
  const padded = Buffer.concat([Buffer.from('[1,'), bytes, Buffer.from(',2]')]);
  const out = chunk();
  out.buf.write('prefix', 'latin1');
  out.length = 6;
  const picked = new JsonXmlTranscoder().transcode(name, padded, 3, 3 + bytes.length, depth, shape, out);
  const got = picked === undefined ? undefined : out.buf.toString('latin1', 6, out.length);
  if (picked === undefined) expect(out.length, 'gave up, wrote nothing').toBe(6);
  let want: string | undefined;
  try {
    want = valueToUtf8Xml(name, JSON.parse(bytes.toString('utf8')), depth, shape);
  } catch {
    want = undefined;
  }
  return { got, want };
}

/** A seeded generator of JSON text with everything the transcoder has to get right, or give up on. */
function generator(seed: number) {
  let s = seed;
  const rand = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
  const pieces = ['a', 'Z', ' ', '&', '<', '>', '"', "'", '\\n', '\\r', '\\t', '\\b', '\\f', '\\"', '\\\\', '\\/', '\\u00e9', '\\u0001', '\\u2028', '\\u0026', '\\uFFFE', '\\uD83D\\uDE00', 'é', '–', '€', '😀', '\u00a0', '\u007f'];
  const numbers = ['0', '-0', '7', '-12', '1.5', '1.50', '0.000001', '0.0000001', '1e5', '2E-3', '123456789012345', '1234567890123456789', '0.1', '-0.25', '99.99', '3.0', '1.23456789012345678'];
  const keys = ['id', 'name', 'amount', 'memo', 'detail', 'other', 'x-y', '9lives', 'a b', 'flag'];
  const str = (): string => `"${Array.from({ length: rand(5) }, () => pick(pieces)).join('')}"`;
  const value = (depth: number): string => {
    const kind = rand(depth > 3 ? 5 : 8);
    if (kind === 0) return str();
    if (kind === 1) return pick(numbers);
    if (kind === 2) return pick(['true', 'false']);
    if (kind === 3) return 'null';
    if (kind === 4) return str();
    if (kind === 5) return `[${Array.from({ length: rand(4) }, () => value(depth + 1)).join(',')}]`;
    const members = Array.from({ length: rand(6) }, () => `${rand(9) === 0 ? ' ' : ''}"${pick(keys)}":${rand(9) === 0 ? ' ' : ''}${value(depth + 1)}`);
    return `{${members.join(',')}}`;
  };
  return { value: () => value(0) };
}

describe('JsonXmlTranscoder', () => {
  it('writes byte for byte what valueToUtf8Xml writes for the parsed record, or gives up having written nothing (4,000 generated records)', () => {
    const detail = shapeOf(['id', 'amount', 'flag'], ['amount', 'flag']);
    const shape = shapeOf(['id', 'amount', 'memo', 'detail', 'flag', 'missing'], ['amount', 'flag', 'missing'], { detail });
    const gen = generator(18);
    let taken = 0;
    for (let n = 0; n < 4000; n++) {
      const json = gen.value();
      for (const s of [shape, undefined]) {
        const { got, want } = both(json, s);
        if (got !== undefined) {
          taken++;
          expect(got, json).toBe(want);
        }
      }
    }
    // Most records are taken the fast way; the rest (a key twice, an escaped surrogate…) fall back.
    expect(taken).toBeGreaterThan(4000);
  });

  it('takes every record of seed 002\'s GL exports, shaped as the export shapes them', () => {
    const shape = exportShape('GLExport', 'schema');
    for (const name of ['invoices', 'procurement']) {
      const doc = JSON.parse(fs.readFileSync(path.join(fixtures, `seed-002-${name}.json`), 'utf8')) as Record<string, unknown>;
      for (const [container, records] of Object.entries(doc)) {
        if (!Array.isArray(records)) continue;
        for (const record of records) {
          const { got, want } = both(JSON.stringify(record), shape?.children[container], 2, singularName(container));
          expect(got).toBeDefined();
          expect(got).toBe(want);
        }
      }
    }
  });

  it('writes text past ASCII as its UTF-8 bytes and escapes as escapeText does', () => {
    const { got } = both('{"memo":"Søren – “Q4” & <b> \\r\\n\\u0001 😀"}');
    expect(Buffer.from(got ?? '', 'latin1').toString('utf8')).toBe('    <record>\n      <memo>Søren – “Q4” &amp; &lt;b&gt; &#13;\n\uFFFD 😀</memo>\n    </record>\n');
  });

  it('writes numbers as String() of the parsed number: 1.50 → 1.5, -0 → 0, 1e5 → 100000, 0.0000001 → 1e-7', () => {
    for (const [json, text] of [['1.50', '1.5'], ['-0', '0'], ['1e5', '100000'], ['0.0000001', '1e-7'], ['1234567890123456789', '1234567890123456800'], ['0.000001', '0.000001'], ['-12.25', '-12.25']]) {
      expect(both(`{"n":${json}}`).got).toContain(`<n>${text}</n>`);
    }
  });

  it.each([
    ['a trailing comma', '{"a":1,}'],
    ['a missing colon', '{"a" 1}'],
    ['a control character in a string', '{"a":"x\ty"}'],
    ['a byte that is not UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
    ['a surrogate written in UTF-8', Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])],
    ['U+FFFE', Buffer.from([0x22, 0xef, 0xbf, 0xbe, 0x22])],
    ['an escaped surrogate', '"\\ud83d\\ude00"'],
    ['a key given twice', '{"a":1,"a":2}'],
    ['a key of digits, which JSON.parse puts first', '{"b":1,"10":2}'],
    ['__proto__', '{"__proto__":1}'],
    ['a key with an escape', '{"\\u0061":1}'],
    ['a bad literal', '{"a":nul}'],
    ['a number with a leading zero', '{"a":01}'],
  ])('gives up on %s', (_what, json) => {
    expect(both(json).got).toBeUndefined();
  });

  it('hands back the picked properties of a top-level object, parsed, and nothing else', () => {
    const shape = shapeOf(['id', 'glEntryIds']);
    for (const s of [shape, undefined]) {
      const out = chunk();
      const raw = Buffer.from('{"id":7,"glEntryIds":"1010,1011","memo":"x","detail":[{"glEntryIds":"9"}]}');
      expect(new JsonXmlTranscoder().transcode('transaction', raw, 0, raw.length, 2, s, out, new Set(['glEntryIds', 'absent']))).toEqual({ glEntryIds: '1010,1011' });
    }
  });

  it('grows the chunk for a record larger than its room', () => {
    const record = { lines: Array.from({ length: 500 }, (_, i) => ({ id: i, text: `line ${i} & more` })) };
    const { got, want } = both(JSON.stringify(record));
    expect(got).toBe(want);
  });

  describe('overrides', () => {
    const shape = shapeOf(['id', 'company', 'site', 'memo'], ['memo'], { site: shapeOf(['id', 'name']) });
    const company = { id: 5, name: 'Contoso & Co', identifier: 'CON' };
    const target = { id: 9, name: 'Søren', _info: { x: '1' } };

    /** What the transcoder writes for `json` with `overrides` at depth 2 (`s` null: unshaped), or undefined when it gives up. */
    function withOverrides(json: string, overrides: Overrides, s: XmlShape | null = shape): string | undefined {
      const raw = Buffer.from(json);
      const out = chunk();
      const picked = new JsonXmlTranscoder().transcode('invoice', raw, 0, raw.length, 2, s ?? undefined, out, undefined, overrides);
      if (picked === undefined) expect(out.length, 'gave up, wrote nothing').toBe(0);
      return picked === undefined ? undefined : out.buf.toString('latin1', 0, out.length);
    }

    it('writes a whole element in place of a property: in the shape\'s order, among the others, or after them when absent', () => {
      const json = '{"memo":"m","extra":{"id":1},"id":3,"company":{"id":5}}';
      const parsed = JSON.parse(json) as Record<string, unknown>;
      const companyXml = valueToUtf8Xml('company', company, 3);
      const extraXml = valueToUtf8Xml('extra', { id: 1, record: target }, 3);
      const addedXml = valueToUtf8Xml('added', 'new', 3);
      const got = withOverrides(json, new Map([['company', companyXml], ['extra', extraXml], ['added', addedXml]]));
      expect(got).toBe(valueToUtf8Xml('invoice', { ...parsed, company, extra: { id: 1, record: target }, added: 'new' }, 2, shape));
      // A property of the shape the record lacks is written where the shape puts it.
      expect(withOverrides('{"id":3,"memo":"m"}', new Map([['company', companyXml]]))).toBe(valueToUtf8Xml('invoice', { id: 3, memo: 'm', company }, 2, shape));
    });

    it('adds a member at the end of a plain object from the bytes, as render writes the object with it', () => {
      const json = '{"id":3,"company":{"id":5,"name":"C"},"other":{"id":2}}';
      const parsed = JSON.parse(json) as Record<string, Record<string, unknown>>;
      const record = { key: 'record', xml: valueToUtf8Xml('record', target, 4) };
      expect(withOverrides(json, new Map([['company', record], ['other', record]]))).toBe(
        valueToUtf8Xml('invoice', { ...parsed, company: { ...parsed['company'], record: target }, other: { ...parsed['other'], record: target } }, 2, shape),
      );
    });

    const record = { key: 'record', xml: valueToUtf8Xml('record', target, 4) };
    it.each([
      ['an empty object to add to', '{"id":3,"company":{}}', 'company'],
      ['an object that has the key already', '{"id":3,"company":{"id":5,"record":1}}', 'company'],
      ['a null property', '{"id":3,"company":null}', 'company'],
      ['an absent property', '{"id":3}', 'company'],
      ['a property that is not an object', '{"id":3,"company":"x"}', 'company'],
      ['a shaped property', '{"id":3,"site":{"id":1}}', 'site'],
    ])('gives up on adding a member to %s', (_what, json, key) => {
      expect(withOverrides(json, new Map([[key, record]]))).toBeUndefined();
    });

    it('gives up on overrides of a record that is not a shaped object, or is empty', () => {
      const overrides = new Map([['company', valueToUtf8Xml('company', company, 3)]]);
      expect(withOverrides('{"id":3}', overrides, null)).toBeUndefined();
      expect(withOverrides('[1]', overrides)).toBeUndefined();
      expect(withOverrides('{}', overrides)).toBeUndefined();
      // Without overrides the same records are taken.
      expect(withOverrides('{}', new Map())).toBe(valueToUtf8Xml('invoice', {}, 2, shape));
    });
  });
});
