// ConnectWise JSON → the Zynk-style XML of the seed samples: camelCase names as elements, null as
// xsi:nil, empty strings as empty elements, nested objects as nested elements, arrays as a container
// of singular items (customers/customer, detail/detailItem). Built as strings: fast and flat.
import { escapeText } from './escape.js';

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

/** The element name of one item of an array: customers → customer, entries → entry, detail → detailItem. */
export function singularName(container: string): string {
  if (/[^aeiou]ies$/.test(container)) return `${container.slice(0, -3)}y`;
  if (/(ches|shes|sses|xes)$/.test(container)) return container.slice(0, -2);
  if (container.length > 1 && container.endsWith('s') && !container.endsWith('ss')) return container.slice(0, -1);
  return `${container}Item`;
}

const NAME_CACHE_LIMIT = 10_000;
const names = new Map<string, string>();

/** An element name safe for XML: JSON keys can hold characters element names cannot. */
export function elementName(key: string): string {
  // Records repeat the same few hundred keys: remember their names instead of testing each time.
  let name = names.get(key);
  if (name === undefined) {
    const safe = key.replace(/[^A-Za-z0-9_.-]/g, '_');
    name = /^[A-Za-z_]/.test(safe) ? safe : `_${safe}`;
    if (names.size < NAME_CACHE_LIMIT) names.set(key, name);
  }
  return name;
}

const PADS = Array.from({ length: 64 }, (_, i) => '  '.repeat(i));
const pad = (depth: number) => PADS[depth] ?? '  '.repeat(depth);

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
 * Appends `<name>value</name>` to `out`, indented two spaces per level as the seed samples are.
 * `undefined` values are skipped: ConnectWise omits null fields, and what is absent stays absent.
 * With a `shape`, an object's properties are written as the shape says (see XmlShape).
 * (The hot path of every export: plain loops, no intermediate arrays.)
 */
export function appendElement(out: string[], key: string, value: unknown, depth: number, shape?: XmlShape): void {
  if (value === undefined) return;
  const name = elementName(key);
  const indent = pad(depth);
  if (value === null) {
    out.push(`${indent}<${name} xsi:nil="true" />\n`);
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`${indent}<${name} />\n`);
      return;
    }
    out.push(`${indent}<${name}>\n`);
    const item = singularName(name);
    for (const v of value) appendElement(out, item, v, depth + 1, shape);
    out.push(`${indent}</${name}>\n`);
  } else if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (!hasDefinedValue(obj)) {
      out.push(`${indent}<${name} />\n`);
      return;
    }
    out.push(`${indent}<${name}>\n`);
    if (shape === undefined) for (const k in obj) appendElement(out, k, obj[k], depth + 1);
    else appendShaped(out, obj, depth + 1, shape);
    out.push(`${indent}</${name}>\n`);
  } else {
    const text = typeof value === 'string' ? value : String(value);
    out.push(text === '' ? `${indent}<${name} />\n` : `${indent}<${name}>${escapeText(text)}</${name}>\n`);
  }
}

function appendShaped(out: string[], obj: Record<string, unknown>, depth: number, shape: XmlShape): void {
  for (const k of shape.order) {
    const v = obj[k];
    if (v === undefined || v === null) {
      if (shape.nil.has(k)) out.push(`${pad(depth)}<${elementName(k)} xsi:nil="true" />\n`);
    } else {
      appendElement(out, k, v, depth, shape.children[k]);
    }
  }
  for (const k in obj) if (!shape.known.has(k)) appendElement(out, k, obj[k], depth);
}

/** A JSON value as one element named `name`, as text; `depth` is its indentation level (reader.ts elementToXml writes a parsed XmlElement back). */
export function valueToXml(name: string, value: unknown, depth = 1, shape?: XmlShape): string {
  const out: string[] = [];
  appendElement(out, name, value, depth, shape);
  return out.join('');
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

export function rootOpenTag(root: string): string {
  return `<${root} xmlns:xsi="${XSI_NS}" xmlns:xsd="${XSD_NS}">\n`;
}
