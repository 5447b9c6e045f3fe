// The one rule for output file names (outputFile, successFile, failFile): a bare name that stays in
// its outbox folder and behaves on Windows. Tasks check their names while parsing settings, before any
// request; the outbox checks again when it creates the file.
import { DropwiseError } from '../errors.js';
import { fitName } from '../fs/name-length.js';

const MAX_NAME_LENGTH = 200;
/** Within the file systems' 255 bytes, with room for the ` (2)` of a name already taken. */
const MAX_NAME_BYTES = 240;
/** Room left after a base name derived from an input for the longest suffix a task adds (`_success.xml`). */
const SUFFIX_ROOM = 16;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `name` is not allowed as an output file name; undefined when it is. */
export function outputNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'it is empty';
  if (name.length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `it is longer than ${MAX_NAME_BYTES} bytes in UTF-8`;
  if (CONTROL.test(name)) return 'it contains control characters';
  if (/[\\/]/.test(name)) return 'it contains a path separator';
  if (name.includes(':')) return 'it contains a drive letter or a colon';
  // With no separator, ".." can only escape the folder as the whole name; `a..b.xml` is a plain name.
  if (name === '.' || name === '..') return 'it names a folder, not a file';
  if (/[<>"|?*]/.test(name)) return 'it contains a character Windows does not allow (< > " | ? *)';
  if (/[. ]$/.test(name)) return 'it ends with a dot or a space';
  if (WINDOWS_RESERVED.test(name)) return 'it is a reserved device name on Windows';
  return undefined;
}

/**
 * An input's base name (`baseName`) made usable as the start of its default output names
 * (`<base>_success.xml`): the characters an output name may not have become `_`, and a long one is
 * shortened to leave room for a suffix of up to 16 characters. An input the inbox accepted (up to 255
 * bytes, `<>"|?*` on Linux) must not fail because of the names of its outputs.
 */
export function usableOutputBase(base: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = base.replace(/[\u0000-\u001f\u007f<>"|?*:\\/]/g, '_');
  // Bytes are never fewer than UTF-16 units, so this keeps both limits.
  return fitName(plain, MAX_NAME_LENGTH - SUFFIX_ROOM);
}

/** Refuses names that could leave the folder or misbehave on Windows; DW_OUTPUT_PATH says why. */
export function checkOutputName(name: string): void {
  const why = outputNameProblem(name);
  if (why === undefined) return;
  throw new DropwiseError('DW_OUTPUT_PATH', `The output file name ${JSON.stringify(name)} is not allowed: ${why}`, {
    hint: 'Use a plain file name such as invoices.xml (outputFile, successFile or failFile setting)',
  });
}
