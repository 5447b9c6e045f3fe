// A whole document in memory, from the same element writer: the reference the streaming writers
// (xml/writer.ts, the GL export's converter) are checked against.
import { XML_DECLARATION, rootOpenTag, valueToXml } from '../../src/xml/json-to-xml.js';

export function documentToXml(root: string, records: Iterable<[string, unknown]>): string {
  const out: string[] = [XML_DECLARATION, rootOpenTag(root)];
  for (const [name, value] of records) out.push(valueToXml(name, value, 1));
  out.push(`</${root}>\n`);
  return out.join('');
}
