// A streaming XML document writer: records are rendered as they arrive and written to the stream in
// chunks, with a few chunks in flight at most, so memory stays flat and a slow disk slows the producer
// instead of filling the heap. Chunks are Buffers kept in a small pool: a record's JSON is transcoded
// straight into one (json-transcoder.ts), and rendered markup, already UTF-8 (Utf8Xml), is copied in.
//
// Why not 'drain': it fires only once the stream's buffer is empty, so the producer stood still for
// every write to disk (a GL export of 286 MB waited 1.4–1.8 s for it). Waiting instead for the write of
// the chunk IN_FLIGHT back keeps the disk busy while the next chunks are rendered: 7.4 → 6.7 s
// for that export, same bytes.
import { WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { RawJson } from '../json/record-stream.js';
import { XML_DECLARATION, elementName, rootOpenTag, toUtf8Xml, valueToUtf8Xml, type Utf8Xml, type XmlShape } from './json-to-xml.js';
import { JsonXmlTranscoder, type ByteChunk, type Overrides } from './json-transcoder.js';

/** Chunks handed to the stream and not yet written that the writer goes on past. */
const IN_FLIGHT = 8;

/** The chunk being filled: a pooled Buffer, grown (and then not pooled) for a record larger than its room. */
class Chunk implements ByteChunk {
  length = 0;
  constructor(public buf: Buffer) {}

  reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.length + bytes));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }

  append(xml: Utf8Xml): void {
    this.reserve(xml.length);
    this.length += this.buf.write(xml, this.length, 'latin1');
  }
}

export class XmlDocumentWriter {
  private readonly open: string[] = [];
  private started = false;
  /**
   * Buffers of written chunks, for the next ones, so the chunks in flight never need new memory (a
   * Buffer dropped instead stays allocated until the GC finds its wrapper, which with few objects
   * made per record can be long). Only for a file stream: it is done with a chunk once it says it is
   * written, where any Writable may keep it.
   */
  private readonly pool: Buffer[] | undefined;
  /** Bytes not yet handed to the stream; flushed in chunks to keep write() calls few. */
  private pending: Chunk;
  /** The writes of the chunks in flight, oldest first. */
  private readonly flushing: Promise<void>[] = [];
  /** The first write that failed: the stream's own error, thrown at the next flush. */
  private failure: Error | undefined;
  private readonly transcoder = new JsonXmlTranscoder();

  constructor(
    private readonly out: Writable,
    private readonly chunkBytes = 64 * 1024,
  ) {
    this.pool = out instanceof WriteStream ? [] : undefined;
    this.pending = this.newChunk();
  }

  /** Writes the declaration and the root element with the xsi/xsd namespaces. */
  async start(root: string): Promise<void> {
    if (this.started) throw new Error('XmlDocumentWriter.start called twice');
    this.started = true;
    this.open.push(elementName(root));
    await this.push(toUtf8Xml(XML_DECLARATION + rootOpenTag(elementName(root))));
  }

  /** Opens a container element inside the current one (e.g. <transactions> in <GLExport>). */
  async openElement(name: string): Promise<void> {
    await this.push(toUtf8Xml(`${'  '.repeat(this.open.length)}<${elementName(name)}>\n`));
    this.open.push(elementName(name));
  }

  async closeElement(): Promise<void> {
    const name = this.open.pop();
    if (name === undefined) throw new Error('XmlDocumentWriter.closeElement with nothing open');
    await this.push(toUtf8Xml(`${'  '.repeat(this.open.length)}</${name}>\n`));
  }

  /** Writes one record (any JSON value) as an element at the current depth, shaped by `shape` when given. */
  async write(name: string, value: unknown, shape?: XmlShape): Promise<void> {
    await this.push(valueToUtf8Xml(name, value, this.open.length, shape));
  }

  /**
   * write() for a record held as its JSON bytes, transcoded without parsing it; a record the
   * transcoder gives up on is parsed and written by write(). `picks`: properties of the record to
   * return parsed (the others are never built). Throws DW_JSON_MALFORMED when it is not JSON.
   */
  async writeJson(name: string, raw: RawJson, shape: XmlShape | undefined, parse: (raw: RawJson) => unknown, picks?: ReadonlySet<string>): Promise<Record<string, unknown>> {
    const picked = this.transcodeJson(name, raw, shape, picks);
    if (picked !== undefined) {
      if (this.chunkFull) await this.drain();
      return picked;
    }
    const record = parse(raw);
    await this.write(name, record, shape);
    const all = record !== null && typeof record === 'object' ? (record as Record<string, unknown>) : {};
    return picks === undefined ? {} : Object.fromEntries([...picks].filter((key) => Object.hasOwn(all, key)).map((key) => [key, all[key]]));
  }

  /**
   * The transcoding half of writeJson, done at once: writes the record into the pending chunk and
   * returns its picks, or writes nothing and returns undefined when the transcoder gives it up (the
   * caller then writes it its own way). The caller drains a full chunk after, as writeJson does; not
   * a promise per record, which on a long export kept V8's young generation at its largest (a 1.1 GB
   * GL export peaked at 117-120 MB with one, 96-97 MB without). `overrides`: properties of a shaped
   * record written as given (json-transcoder.ts).
   */
  transcodeJson(name: string, raw: RawJson, shape: XmlShape | undefined, picks?: ReadonlySet<string>, overrides?: Overrides): Record<string, unknown> | undefined {
    return this.transcoder.transcode(name, raw.bytes, raw.start, raw.end, this.open.length, shape, this.pending, picks, overrides);
  }

  /** Whether the pending chunk is full and due to the stream (drain()). */
  get chunkFull(): boolean {
    return this.pending.length >= this.chunkBytes;
  }

  /** Hands the pending chunk to the stream, waiting only when too many are in flight. */
  drain(): Promise<void> {
    return this.drainBuffer();
  }

  /** Writes pre-rendered XML as is (it must be well-formed at this depth); toUtf8Xml makes it from text. */
  async raw(xml: Utf8Xml): Promise<void> {
    await this.push(xml);
  }

  /** Closes every open element and waits until everything is written; the caller ends or commits the stream. */
  async end(): Promise<void> {
    while (this.open.length > 0) await this.closeElement();
    await this.drainBuffer();
    await Promise.all(this.flushing.splice(0));
    if (this.failure) throw this.failure;
  }

  get depth(): number {
    return this.open.length;
  }

  private async push(xml: Utf8Xml): Promise<void> {
    this.pending.append(xml);
    if (this.chunkFull) await this.drainBuffer();
  }

  /** Room for a chunk and the record that crosses its end, most times. */
  private newChunk(): Chunk {
    return new Chunk(this.pool?.pop() ?? Buffer.allocUnsafe(2 * this.chunkBytes));
  }

  private async drainBuffer(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pending.length === 0) return;
    const chunk = this.pending;
    this.pending = this.newChunk();
    this.flushing.push(new Promise<void>((resolve) => this.out.write(chunk.buf.subarray(0, chunk.length), (err) => {
      this.failure ??= err ?? undefined;
      // Written: its Buffer can take a later chunk (unless it was grown for a large record).
      if (chunk.buf.length === 2 * this.chunkBytes) this.pool?.push(chunk.buf);
      resolve();
    })));
    if (this.flushing.length > IN_FLIGHT) await this.flushing.shift();
    if (this.failure) throw this.failure;
  }
}
