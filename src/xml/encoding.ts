// Which encoding an XML document's bytes are in (its byte order mark, else its first bytes, else the
// XML declaration's encoding="…", else UTF-8: XML 1.0 appendix F), and decoding them strictly: a byte
// sequence that is not text in that encoding is refused with its byte offset and line, never turned
// into U+FFFD (two ISO-8859-1 ids `Kø-1` and `Kæ-1` would both become `K�-1`).
//
// Per encoding: UTF-8 and UTF-16 (LE/BE, with or without a byte order mark) are decoded as they are
// defined. ISO-8859-1 is decoded as Windows-1252, as every browser does (WHATWG): the legacy Windows
// programs that label their files ISO-8859-1 write Windows-1252, and the two differ only in 0x80–0x9F,
// C1 control codes in ISO-8859-1 that no such file means. The five bytes Windows-1252 leaves undefined
// (0x81 0x8D 0x8F 0x90 0x9D) are refused. US-ASCII refuses every byte from 0x80. Any other declared
// encoding is refused by name rather than guessed at.
import { TextDecoder } from 'node:util';
import { DropwiseError } from '../errors.js';

export type XmlEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'us-ascii';

/** Declared names (lower case) of the encodings read; ISO-8859-1's are read as Windows-1252 (see above). */
const LABELS: Readonly<Record<string, XmlEncoding>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'iso-8859-1': 'windows-1252',
  iso8859_1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  l1: 'windows-1252',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'x-cp1252': 'windows-1252',
  'us-ascii': 'us-ascii',
  ascii: 'us-ascii',
};
const UTF16_LABELS = new Set(['utf-16', 'utf-16le', 'utf-16be', 'utf16']);
const WINDOWS_1252_UNDEFINED = [0x81, 0x8d, 0x8f, 0x90, 0x9d];
/**
 * Windows-1252's characters for 0x80–0x9F (from 0xA0 on it is ISO-8859-1); the undefined bytes are
 * refused before this is used. Written out because Node 20's TextDecoder reads 'windows-1252' as ISO-8859-1.
 */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** How many of a document's first bytes detectEncoding wants (the XML declaration is shorter). */
export const DETECT_BYTES = 1024;

export interface DetectedEncoding {
  encoding: XmlEncoding;
  /** Bytes of byte order mark to skip. */
  bomLength: number;
}

function encodingError(message: string): DropwiseError {
  return new DropwiseError('DW_XML_ENCODING', message, {
    hint: 'Save the file in the encoding its XML declaration names (UTF-8, UTF-16, ISO-8859-1 or Windows-1252), or correct the declaration',
  });
}

