// The shared engine of the ConnectWise list exports (seeds 000 invoices, 001 batches): forward-only
// paging read one page ahead, references per window of records, streaming XML output, and the
// watermark advanced only once the output is committed. Settings: record-export-settings.ts; which
// watermark a mode reads and moves: export-watermarks.ts.
import { readAhead } from '../../async/read-ahead.js';
import { shutdownError } from '../../async/shutdown.js';
import { andClause } from '../../connectors/connectwise/conditions.js';
import type { ConnectWiseClient, CwQuery } from '../../connectors/connectwise/client.js';
import { ReferenceResolver } from '../../connectors/connectwise/references.js';
import { toDropwiseError } from '../../errors.js';
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

class RecordExport {
  private readonly client: ConnectWiseClient;
  private readonly resolver: ReferenceResolver;
  private readonly writer: XmlDocumentWriter;
  private readonly recordXml: RecordXml;
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
    this.recordXml = new RecordXml(kind.record, exportShape(kind.schema, settings.nullFields, ZYNK_LEADING_FIELDS), settings.references);
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
    let window: Json[] = [];
    for await (const page of readAhead(this.client.pages<Json & { id?: number }>(this.kind.endpoint, query, { pageSize: settings.pageSize, signal: this.ctx.signal }))) {
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
  private waitForFullerLookups(window: Json[]): boolean {
    const unresolved = this.resolver.unresolvedCount(window, this.settings.references);
    return unresolved > 0 && unresolved < this.settings.referencesPageSize;
  }

  private async flush(records: Json[]): Promise<void> {
    if (records.length === 0) return;
    if (this.settings.references.length > 0) {
      const warnings = await this.resolver.resolve(records, this.settings.references);
      this.referenceWarnings += warnings.length;
      for (const w of warnings) this.ctx.log.debug('reference not fetched', { record: records[w.recordIndex]?.['id'], reference: w.reference, id: w.id, message: w.message });
    }
    for (const record of records) await this.writer.raw(this.recordXml.render(zynkRecordOrder(record), this.writer.depth));
    this.written += records.length;
    this.ctx.progress({ records: this.written, pages: this.pages, total: this.total });
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
