// The shared engine of the ConnectWise list exports (seeds 000 invoices, 001 batches): forward-only
// paging read one page ahead, references per window of records, streaming XML output, and the
// watermark advanced only once the output is committed. Settings: record-export-settings.ts; which
// watermark a mode reads and moves: export-watermarks.ts.
//
// Records are held as their bytes and transcoded to XML (xml/json-transcoder.ts), never parsed whole:
// of each, only its id, externalId and the references to resolve are parsed, and the references are
// written from their resolved values in their place. Parsing every record kept the young generation
// of the heap at its largest (2 × 16 MB) and a 100,000-invoice export at 111-126 MB.
import { readAhead } from '../../async/read-ahead.js';
import { shutdownError } from '../../async/shutdown.js';
import { andClause } from '../../connectors/connectwise/conditions.js';
import type { ConnectWiseClient, CwQuery, PickedRecord } from '../../connectors/connectwise/client.js';
import { ReferenceResolver, recordProperties } from '../../connectors/connectwise/references.js';
import { toDropwiseError } from '../../errors.js';
import { isObject } from '../../json/is-object.js';
import { parseRecord } from '../../json/record-stream.js';
import { valueToUtf8Xml, type Utf8Xml, type XmlShape } from '../../xml/json-to-xml.js';
import type { AppendedMember, Overrides } from '../../xml/json-transcoder.js';
import { XmlDocumentWriter } from '../../xml/writer.js';
import { RecordXml } from './record-xml.js';
import type { OutputFile, TaskContext, TaskDefinition, TaskOutcome } from '../types.js';
import { advanceWatermarks, serverTime, watermarkStart } from './export-watermarks.js';
import { exportShape } from './schema/export-shapes.js';
import { parseRecordExportSettings, type RecordExportKind, type RecordExportSettings } from './record-export-settings.js';

type Json = Record<string, unknown>;

/** Records held for one reference lookup round when references are fetched (a few MB of JSON). */
const MAX_WINDOW_RECORDS = 1000;

/**
 * Zynk's exports (seeds 000, 001) start every record with `<id>`, `<externalId>` (empty when unset:
 * downstream systems match on it) and `<_info>`; the other fields follow in the API's order.
 */
export function zynkRecordOrder(record: Json): Json {
  const { id, externalId, _info, ...rest } = record;
  return { id, externalId: externalId ?? '', _info, ...rest };
}
export const ZYNK_LEADING_FIELDS = ['id', 'externalId', '_info'];

/** zynkRecordOrder as a shape, for the transcoder in nullFields "omit" (no schema): the leading fields, then the rest as sent. */
const ZYNK_ORDER: XmlShape = { order: ZYNK_LEADING_FIELDS, known: new Set(ZYNK_LEADING_FIELDS), nil: new Set(), children: {} };

/** A record as the export holds it: its bytes, and the members parsed of it. */
type HeldRecord = PickedRecord<Json>;

class RecordExport {
  private readonly client: ConnectWiseClient;
  private readonly resolver: ReferenceResolver;
  private readonly writer: XmlDocumentWriter;
  private readonly recordXml: RecordXml;
  /** How the records are written: the schema's shape, or undefined ("omit"). */
  private readonly shape: XmlShape | undefined;
  /** The members parsed of each record: what zynkRecordOrder and the references read. */
  private readonly picks: ReadonlySet<string>;
  /** The properties the references start at, written from their resolved values. */
  private readonly referenceKeys: readonly string[];
  /** `<externalId />` by depth. */
  private readonly emptyExternalId: Utf8Xml[] = [];
  private read = 0;
  private written = 0;
  private pages = 0;
  private referenceWarnings = 0;
  private total: number | undefined;

  constructor(
    private readonly kind: RecordExportKind,
    private readonly settings: RecordExportSettings,
    private readonly ctx: TaskContext,
    output: OutputFile,
  ) {
    this.client = ctx.connection.connectwise();
    this.resolver = new ReferenceResolver(this.client, { pageSize: settings.referencesPageSize, log: ctx.log, signal: ctx.signal });
    this.writer = new XmlDocumentWriter(output.stream);
    this.shape = exportShape(kind.schema, settings.nullFields, ZYNK_LEADING_FIELDS);
    this.recordXml = new RecordXml(kind.record, this.shape, settings.references);
    this.referenceKeys = [...new Set(settings.references.map((spec) => spec.path[0] as string))];
    this.picks = new Set(['externalId', ...(this.shape ? [] : ZYNK_LEADING_FIELDS), ...recordProperties(settings.references)]);
  }

  /** Counts the matches (for progress) and takes the server's time as the export's start. */
  async begin(query: CwQuery): Promise<number> {
    const { data, headers } = await this.client.request<{ count: number }>('GET', `${this.kind.endpoint}/count`, {
      query: { conditions: query.conditions, childConditions: query.childConditions, customFieldConditions: query.customFieldConditions },
      signal: this.ctx.signal,
    });
    this.total = typeof data?.count === 'number' ? data.count : undefined;
    this.ctx.progress({ records: 0, pages: 0, total: this.total });
    return serverTime(headers['date']);
  }

  async copy(query: CwQuery): Promise<void> {
    const { settings } = this;
    await this.writer.start(this.kind.root);
    let window: HeldRecord[] = [];
    for await (const page of readAhead(this.client.rawPages<Json>(this.kind.endpoint, query, { pageSize: settings.pageSize, signal: this.ctx.signal, picks: this.picks }))) {
      this.pages++;
      this.read += page.length;
      window = window.length === 0 ? page : window.concat(page);
      if (settings.references.length > 0 && window.length < MAX_WINDOW_RECORDS && this.waitForFullerLookups(window)) continue;
      await this.flush(window);
      window = [];
    }
    await this.flush(window);
    await this.writer.end();
  }

