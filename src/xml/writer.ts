// A streaming XML document writer: records are rendered as they arrive and written to the stream in
// chunks, with a few chunks in flight at most, so memory stays flat and a slow disk slows the producer
// instead of filling the heap. What it collects is already UTF-8 (Utf8Xml, see json-to-xml.ts), so each
// chunk stays a one-byte string and is written as it is.
//
// Why not 'drain': it fires only once the stream's buffer is empty, so the producer stood still for
// every write to disk (a GL export of 286 MB waited 1.4–1.8 s for it). Waiting instead for the write of
// the chunk IN_FLIGHT back keeps the disk busy while the next chunks are rendered: 7.4 → 6.7 s
// for that export, same bytes.
import type { Writable } from 'node:stream';
import { XML_DECLARATION, elementName, rootOpenTag, toUtf8Xml, valueToUtf8Xml, type Utf8Xml, type XmlShape } from './json-to-xml.js';

/** Chunks handed to the stream and not yet written that the writer goes on past. */
const IN_FLIGHT = 8;

export class XmlDocumentWriter {
  private readonly open: string[] = [];
  private started = false;
  /** Markup not yet handed to the stream (Utf8Xml); flushed in chunks to keep write() calls few. */
  private pending = '';
  /** The writes of the chunks in flight, oldest first. */
  private readonly flushing: Promise<void>[] = [];
  /** The first write that failed: the stream's own error, thrown at the next flush. */
  private failure: Error | undefined;

  constructor(
    private readonly out: Writable,
    private readonly chunkBytes = 64 * 1024,
  ) {}

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
    this.pending += xml;
    if (this.pending.length >= this.chunkBytes) await this.drainBuffer();
  }

  private async drainBuffer(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    this.flushing.push(new Promise<void>((resolve) => this.out.write(chunk, 'latin1', (err) => {
      this.failure ??= err ?? undefined;
      resolve();
    })));
    if (this.flushing.length > IN_FLIGHT) await this.flushing.shift();
    if (this.failure) throw this.failure;
  }
}
