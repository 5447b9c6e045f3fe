// Routing needs only the name of a document's root element: read the first start tag and stop.
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import { DropwiseError } from '../errors.js';
import { NO_FOLLOW } from '../fs/entry-kind.js';
import { StrictDecoder, detectEncoding } from './encoding.js';
import { createSafeParser, emptyFileError, parserError } from './safe-parser.js';

export type DocumentKind = { kind: 'xml'; root: string } | { kind: 'json' };

const SNIFF_BYTES = 64 * 1024;

/** Finds the root element of an XML file (or tells a JSON document) from its first bytes. */
export async function sniffDocument(file: string): Promise<DocumentKind> {
  const handle = await fs.open(file, fsConstants.O_RDONLY | NO_FOLLOW);
  let head: Buffer;
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  // JSON (task requests) is UTF-8 by definition; XML is read in the encoding it declares.
  const start = head.toString('latin1').replace(/^\xEF\xBB\xBF/, '');
  if (start.trim() === '') throw emptyFileError();
  if (/^\s*[[{]/.test(start)) return { kind: 'json' };
  // Only whole characters: the decoder keeps back one cut off by the end of what was read.
  const text = new StrictDecoder(detectEncoding(head)).write(head);
  if (text.trim() === '') throw emptyFileError();

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