  /**
   * Whether to hold `window` back for more pages: only while some lookup it needs is not yet full.
   * A window whose targets are all known costs no request, so it is written at once (while the
   * next page is on its way) instead of waiting for pages that would not fill any lookup either.
   */
  private waitForFullerLookups(window: HeldRecord[]): boolean {
    const unresolved = this.resolver.unresolvedCount(window.map((record) => record.picked), this.settings.references);
    return unresolved > 0 && unresolved < this.settings.referencesPageSize;
  }

  private async flush(records: HeldRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.settings.references.length > 0) {
      const picked = records.map((record) => record.picked);
      const warnings = await this.resolver.resolve(picked, this.settings.references);
      this.referenceWarnings += warnings.length;
      for (const w of warnings) this.ctx.log.debug('reference not fetched', { record: picked[w.recordIndex]?.['id'], reference: w.reference, id: w.id, message: w.message });
    }
    for (const record of records) {
      // Transcoded at once, a promise only for a full chunk (XmlDocumentWriter.transcodeJson says why).
      if (this.writer.transcodeJson(this.kind.record, record.raw, this.shape ?? ZYNK_ORDER, undefined, this.overrides(record.picked)) === undefined) await this.writeParsed(record);
      else if (this.writer.chunkFull) await this.writer.drain();
    }
    this.written += records.length;
    this.ctx.progress({ records: this.written, pages: this.pages, total: this.total });
  }

  /** A record the transcoder gave up: parsed, its picked members (the references resolved) put in, and rendered. */
  private async writeParsed({ raw, picked }: HeldRecord): Promise<void> {
    const record = parseRecord(this.kind.record, raw);
    await this.writer.raw(this.recordXml.render(zynkRecordOrder(isObject(record) ? Object.assign(record, picked) : (record as Json)), this.writer.depth));
  }

  /** What the transcoder writes in place of a record's own bytes: what zynkRecordOrder adds, and the resolved references. */
  private overrides(picked: Json): Overrides | undefined {
    const depth = this.writer.depth;
    let overrides: Map<string, Utf8Xml | AppendedMember> | undefined;
    // ConnectWise leaves a null externalId out of its JSON: most records need this one, made once.
    if (picked['externalId'] === undefined || picked['externalId'] === null) (overrides ??= new Map()).set('externalId', (this.emptyExternalId[depth] ??= valueToUtf8Xml('externalId', '', depth + 1)));
    // A leading field that is null: zynkRecordOrder's plain order writes it nil; ZYNK_ORDER would leave it out.
    if (this.shape === undefined) for (const key of ['id', '_info']) if (picked[key] === null) (overrides ??= new Map()).set(key, valueToUtf8Xml(key, null, depth + 1));
    for (const key of this.referenceKeys) {
      const value = picked[key];
      const override = typeof value === 'object' && value !== null ? this.recordXml.override(key, value, depth) : undefined;
      if (override !== undefined) (overrides ??= new Map()).set(key, override);
    }
    return overrides;
  }

  details(watermark: Record<string, string>): Json {
    const lookups = this.resolver.stats;
    return {
      // The reader stops where the Link header says the list ends: one request per page, one for an empty list.
      requests: 1 + Math.max(1, this.pages) + lookups.requests,
      pages: this.pages,
      total: this.total,
      watermark,
      referenceWarnings: this.referenceWarnings,
      referenceLookups: lookups.requests,
      referencesFetched: lookups.fetched,
    };
  }

  get count(): number {
    return this.written;
  }
}

export async function runRecordExport(kind: RecordExportKind, settings: RecordExportSettings, ctx: TaskContext): Promise<TaskOutcome> {
  const start = await watermarkStart(ctx.watermarks, settings);
  const query: CwQuery = { ...settings.query, conditions: andClause(settings.query.conditions, start.condition) };

  const output = await ctx.outbox.create('success', settings.outputFile);
  const exporter = new RecordExport(kind, settings, ctx, output);
  let path: string | undefined;
  let startedAt: number;
  try {
    startedAt = await exporter.begin(query);
    await exporter.copy(query);
    if (exporter.count > 0 || settings.writeEmptyFile) path = await output.commit();
    else await output.abort();
  } catch (err) {
    await output.abort();
    if (ctx.signal.aborted) throw shutdownError(`The agent stopped while ${kind.type} was running; nothing was written`, err);
    throw toDropwiseError(err);
  }

  // The output is safe: only now may the watermark move, to when this export started.
  const advanced = await advanceWatermarks(ctx.watermarks, settings, startedAt);
  const details = exporter.details({ ...(start.from === undefined ? {} : { from: start.from }), ...advanced });
  ctx.log.info(`${kind.type} exported`, { records: exporter.count, file: path, ...details });
  return {
    status: exporter.count === 0 ? 'empty' : 'success',
    recordsIn: exporter.count,
    recordsOk: exporter.count,
    recordsFailed: 0,
    outputs: path === undefined ? [] : [path],
    details,
  };
}

/** A TaskDefinition for one list export; the task files only describe their kind. */
export function recordExportTask(kind: RecordExportKind): TaskDefinition<RecordExportSettings> {
  return {
    type: kind.type,
    connector: 'connectwise',
    summary: kind.summary,
    parseSettings: (raw) => parseRecordExportSettings(kind, raw),
    run: ({ settings }, ctx) => runRecordExport(kind, settings, ctx),
  };
}
