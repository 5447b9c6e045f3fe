// Documents are read in the encoding they declare (byte order mark, first bytes, encoding="…"), from
// real bytes on disk, and bytes that are not text in it are refused with their offset and line.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectEncoding } from '../../src/xml/encoding.js';
import { elementToValue, readRecords } from '../../src/xml/reader.js';
import { sniffDocument } from '../../src/xml/root-element.js';
import { makeTempDirSync } from '../support/temp-dir.js';

const dir = makeTempDirSync('dw-encoding-');
let n = 0;
function fileOf(bytes: Buffer): string {
  const file = path.join(dir, `f${++n}.xml`);
  fs.writeFileSync(file, bytes);
  return file;
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] as number, le[i] as number];
  return le;
}

async function ids(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const { element } of readRecords(file, { expectRoot: 'R' })) out.push((elementToValue(element) as { id: string }).id);
  return out;
}

const body = (declaration: string) => `${declaration}\n<R>\n  <r><id>Kø-1</id></r>\n  <r><id>Kæ-1</id></r>\n  <r><id>€ “x” Ω 😀</id></r>\n</R>\n`;
const EXPECTED = ['Kø-1', 'Kæ-1', '€ “x” Ω 😀'];

describe('reading a document in its own encoding', () => {
  it.each([
    ['UTF-8 without a declaration', Buffer.from(body(''), 'utf8'), EXPECTED],
    ['UTF-8 with a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body('<?xml version="1.0" encoding="UTF-8"?>'))]), EXPECTED],
    ['UTF-16 LE with a byte order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body('<?xml version="1.0" encoding="UTF-16"?>'), 'utf16le')]), EXPECTED],
    ['UTF-16 BE with a byte order mark', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(body('<?xml version="1.0" encoding="utf-16"?>'))]), EXPECTED],
    ['UTF-16 LE without a byte order mark', Buffer.from(body('<?xml version="1.0" encoding="UTF-16LE"?>'), 'utf16le'), EXPECTED],
    ['ISO-8859-1', Buffer.from(body("<?xml version='1.0' encoding='ISO-8859-1'?>").replace('€ “x” Ω 😀', 'x'), 'latin1'), ['Kø-1', 'Kæ-1', 'x']],
    // 0x80 and 0x93/0x94: the euro sign and curly quotes of Windows-1252.
    ['Windows-1252', Buffer.concat([Buffer.from('<?xml version="1.0" encoding="windows-1252"?><R><r><id>K\xf8-1</id></r><r><id>', 'latin1'), Buffer.from([0x80, 0x20, 0x93, 0x78, 0x94]), Buffer.from('</id></r></R>')]), ['Kø-1', '€ “x”']],
  ])('%s', async (_, bytes, expected) => {
    expect(await ids(fileOf(bytes))).toEqual(expected);
    expect(await sniffDocument(fileOf(bytes))).toEqual({ kind: 'xml', root: 'R' });
  });

  it('keeps characters whole across chunk boundaries (a file much larger than one read)', async () => {
    const records = Array.from({ length: 40_000 }, (_, i) => `<r><id>ø${i}😀</id></r>\n`).join('');
    for (const bytes of [Buffer.from(`<R>${records}</R>`), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<R>${records}</R>`, 'utf16le')])]) {
      const read = await ids(fileOf(bytes));
      expect(read).toHaveLength(40_000);
      expect(read[39_999]).toBe('ø39999😀');
      expect(read.every((id, i) => id === `ø${i}😀`)).toBe(true);
    }
  });
});

describe('refusing bytes that are not text in the encoding', () => {
  const utf8WithBadByte = Buffer.concat([Buffer.from('<?xml version="1.0"?>\n<R>\n  <r><id>K'), Buffer.from([0xf8]), Buffer.from('-1</id></r>\n</R>\n')]);
  it.each([
    ['a Latin-1 byte in a UTF-8 file', utf8WithBadByte, 'not valid UTF-8 at byte 36 (line 3)'],
    ['a UTF-8 character cut off by the end of the file', Buffer.concat([Buffer.from('<R><r><id>x</id></r></R>'), Buffer.from([0xe2, 0x82])]), 'not valid UTF-8 at byte 24 (line 1): the file ends inside'],
    ['a lone surrogate in UTF-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<R>\n<r><id>', 'utf16le'), Buffer.from([0x00, 0xdc]), Buffer.from('</id></r></R>', 'utf16le')]), 'not valid UTF-16LE at byte 24 (line 2)'],
    ['a byte Windows-1252 leaves undefined', Buffer.concat([Buffer.from('<?xml version="1.0" encoding="cp1252"?>\n<R><r><id>'), Buffer.from([0x81]), Buffer.from('</id></r></R>')]), 'not valid WINDOWS-1252 at byte 50 (line 2): byte 0x81'],
    ['a declared encoding dropwise does not read', Buffer.from('<?xml version="1.0" encoding="Shift_JIS"?><R/>'), 'declares encoding="shift_jis", which dropwise does not read'],
    ['a UTF-16 declaration on single-byte text', Buffer.from('<?xml version="1.0" encoding="UTF-16"?><R/>'), 'declares encoding="utf-16" but is not UTF-16'],
  ])('%s', async (_, bytes, message) => {
    const file = fileOf(bytes);
    await expect(ids(file)).rejects.toMatchObject({ code: 'DW_XML_ENCODING', message: expect.stringContaining(message) as string });
  });

  it('the root element sniff refuses them too, when they are within its first bytes', async () => {
    const bytes = Buffer.concat([Buffer.from('<?xml version="1.0"?><R'), Buffer.from([0xc3, 0x28]), Buffer.from('/>')]);
    await expect(sniffDocument(fileOf(bytes))).rejects.toMatchObject({ code: 'DW_XML_ENCODING' });
  });

  it('detects from the first bytes alone', () => {
    expect(detectEncoding(Buffer.from('<R/>'))).toEqual({ encoding: 'utf-8', bomLength: 0 });
    expect(detectEncoding(Buffer.from('<?xml version="1.0" encoding="latin1"?>'))).toEqual({ encoding: 'windows-1252', bomLength: 0 });
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0x00, 0x3c]))).toEqual({ encoding: 'utf-16be', bomLength: 2 });
  });
});