function declaredEncoding(text: string): string | undefined {
  const m = /^<\?xml\s[^?>]*?\bencoding\s*=\s*(["'])([^"']*)\1/.exec(text);
  return m ? (m[2] as string).trim().toLowerCase() : undefined;
}

/** The encoding of a document from its first bytes (up to DETECT_BYTES of them). Throws DW_XML_ENCODING. */
export function detectEncoding(head: Buffer): DetectedEncoding {
  const b = (i: number) => head[i];
  let utf16: DetectedEncoding | undefined;
  if (b(0) === 0xff && b(1) === 0xfe) utf16 = { encoding: 'utf-16le', bomLength: 2 };
  else if (b(0) === 0xfe && b(1) === 0xff) utf16 = { encoding: 'utf-16be', bomLength: 2 };
  else if (b(0) === 0x3c && b(1) === 0x00 && b(2) === 0x3f && b(3) === 0x00) utf16 = { encoding: 'utf-16le', bomLength: 0 };
  else if (b(0) === 0x00 && b(1) === 0x3c && b(2) === 0x00 && b(3) === 0x3f) utf16 = { encoding: 'utf-16be', bomLength: 0 };
  if (utf16) {
    const body = head.subarray(utf16.bomLength);
    const declared = declaredEncoding(new TextDecoder(utf16.encoding).decode(body.subarray(0, body.length - (body.length % 2))));
    if (declared !== undefined && !UTF16_LABELS.has(declared)) throw encodingError(`The file is UTF-16 (by its first bytes) but declares encoding="${declared}"`);
    return utf16;
  }
  const bomLength = b(0) === 0xef && b(1) === 0xbb && b(2) === 0xbf ? 3 : 0;
  const declared = declaredEncoding(head.subarray(bomLength).toString('latin1'));
  if (declared === undefined) return { encoding: 'utf-8', bomLength };
  const encoding = LABELS[declared];
  if (UTF16_LABELS.has(declared)) throw encodingError(`The file declares encoding="${declared}" but is not UTF-16: it has no byte order mark and its first bytes are single-byte text`);
  if (encoding === undefined) throw encodingError(`The file declares encoding="${declared}", which dropwise does not read`);
  if (bomLength > 0 && encoding !== 'utf-8') throw encodingError(`The file starts with a UTF-8 byte order mark but declares encoding="${declared}"`);
  return { encoding, bomLength };
}

/**
 * Decodes a document chunk by chunk, strictly, splitting only between characters. Throws
 * DW_XML_ENCODING naming the byte offset (from the start of the file) and the line of the first byte
 * that is not text in the encoding.
 */
export class StrictDecoder {
  /** For UTF-8 and UTF-16; the single-byte encodings are decoded by hand. */
  private readonly decoder: TextDecoder | undefined;
  private carry: Buffer = Buffer.alloc(0);
  /** File offset of the first byte of `carry`. */
  private offset: number;
  private lines = 1;
  private toSkip: number;

  constructor(readonly detected: DetectedEncoding) {
    // The byte order mark is skipped here, so that decoded text and bytes stay in step.
    const multiByte = detected.encoding === 'utf-8' || detected.encoding === 'utf-16le' || detected.encoding === 'utf-16be';
    this.decoder = multiByte ? new TextDecoder(detected.encoding, { fatal: true, ignoreBOM: true }) : undefined;
    this.offset = detected.bomLength;
    this.toSkip = detected.bomLength;
  }

  write(chunk: Buffer): string {
    if (this.toSkip > 0) {
      const skipped = Math.min(this.toSkip, chunk.length);
      chunk = chunk.subarray(skipped);
      this.toSkip -= skipped;
    }
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const end = this.completeUpTo(bytes);
    this.carry = Buffer.from(bytes.subarray(end));
    return this.decodeComplete(bytes.subarray(0, end));
  }

  /** Whatever is left must be nothing: a character cut off by the end of the file is refused. */
  end(): string {
    if (this.carry.length > 0) throw this.invalidAt(this.offset, '', `the file ends inside a ${this.detected.encoding.toUpperCase()} character`);
    return '';
  }

  /** How many leading bytes of `bytes` hold whole characters (the rest waits for the next chunk). */
  private completeUpTo(bytes: Buffer): number {
    const n = bytes.length;
    if (this.detected.encoding === 'utf-8') {
      // Back to the start of the last character; keep it back if its bytes are not all here yet.
      for (let i = n - 1; i >= Math.max(0, n - 4); i--) {
        const byte = bytes[i] as number;
        if ((byte & 0xc0) === 0x80) continue;
        const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
        return i + need > n && byte < 0xf8 ? i : n;
      }
      return n;
    }
    if (this.detected.encoding === 'utf-16le' || this.detected.encoding === 'utf-16be') {
      let end = n - (n % 2);
      // A high surrogate at the end waits for its low half.
      const high = end >= 2 ? (this.detected.encoding === 'utf-16le' ? (bytes[end - 1] as number) : (bytes[end - 2] as number)) : 0;
      if (high >= 0xd8 && high <= 0xdb) end -= 2;
      return end;
    }
    return n;
  }

  private decodeComplete(bytes: Buffer): string {
    let text: string;
    if (this.decoder) {
      try {
        text = this.decoder.decode(bytes);
      } catch {
        throw this.locate(bytes);
      }
    } else {
      const bad = this.singleByteProblem(bytes);
      if (bad !== undefined) {
        const what = this.detected.encoding === 'us-ascii' ? 'US-ASCII' : 'a Windows-1252 character';
        throw this.invalidAt(this.offset + bad, bytes.subarray(0, bad).toString('latin1'), `byte 0x${(bytes[bad] as number).toString(16).toUpperCase()} is not ${what}`);
      }
      text = bytes.toString('latin1').replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] as string);
    }
    this.offset += bytes.length;
    this.lines += countLines(text);
    return text;
  }

  /** For the single-byte encodings, the first byte that is not a character of them. */
  private singleByteProblem(bytes: Buffer): number | undefined {
    if (this.detected.encoding === 'us-ascii') {
      const i = bytes.findIndex((byte) => byte >= 0x80);
      return i === -1 ? undefined : i;
    }
    if (this.detected.encoding !== 'windows-1252') return undefined;
    const found = WINDOWS_1252_UNDEFINED.map((byte) => bytes.indexOf(byte)).filter((i) => i !== -1);
    return found.length === 0 ? undefined : Math.min(...found);
  }

  /** Where in `bytes` (whole characters, the first of them at this.offset) the first invalid one starts. */
  private locate(bytes: Buffer): DropwiseError {
    const utf8 = this.detected.encoding === 'utf-8';
    const lenient = new TextDecoder(this.detected.encoding, { ignoreBOM: true }).decode(bytes);
    // The first U+FFFD that the bytes do not spell out themselves is where the decoding failed.
    for (let i = lenient.indexOf('\uFFFD'); i !== -1; i = lenient.indexOf('\uFFFD', i + 1)) {
      const prefix = lenient.slice(0, i);
      const at = utf8 ? Buffer.byteLength(prefix) : 2 * i;
      const spelled = utf8 ? bytes.subarray(at, at + 3).equals(Buffer.from([0xef, 0xbf, 0xbd])) : bytes.readUInt16LE(at) === (this.detected.encoding === 'utf-16le' ? 0xfffd : 0xfdff);
      if (!spelled) return this.invalidAt(this.offset + at, prefix, `the bytes there are not ${utf8 ? 'UTF-8' : 'UTF-16'}`);
    }
    return this.invalidAt(this.offset, '', `the bytes are not ${this.detected.encoding.toUpperCase()}`);
  }

  private invalidAt(fileOffset: number, textBefore: string, why: string): DropwiseError {
    const line = this.lines + countLines(textBefore);
    return encodingError(`The file is not valid ${this.detected.encoding.toUpperCase()} at byte ${fileOffset} (line ${line}): ${why}`);
  }
}

function countLines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
