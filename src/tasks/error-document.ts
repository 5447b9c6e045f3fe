// The `.error.xml` written next to a file that failed as a whole (ARCHITECTURE §3): the same
// `<errors>` form as a fail file's per-record annotation. The agent gets the text from here, so it
// never builds XML itself.
import type { DropwiseError } from '../errors.js';
import { errorEntry, errorsToXml } from '../xml/errors-xml.js';
import { XML_DECLARATION } from '../xml/json-to-xml.js';

export function errorDocument(err: DropwiseError): string {
  return XML_DECLARATION + errorsToXml([errorEntry(err)], 0);
}
