// ConnectWise JSON → the Zynk-style XML of the seed samples: camelCase names as elements, null as
// xsi:nil, empty strings as empty elements, nested objects as nested elements, arrays as a container
// of singular items (customers/customer, detail/detailItem). Built as strings: fast and flat.
import { escapeText } from './escape.js';

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

declare const UTF8_XML: unique symbol;

/**
 * XML text held as its UTF-8 bytes, a character per byte: what the document writer collects and writes
 * (encoding 'latin1', a plain copy). V8 keeps a string at one byte per character only while every
 * character in it is below U+0100: one dash or curly quote in a record made the whole 64 KB chunk it
 * fell in a two-byte string, five times as dear to write. A 286 MB GL export with a dash and curly
 * quotes in every transaction took 8.4-10.1 s and 156-175 MB that way, 6.1-7.4 s and 117-129 MB now.
 */
export type Utf8Xml = string & { readonly [UTF8_XML]: true };

// Anything past U+007F, which UTF-8 writes as more than one byte.
const NON_ASCII = /[\u0080-\uFFFF]/;

/** `xml` as Utf8Xml: ASCII is its own UTF-8, anything else goes through a Buffer. */
export function toUtf8Xml(xml: string): Utf8Xml {
  return (NON_ASCII.test(xml) ? Buffer.from(xml, 'utf8').toString('latin1') : xml) as Utf8Xml;
}

/** How an escaped text value enters the markup: as it is (valueToXml), or as its UTF-8 bytes (valueToUtf8Xml). */
type TextForm = (escaped: string) => string;
const AS_TEXT: TextForm = (escaped) => escaped;
const AS_UTF8: TextForm = toUtf8Xml;

/** The element name of one item of an array: customers → customer, entries → entry, detail → detailItem. */
export function singularName(container: string): string {
  if (/[^aeiou]ies$/.test(container)) return `${container.slice(0, -3)}y`;
  if (/(ches|shes|sses|xes)$/.test(container)) return container.slice(0, -2);
  if (container.length > 1 && container.endsWith('s') && !container.endsWith('ss')) return container.slice(0, -1);
  return `${container}Item`;
}

/** An element name safe for XML: JSON keys can hold characters element names cannot. */
export function elementName(key: string): string {
  return tagsOf(key).name;
}

/** The markup of one element name, built once per JSON key (records repeat the same few hundred keys). */
export interface Tags {
  /** The JSON key these tags are of. */
  readonly key: string;
  readonly name: string;
  /** `</name>` and the line's end, after a text. */
  readonly close: string;
  /** `close` as bytes, for the transcoder. */
  readonly closeBytes: Uint8Array;
  /** The lines of this element at each depth, indented, built on first use. */
  readonly at: Lines[];
  /** The tags of one item when this element holds an array (singularName), looked up on first use. */
  item?: Tags;
}

/** One element's markup at one depth, indent included: most elements are written with one or two `+`. */
interface Lines {
  /** `  <name>`, a text follows. */
  readonly open: string;
  /** `  <name>` and the line's end, children follow. */
  readonly openLine: string;
  /** `  </name>` and the line's end, after children. */
  readonly closeLine: string;
  /** `  <name />` and the line's end. */
  readonly empty: string;
  /** `  <name xsi:nil="true" />` and the line's end. */
  readonly nil: string;
  /** The same as bytes, for the transcoder (json-transcoder.ts), made on first use. */
  bytes?: LineBytes;
}

/** Lines as bytes (element names are ASCII). */
export interface LineBytes {
  readonly open: Uint8Array;
  readonly openLine: Uint8Array;
  readonly closeLine: Uint8Array;
  readonly empty: Uint8Array;
  readonly nil: Uint8Array;
}

const TAGS_CACHE_LIMIT = 10_000;
const tagsByKey = new Map<string, Tags>();

export function tagsOf(key: string): Tags {
  let tags = tagsByKey.get(key);
  if (tags === undefined) {
    const safe = key.replace(/[^A-Za-z0-9_.-]/g, '_');
    const name = /^[A-Za-z_]/.test(safe) ? safe : `_${safe}`;
    const close = `</${name}>\n`;
    tags = { key, name, close, closeBytes: Buffer.from(close, 'latin1'), at: [] };
    // Keys come from the data: a hostile body with endless distinct keys must not grow this forever.
    if (tagsByKey.size < TAGS_CACHE_LIMIT) tagsByKey.set(key, tags);
  }
  return tags;
}

function linesOf(tags: Tags, depth: number): Lines {
  let lines = tags.at[depth];
  if (lines === undefined) {
    const indent = '  '.repeat(depth);
    const name = tags.name;
    lines = { open: `${indent}<${name}>`, openLine: `${indent}<${name}>\n`, closeLine: `${indent}</${name}>\n`, empty: `${indent}<${name} />\n`, nil: `${indent}<${name} xsi:nil="true" />\n` };
    tags.at[depth] = lines;
  }
  return lines;
}

export function lineBytesOf(tags: Tags, depth: number): LineBytes {
  const lines = linesOf(tags, depth);
  return (lines.bytes ??= {
    open: Buffer.from(lines.open, 'latin1'),
    openLine: Buffer.from(lines.openLine, 'latin1'),
    closeLine: Buffer.from(lines.closeLine, 'latin1'),
    empty: Buffer.from(lines.empty, 'latin1'),
    nil: Buffer.from(lines.nil, 'latin1'),
  });
}

