// The <GLExport> document, written as the export's records arrive: a top-level array becomes a
// container of singular elements (<transactions><transaction>…), opened at its first record and
// closed at its end; a top-level object (exportSettings) becomes one element. A top-level member
// that is null or an empty array is left out, as in seed 002's samples (the invoices sample has no
// <vendors />). Everything inside a record follows the shared JSON→XML rules (src/xml/json-to-xml).
import { parseRecord, type RawJson } from '../../../json/record-stream.js';
import type { XmlDocumentWriter } from '../../../xml/writer.js';
import { elementName, singularName, type XmlShape } from '../../../xml/json-to-xml.js';

export const GL_EXPORT_ROOT = 'GLExport';

export class GlExportDocument {
  /** The container element open now, if any, and the element name of its records. */
  private open: string | undefined;
  private itemName = '';

  /** `shape`: the GLExport schema's shape (nullFields "schema"); its children shape each member's records. */
  constructor(
    private readonly xml: XmlDocumentWriter,
    private readonly shape?: XmlShape,
  ) {}

  async start(): Promise<void> {
    await this.xml.start(GL_EXPORT_ROOT);
  }

  /** Writes one record of the top-level array `container`. */
  async item(container: string, record: unknown): Promise<void> {
    await this.enter(container);
    await this.xml.write(this.itemName, record, this.shape?.children[container]);
  }

  /** item() for a record as its JSON bytes (not parsed, see XmlDocumentWriter.writeJson); returns its `picks`. */
  async itemJson(container: string, raw: RawJson, picks?: ReadonlySet<string>): Promise<Record<string, unknown>> {
    await this.enter(container);
    return await this.xml.writeJson(this.itemName, raw, this.shape?.children[container], (bytes) => parseRecord(container, bytes), picks);
  }

  private async enter(container: string): Promise<void> {
    if (this.open === container) return;
    await this.closeContainer();
    await this.xml.openElement(container);
    this.open = container;
    this.itemName = singularName(elementName(container));
  }

  /** The array `container` has ended. */
  async endArray(container: string): Promise<void> {
    if (this.open === container) await this.closeContainer();
  }

  /** A top-level member that is not an array. */
  async value(name: string, value: unknown): Promise<void> {
    await this.closeContainer();
    if (value === null || (Array.isArray(value) && value.length === 0)) return;
    await this.xml.write(name, value, this.shape?.children[name]);
  }

  /** Closes what is open and flushes; the caller commits the output. */
  async end(): Promise<void> {
    await this.xml.end();
  }

  private async closeContainer(): Promise<void> {
    if (this.open === undefined) return;
    this.open = undefined;
    await this.xml.closeElement();
  }
}
