// What reading and sniffing XML share: a saxes parser that refuses DOCTYPE (and with it every entity
// trick), and the errors a broken or empty file is reported with.
import type * as Saxes from 'saxes';
import { requireCommonJs } from '../commonjs.js';
import { DropwiseError } from '../errors.js';

const { SaxesParser } = requireCommonJs<typeof Saxes>('saxes');

const MALFORMED_HINT = 'Check that the file is complete, well-formed XML (an XML editor or validator shows the exact place)';

export function createSafeParser(): Saxes.SaxesParser {
  const parser = new SaxesParser({ position: true });
  parser.on('doctype', () => {
    throw new DropwiseError('DW_XML_UNSAFE', `The file declares a DOCTYPE (line ${parser.line}); dropwise does not accept DTDs or custom entities`, {
      hint: 'Remove the <!DOCTYPE …> declaration; the file formats need none',
    });
  });
  return parser;
}

export function emptyFileError(): DropwiseError {
  return new DropwiseError('DW_FILE_EMPTY', 'The file is empty', { hint: 'Check the program that wrote it; an empty file has nothing to process' });
}

export function malformedError(reason: string, line?: number): DropwiseError {
  return new DropwiseError('DW_XML_MALFORMED', `The file is not well-formed XML: ${reason}${line === undefined ? '' : ` (line ${line})`}`, { hint: MALFORMED_HINT });
}

/** Turns what saxes threw into a DropwiseError (saxes prefixes "file:line:col: "; only the reason is kept). */
export function parserError(err: unknown, line?: number): DropwiseError {
  if (err instanceof DropwiseError) return err;
  return malformedError((err as Error).message.replace(/^[^:]*:\d+:\d+: /, ''), line);
}
