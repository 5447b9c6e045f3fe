// Routing needs only the name of a document's root element: read the first start tag and stop.
import fs from 'node:fs/promises';
import { SaxesParser } from 'saxes';
import { DropwiseError } from '../errors.js';

export type DocumentKind = { kind: 'xml'; root: string } | { kind: 'json' };

const SNIFF_BYTES = 64 * 1024;

/** Finds the root element of an XML file (or tells a JSON document) from its first bytes. */
export async function sniffDocument(file: string): Promise<DocumentKind> {
  const handle = await fs.open(file, 'r');
  let text: string;
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    text = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await handle.close();
  }
  if (text.trim() === '') {
    throw new DropwiseError('DW_FILE_EMPTY', 'The file is empty', { hint: 'Check the program that wrote it; an empty file has nothing to process' });
  }
  if (/^\s*[[{]/.test(text)) return { kind: 'json' };

  let root: string | undefined;
  const parser = new SaxesParser();
  parser.on('doctype', () => {
    throw new DropwiseError('DW_XML_UNSAFE', 'The file declares a DOCTYPE; dropwise does not accept DTDs or custom entities', {
      hint: 'Remove the <!DOCTYPE …> declaration; the file formats need none',
    });
  });
  parser.on('opentag', (tag) => {
    root = tag.name;
    throw STOP;
  });
  try {
    parser.write(text);
  } catch (err) {
    if (err !== STOP) {
      if (err instanceof DropwiseError) throw err;
      throw new DropwiseError('DW_XML_MALFORMED', `The file is not well-formed XML: ${(err as Error).message.replace(/^[^:]*:\d+:\d+: /, '')}`, {
        hint: 'Check that the file is complete, well-formed XML (an XML editor or validator shows the exact place)',
      });
    }
  }
  if (root === undefined) {
    throw new DropwiseError('DW_XML_MALFORMED', 'The file is not XML: no root element was found at its start', {
      hint: 'dropwise takes XML documents (and JSON task requests); check what was copied into the inbox',
    });
  }
  return { kind: 'xml', root };
}

const STOP = Symbol('stop');
