// Reading back a fail file an import wrote (each record as it came in plus its <errors>), and the
// other way round: records put back under the input's root element make a new input file. The
// dashboard's "retry only the failed records" goes through here, so only tasks read or write XML.
import { elementToXml, readRecords, type XmlElement } from '../xml/reader.js';
import { XML_DECLARATION, rootOpenTag } from '../xml/json-to-xml.js';
import type { FailedRecordRead } from './types.js';

export type RecordKeys = (element: XmlElement) => Pick<FailedRecordRead, 'invoiceId' | 'externalId'>;

export async function* readFailFile(file: string, root: string, keys: RecordKeys): AsyncGenerator<FailedRecordRead> {
  for await (const { index, element } of readRecords(file, { expectRoot: root })) {
    const errorsElement = element.children.find((c) => c.name === 'errors');
    const asItCame: XmlElement = { ...element, children: element.children.filter((c) => c !== errorsElement) };
    const errors = (errorsElement ? errorsElement.children : []).map((e) => {
      const field = (name: string) => {
        const child = e.children.find((c) => c.name === name);
        return child ? child.text.trim() : undefined;
      };
      const httpStatus = Number(field('httpStatus'));
      const entryField = field('field');
      return {
        code: field('code') ?? 'DW_INTERNAL',
        message: field('message') ?? '',
        ...(entryField ? { field: entryField } : {}),
        ...(Number.isInteger(httpStatus) && httpStatus > 0 ? { httpStatus } : {}),
      };
    });
    yield { index, record: elementToXml(asItCame, 1), ...keys(asItCame), errors };
  }
}

/** A new input file of these records (as readFailFile gave them) under `root`. */
export function inputOfRecords(root: string, records: string[]): string {
  return `${XML_DECLARATION}${rootOpenTag(root)}${records.join('')}</${root}>\n`;
}

/** The trimmed text of the child at a slash path (`invoice/id`), if there is one. */
export function childText(element: XmlElement, slashPath: string): string | undefined {
  let at: XmlElement | undefined = element;
  for (const name of slashPath.split('/')) at = at ? at.children.find((c) => c.name === name) : undefined;
  const text = at ? at.text.trim() : '';
  return text === '' ? undefined : text;
}
