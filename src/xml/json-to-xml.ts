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

/** An element name safe for XML: JSON keys can hold characters element names cannot. */
export function elementName(key: string): string {
  const name = key.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

const pad = (depth: number) => '  '.repeat(depth);

/**
 * Appends `<name>value</name>` to `out`, indented two spaces per level as the seed samples are.
 * `undefined` values are skipped: ConnectWise omits null fields, and what is absent stays absent.
 */
export function appendElement(out: string[], key: string, value: unknown, depth: number): void {
  if (value === undefined) return;
  const name = elementName(key);
  if (value === null) {
    out.push(`${pad(depth)}<${name} xsi:nil="true" />\n`);
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`${pad(depth)}<${name} />\n`);
      return;
    }
    out.push(`${pad(depth)}<${name}>\n`);
    const item = singularName(name);
    for (const v of value) appendElement(out, item, v, depth + 1);
    out.push(`${pad(depth)}</${name}>\n`);
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) {
      out.push(`${pad(depth)}<${name} />\n`);
      return;
    }
    out.push(`${pad(depth)}<${name}>\n`);
    for (const [k, v] of entries) appendElement(out, k, v, depth + 1);
    out.push(`${pad(depth)}</${name}>\n`);
  } else {
    const text = typeof value === 'string' ? value : String(value);
    out.push(text === '' ? `${pad(depth)}<${name} />\n` : `${pad(depth)}<${name}>${escapeText(text)}</${name}>\n`);
  }
}

/** One element as text; `depth` is its indentation level. */
export function elementToXml(name: string, value: unknown, depth = 1): string {
  const out: string[] = [];
  appendElement(out, name, value, depth);
  return out.join('');
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

export function rootOpenTag(root: string): string {
  return `<${root} xmlns:xsi="${XSI_NS}" xmlns:xsd="${XSD_NS}">\n`;
}

/** A whole document in memory: for small documents and as the reference the streaming writer is checked against. */
export function documentToXml(root: string, records: Iterable<[string, unknown]>): string {
  const out: string[] = [XML_DECLARATION, rootOpenTag(root)];
  for (const [name, value] of records) appendElement(out, name, value, 1);
  out.push(`</${root}>\n`);
  return out.join('');
}
