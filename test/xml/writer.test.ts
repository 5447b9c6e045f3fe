import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { documentToXml } from '../support/xml-document.js';
import { valueToUtf8Xml } from '../../src/xml/json-to-xml.js';
import { XmlDocumentWriter } from '../../src/xml/writer.js';

/** A sink that is slow to drain: it exercises back-pressure, and records how much ever waited in its buffer. */
class SlowSink extends Writable {
  chunks: string[] = [];
  /** The most bytes the stream held at once, not yet written: a writer that ignores 'drain' piles the document up here. */
  maxBuffered = 0;
  constructor() {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error) => void): void {
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    setTimeout(() => {
      this.chunks.push(chunk.toString());
      done();
    }, 1);
  }
}

describe('XmlDocumentWriter', () => {
  it('streams the same bytes as the in-memory document, with a few chunks in flight at most', async () => {
    const records = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `Company <${i}> & sons`, flag: i % 2 === 0, amount: i * 1.5, tags: ['a', 'b'] }));
    const sink = new SlowSink();
    const writer = new XmlDocumentWriter(sink, 4096);
    await writer.start('Companies');
    for (const r of records) await writer.write('Company', r);
    await writer.end();
    await new Promise<void>((resolve) => sink.end(resolve));
    expect(sink.chunks.join('')).toBe(documentToXml('Companies', records.map((r) => ['Company', r] as [string, unknown])));
    expect(sink.writableLength).toBe(0);
    // Waiting for the write of the chunk eight back keeps at most eight chunks (4096 characters each,
    // plus the record that crossed it) in the stream; without the wait the whole document (~400 kB)
    // would pile up.
    expect(sink.chunks.join('').length).toBeGreaterThan(100_000);
    expect(sink.maxBuffered).toBeLessThan(9 * (4096 + 200));
  });

  it('fails with the stream\'s own error once a write fails (a full disk), and writes nothing more', async () => {
    let writes = 0;
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const sink = new Writable({
      highWaterMark: 1024,
      write: (_c: Buffer, _e, done) => (++writes === 3 ? done(full) : setTimeout(done, 1)),
    });
    sink.on('error', () => undefined);
    const writer = new XmlDocumentWriter(sink, 1024);
    await writer.start('Companies');
    let failed: unknown;
    let written = 0;
    try {
      for (; written < 10_000; written++) await writer.write('Company', { id: written, name: `Company ${written}` });
      await writer.end();
    } catch (err) {
      failed = err;
    }
    expect(failed).toBe(full);
    // It stopped within the chunks in flight (~13 records each), not at the end of the 10,000 records.
    expect(written).toBeLessThan(200);
  });

  it('writes text beyond ASCII as UTF-8, the bytes of the in-memory document', async () => {
    // Latin-1, a dash and curly quotes (beyond U+00FF), an emoji (a surrogate pair) and a lone
    // surrogate (replaced): each chunk must still come out as the UTF-8 of the text.
    const names = ['Søren & Co', 'Accounts – “2025”', 'Party 😀', 'broken \uD800 half'];
    const records = Array.from({ length: 400 }, (_, i) => ({ id: i, name: names[i % names.length] as string }));
    const chunks: Buffer[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) });
    const writer = new XmlDocumentWriter(sink, 1024);
    await writer.start('Companies');
    for (const r of records) await writer.write('Company', r);
    await writer.end();
    expect(chunks.length).toBeGreaterThan(10);
    const expected = documentToXml('Companies', records.map((r) => ['Company', r] as [string, unknown]));
    expect(expected).toContain('broken \uFFFD half');
    expect(Buffer.concat(chunks).equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });

  it('nests containers and closes what is open at the end', async () => {
    let out = '';
    const sink = new Writable({ write: (c: Buffer, _e, done) => ((out += c.toString()), done()) });
    const writer = new XmlDocumentWriter(sink);
    await writer.start('GLExport');
    await writer.openElement('transactions');
    await writer.write('transaction', { id: 1 });
    expect(writer.depth).toBe(2);
    await writer.end();
    expect(out).toContain('  <transactions>\n    <transaction>\n      <id>1</id>\n    </transaction>\n  </transactions>\n</GLExport>\n');
  });

  it('writes records given as JSON bytes, transcoded or parsed, as the parsed records, to a file through its reused chunks', async () => {
    // Every fifth record has a key twice, which the transcoder leaves to JSON.parse; records cross
    // chunk ends and some are larger than a chunk, so Buffers are reused, grown and dropped.
    const records = Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `Søren & Co ${i}`, lines: Array.from({ length: i % 97 === 0 ? 200 : 2 }, (_, k) => ({ k, amount: k * 1.25 })) }));
    const texts = records.map((r, i) => (i % 5 === 0 ? JSON.stringify(r).replace('{"id":', '{"id":-1,"id":') : JSON.stringify(r)));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-writer-'));
    const file = path.join(dir, 'out.xml');
    const stream = fs.createWriteStream(file);
    const writer = new XmlDocumentWriter(stream, 1024);
    await writer.start('Companies');
    let parsed = 0;
    for (const text of texts) {
      const bytes = Buffer.from(`[${text}]`);
      await writer.writeJson('Company', { bytes, start: 1, end: bytes.length - 1 }, undefined, (raw) => (parsed++, JSON.parse(raw.bytes.toString('utf8', raw.start, raw.end))));
    }
    await writer.end();
    await new Promise<void>((resolve) => stream.end(resolve));
    expect(parsed).toBe(600);
    expect(fs.readFileSync(file).equals(Buffer.from(documentToXml('Companies', records.map((r) => ['Company', r] as [string, unknown])), 'utf8'))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('throws the parser\'s error for a record given as bytes that is not JSON, and hands back picked properties', async () => {
    const writer = new XmlDocumentWriter(new Writable({ write: (_c, _e, done) => done() }));
    await writer.start('Companies');
    const raw = (text: string) => ({ bytes: Buffer.from(text), start: 0, end: Buffer.byteLength(text) });
    const parse = (r: { bytes: Buffer; start: number; end: number }) => JSON.parse(r.bytes.toString('utf8', r.start, r.end)) as unknown;
    await expect(writer.writeJson('Company', raw('{"id":1,}'), undefined, parse)).rejects.toThrow(SyntaxError);
    expect(await writer.writeJson('Company', raw('{"id":1,"ids":"1,2"}'), undefined, parse, new Set(['ids']))).toEqual({ ids: '1,2' });
    expect(await writer.writeJson('Company', raw('{"id":1,"id":2,"ids":"3"}'), undefined, parse, new Set(['ids']))).toEqual({ ids: '3' });
  });

  it('transcodes a record with overrides at once, or writes nothing and says so when the transcoder gives it up; a full chunk goes out on drain()', async () => {
    const sink = new SlowSink();
    const writer = new XmlDocumentWriter(sink, 256);
    await writer.start('Companies');
    const raw = (text: string) => ({ bytes: Buffer.from(text), start: 0, end: Buffer.byteLength(text) });
    const shape = { order: ['id', 'site'], known: new Set(['id', 'site']), nil: new Set<string>(), children: {} };
    const site = valueToUtf8Xml('site', { id: 4, name: 'Main' }, 2);
    expect(writer.transcodeJson('Company', raw('{"id":1,"site":{"id":4}}'), shape, undefined, new Map([['site', site]]))).toEqual({});
    expect(writer.transcodeJson('Company', raw('{"id":1,"id":2}'), shape)).toBeUndefined();
    const records = [{ id: 1, site: { id: 4, name: 'Main' } }];
    while (!writer.chunkFull) {
      expect(writer.transcodeJson('Company', raw('{"id":2}'), shape)).toEqual({});
      records.push({ id: 2 } as (typeof records)[number]);
    }
    expect(sink.chunks).toEqual([]);
    await writer.drain();
    expect(writer.chunkFull).toBe(false);
    await writer.end();
    await new Promise<void>((resolve) => sink.end(resolve));
    expect(sink.chunks.length).toBeGreaterThan(1);
    expect(sink.chunks.join('')).toBe(documentToXml('Companies', records.map((r) => ['Company', r] as [string, unknown])));
  });
});
