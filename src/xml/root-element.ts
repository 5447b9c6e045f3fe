// Routing needs only the name of a document's root element: read the first start tag and stop.
import fs from 'node:fs/promises';
import { DropwiseError } from '../errors.js';
import { createSafeParser, emptyFileError, parserError } from './safe-parser.js';

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
  if (text.trim() === '') throw emptyFileError();
  if (/^\s*[[{]/.test(text)) return { kind: 'json' };

  let root: string | undefined;
  const parser = createSafeParser();
  parser.on('opentag', (tag) => {
    root = tag.name;
    throw STOP;
  });
  try {
    parser.write(text);
  } catch (err) {
    if (err !== STOP) throw parserError(err);
  }
  if (root === undefined) {
    throw new DropwiseError('DW_XML_MALFORMED', 'The file is not XML: no root element was found at its start', {
      hint: 'dropwise takes XML documents (and JSON task requests); check what was copied into the inbox',
    });
  }
  return { kind: 'xml', root };
}

const STOP = Symbol('stop');
