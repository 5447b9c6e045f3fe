// A streaming XML document writer: records are rendered as they arrive and written to the stream,
// waiting for 'drain' when the stream's buffer is full, so memory stays flat and a slow disk slows
// the producer instead of filling the heap.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { XML_DECLARATION, elementName, rootOpenTag, valueToXml, type XmlShape } from './json-to-xml.js';

export class XmlDocumentWriter {
  private readonly open: string[] = [];
  private started = false;
  /** Text not yet handed to the stream; flushed in chunks to keep write() calls few. */
  private pending = '';

  constructor(
    private readonly out: Writable,
    private readonly chunkBytes = 64 * 1024,
  ) {}

  /** Writes the declaration and the root element with the xsi/xsd namespaces. */
  async start(root: string): Promise<void> {
    if (this.started) throw new Error('XmlDocumentWriter.start called twice');
    this.started = true;
    this.open.push(elementName(root));
    await this.push(XML_DECLARATION + rootOpenTag(elementName(root)));
  }

  /** Opens a container element inside the current one (e.g. <transactions> in <GLExport>). */
  async openElement(name: string): Promise<void> {
    await this.push(`${'  '.repeat(this.open.length)}<${elementName(name)}>\n`);
    this.open.push(elementName(name));
  }

  async closeElement(): Promise<void> {
    const name = this.open.pop();
    if (name === undefined) throw new Error('XmlDocumentWriter.closeElement with nothing open');
    await this.push(`${'  '.repeat(this.open.length)}</${name}>\n`);
  }

  /** Writes one record (any JSON value) as an element at the current depth, shaped by `shape` when given. */
  async write(name: string, value: unknown, shape?: XmlShape): Promise<void> {
    await this.push(valueToXml(name, value, this.open.length, shape));
  }

  /** Writes pre-rendered XML text as is (it must be well-formed at this depth). */
  async raw(text: string): Promise<void> {
    await this.push(text);
  }

  /** Closes every open element and flushes; the caller ends or commits the stream. */
  async end(): Promise<void> {
    while (this.open.length > 0) await this.closeElement();
    await this.drainBuffer();
  }

  get depth(): number {
    return this.open.length;
  }

  private async push(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= this.chunkBytes) await this.drainBuffer();
  }

  private async drainBuffer(): Promise<void> {
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}