export function itemTags(tags: Tags): Tags {
  return (tags.item ??= tagsOf(singularName(tags.name)));
}

/**
 * How one object is written when its schema is known (the task builds it; this layer knows no
 * schema): its properties in `order`, those in `nil` written as `<x xsi:nil="true" />` when absent or
 * null, the others left out then; `children` shapes a nested object or the items of an array.
 * Properties the shape does not know follow in the object's own order.
 */
export interface XmlShape {
  readonly order: readonly string[];
  /** The names in `order`, to find the object's other properties without a set per object. */
  readonly known: ReadonlySet<string>;
  readonly nil: ReadonlySet<string>;
  readonly children: Readonly<Record<string, XmlShape>>;
}

function hasDefinedValue(obj: Record<string, unknown>): boolean {
  for (const k in obj) if (obj[k] !== undefined) return true;
  return false;
}

/**
 * `<name>value</name>` for the JSON key of `tags`, indented two spaces per level as the seed samples
 * are. With a `shape`, an object's properties are written as the shape says (see XmlShape).
 * `undefined` values are skipped: ConnectWise omits null fields, and what is absent stays absent.
 * The hot path of every export. A profile of the GL export had array joins and template literals per
 * field as its largest cost after JSON.parse: the markup is now built once per key and depth
 * (Lines), and a record is one string grown with +=, which V8 keeps as a rope until it is written.
 */
function render(tags: Tags, value: unknown, depth: number, shape: XmlShape | undefined, form: TextForm): string {
  const lines = linesOf(tags, depth);
  if (typeof value === 'string') return value === '' ? lines.empty : lines.open + form(escapeText(value)) + tags.close;
  if (typeof value === 'number' || typeof value === 'boolean') return lines.open + String(value) + tags.close;
  if (value === null) return lines.nil;
  if (Array.isArray(value)) {
    if (value.length === 0) return lines.empty;
    const item = itemTags(tags);
    let xml = lines.openLine;
    for (const v of value) if (v !== undefined) xml += render(item, v, depth + 1, shape, form);
    return xml + lines.closeLine;
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (!hasDefinedValue(obj)) return lines.empty;
    let xml = lines.openLine;
    if (shape === undefined) {
      for (const k in obj) if (obj[k] !== undefined) xml += render(tagsOf(k), obj[k], depth + 1, undefined, form);
    } else {
      xml += renderShaped(obj, depth + 1, shape, form);
    }
    return xml + lines.closeLine;
  }
  const text = String(value);
  return text === '' ? lines.empty : lines.open + form(escapeText(text)) + tags.close;
}

/** One property of a shape, looked up once per shape instead of once per record. */
export interface ShapedField {
  readonly key: string;
  readonly tags: Tags;
  readonly nil: boolean;
  readonly child: XmlShape | undefined;
}

const fieldsByShape = new WeakMap<XmlShape, readonly ShapedField[]>();

export function fieldsOf(shape: XmlShape): readonly ShapedField[] {
  let fields = fieldsByShape.get(shape);
  if (fields === undefined) {
    // Each name once: renderShaped counts the properties it wrote against the object's keys.
    fields = [...new Set(shape.order)].map((key) => ({ key, tags: tagsOf(key), nil: shape.nil.has(key), child: shape.children[key] }));
    fieldsByShape.set(shape, fields);
  }
  return fields;
}

function renderShaped(obj: Record<string, unknown>, depth: number, shape: XmlShape, form: TextForm): string {
  let xml = '';
  let present = 0;
  for (const field of fieldsOf(shape)) {
    const v = obj[field.key];
    if (v !== undefined) present++;
    if (v === undefined || v === null) {
      if (field.nil) xml += linesOf(field.tags, depth).nil;
    } else {
      xml += render(field.tags, v, depth, field.child, form);
    }
  }
  // Properties the shape does not know are rare: a plain object (JSON.parse's, a spread's: every
  // property its own) with no more keys than the properties written holds none, and the walk over its
  // keys with a set lookup each is skipped (with fieldsOf, rendering GL records went from 356 to 297
  // ms per 20,000). Any other object is walked: an inherited property would count without being a key.
  if (Object.getPrototypeOf(obj) === Object.prototype && Object.keys(obj).length === present) return xml;
  for (const k in obj) if (!shape.known.has(k) && obj[k] !== undefined) xml += render(tagsOf(k), obj[k], depth, undefined, form);
  return xml;
}

/** A JSON value as one element named `name`, as text; `depth` is its indentation level (reader.ts elementToXml writes a parsed XmlElement back). */
export function valueToXml(name: string, value: unknown, depth = 1, shape?: XmlShape): string {
  return value === undefined ? '' : render(tagsOf(name), value, depth, shape, AS_TEXT);
}

/** valueToXml as Utf8Xml, for the document writer: each text value is made UTF-8 bytes before it joins the markup. */
export function valueToUtf8Xml(name: string, value: unknown, depth = 1, shape?: XmlShape): Utf8Xml {
  return (value === undefined ? '' : render(tagsOf(name), value, depth, shape, AS_UTF8)) as Utf8Xml;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

export function rootOpenTag(root: string): string {
  return `<${root} xmlns:xsi="${XSI_NS}" xmlns:xsd="${XSD_NS}">\n`;
}
