// The GL export pipeline: records as JSON bytes from the streaming reader → (references resolved a
// window of records at a time) → the <GLExport> document. A record with no references to add is
// transcoded from its bytes, never parsed; one with references is parsed, resolved and rendered. Each
// batch of events is written, waiting for the output to take it, before the next is pulled from the
// reader, so back-pressure runs from the disk to the socket and memory holds at most one batch or one
// window of records.
import { readAhead } from '../../../async/read-ahead.js';
import { parseRecord, type RawJsonStreamEvent } from '../../../json/record-stream.js';
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
  /**
   * Sees every record as it is written (e.g. to collect GL entry ids). With `recordProperties`, of a
   * record written from its bytes it sees only the properties named for its container; without, every
   * record is parsed for it.
   */
  onRecord?(container: string, record: unknown): void | Promise<void>;
  /** The properties of each container's records that onRecord reads. */
  recordProperties?: Readonly<Record<string, readonly string[]>>;
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

export async function convertGlExport(events: AsyncIterable<RawJsonStreamEvent[]>, xml: XmlDocumentWriter, options: ConvertOptions = {}): Promise<ConvertResult> {
  const document = new GlExportDocument(xml, options.shape);
  const counts: Record<string, number> = {};
  let records = 0;
  let window: Json[] = [];
  const picks = new Map(Object.entries(options.recordProperties ?? {}).map(([container, keys]) => [container, new Set(keys)]));

  const counted = (container: string): void => {
    counts[container] = (counts[container] ?? 0) + 1;
    records++;
  };
  const write = async (container: string, record: unknown): Promise<void> => {
    const seen = options.onRecord?.(container, record);
    if (seen) await seen;
    await document.item(container, record);
    counted(container);
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
        const resolved = windows?.containers.has(event.container) === true;
        if (resolved || (options.onRecord && !options.recordProperties)) {
          const record = parseRecord(event.container, event.record);
          if (windows && resolved && typeof record === 'object' && record !== null) {
            window.push(record as Json);
            if (window.length >= windows.windowSize) await flushWindow(event.container);
          } else {
            await write(event.container, record);
          }
        } else {
          const picked = await document.itemJson(event.container, event.record, picks.get(event.container));
          const seen = options.onRecord?.(event.container, picked);
          if (seen) await seen;
          counted(event.container);
        }
      } else if (event.kind === 'end') {
        await flushWindow(event.container);
        counts[event.container] ??= 0;
        await document.endArray(event.container);
      } else {
        await document.value(event.container, parseRecord(event.container, event.record));
      }
    }
    options.onProgress?.(records);
  }
  await document.end();
  return { counts, records };
}
