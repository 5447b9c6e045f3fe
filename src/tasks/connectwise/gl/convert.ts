// The GL export pipeline: record events from the streaming JSON reader → (references resolved a
// window of records at a time) → the <GLExport> document. Each batch of events is written, waiting
// for the output to take it, before the next is pulled from the reader, so back-pressure runs from
// the disk to the socket and memory holds at most one batch or one window of records.
import { readAhead } from '../../../async/read-ahead.js';
import type { JsonStreamEvent } from '../../../json/record-stream.js';
import type { XmlShape } from '../../../xml/json-to-xml.js';
import type { XmlDocumentWriter } from '../../../xml/writer.js';
import { GlExportDocument } from './document.js';
import { glExportStopped } from './stopped.js';

type Json = Record<string, unknown>;

export interface ReferenceWindows {
  /** The containers whose records have references to fetch. */
  containers: ReadonlySet<string>;
  /** Records of one container resolved together (one round of batched lookups). */
  windowSize: number;
  /** Adds the fetched entities to the records, in place. */
  resolve(container: string, records: Json[]): Promise<void>;
}

export interface ConvertOptions {
  references?: ReferenceWindows;
  /** Sees every record as it is written (e.g. to collect GL entry ids). */
  onRecord?(container: string, record: unknown): void | Promise<void>;
  /** Called after each batch with the number of records written so far. */
  onProgress?(records: number): void;
  /** Stops between batches when aborted (agent shutdown). */
  signal?: AbortSignal;
  /** How the <GLExport> members are written (nullFields "schema"); absent: as the API sent them. */
  shape?: XmlShape;
}

export interface ConvertResult {
  /** Records written per top-level array, in the order the export gave them. */
  counts: Record<string, number>;
  records: number;
}

export async function convertGlExport(events: AsyncIterable<JsonStreamEvent[]>, xml: XmlDocumentWriter, options: ConvertOptions = {}): Promise<ConvertResult> {
  const document = new GlExportDocument(xml, options.shape);
  const counts: Record<string, number> = {};
  let records = 0;
  let window: Json[] = [];

  const write = async (container: string, record: unknown): Promise<void> => {
    const seen = options.onRecord?.(container, record);
    if (seen) await seen;
    await document.item(container, record);
    counts[container] = (counts[container] ?? 0) + 1;
    records++;
  };
  const flushWindow = async (container: string): Promise<void> => {
    if (window.length === 0) return;
    const full = window;
    window = [];
    await options.references?.resolve(container, full);
    for (const record of full) await write(container, record);
  };

  await document.start();
  for await (const batch of readAhead(events)) {
    if (options.signal?.aborted) throw glExportStopped();
    for (const event of batch) {
      if (event.kind === 'item') {
        const windows = options.references;
        if (windows?.containers.has(event.container) && typeof event.record === 'object' && event.record !== null) {
          window.push(event.record as Json);
          if (window.length >= windows.windowSize) await flushWindow(event.container);
        } else {
          await write(event.container, event.record);
        }
      } else if (event.kind === 'end') {
        await flushWindow(event.container);
        counts[event.container] ??= 0;
        await document.endArray(event.container);
      } else {
        await document.value(event.container, event.record);
      }
    }
    options.onProgress?.(records);
  }
  await document.end();
  return { counts, records };
}
