// The shared engine of the ConnectWise list exports (seeds 000 invoices, 001 batches): settings,
// New/Modified/All with watermarks, forward-only paging, references per window of records, streaming
// XML output, and the watermark advanced only once the output is committed.
import { readAhead } from '../../async/read-ahead.js';
import { shutdownError } from '../../async/shutdown.js';
import { andClause, buildConditionString, type ConditionListName } from '../../connectors/connectwise/conditions.js';
import { readConditionSettings } from './condition-settings.js';
import type { ConnectWiseClient, CwQuery } from '../../connectors/connectwise/client.js';
import { ReferenceResolver, type ReferenceSpec } from '../../connectors/connectwise/references.js';
import { toDropwiseError } from '../../errors.js';
import { isoSeconds } from '../../time/iso-8601.js';
import { XmlDocumentWriter } from '../../xml/writer.js';
import { SettingsReader } from '../settings.js';
import type { OutputFile, TaskContext, TaskDefinition, TaskOutcome } from '../types.js';

type Json = Record<string, unknown>;

export const EXPORT_MODES = ['Modified', 'New', 'All'] as const;
export type ExportMode = (typeof EXPORT_MODES)[number];

/** What differs between the list exports: the endpoint, the XML names and what may be fetched. */
export interface RecordExportKind {
  type: string;
  summary: string;
  endpoint: string;
  /** Plural root and singular record element: Invoices/Invoice. */
  root: string;
  record: string;
  defaultOutputFile: string;
  /** The references "References To Fetch" may name. */
  references: Record<string, Omit<ReferenceSpec, 'name'>>;
  /** The Where settings the seed lists for this export. */
  whereSettings: readonly ConditionListName[];
}

export interface RecordExportSettings {
  exportMode: ExportMode;
  /** Starting watermarks (ISO, UTC); a stored watermark wins once a run has advanced it. */
  dateCreated: string | undefined;
  dateModified: string | undefined;
  pageSize: number;
  outputFile: string;
  references: ReferenceSpec[];
  referencesPageSize: number;
  /** The Where settings as ConnectWise query strings ('' for none). */
  query: Required<Pick<CwQuery, 'conditions' | 'childConditions' | 'customFieldConditions'>>;
  /** Zynk writes the document even when nothing matched. */
  writeEmptyFile: boolean;
}

const WATERMARK_FIELD = { dateCreated: '_info/dateEntered', dateModified: '_info/lastUpdated' } as const;
type WatermarkName = keyof typeof WATERMARK_FIELD;

/** Which watermark each mode filters on and which it may advance (All covers both). */
const MODE_WATERMARKS: Record<ExportMode, { filter?: WatermarkName; advance: WatermarkName[] }> = {
  New: { filter: 'dateCreated', advance: ['dateCreated'] },
  Modified: { filter: 'dateModified', advance: ['dateModified'] },
  All: { advance: ['dateCreated', 'dateModified'] },
};

/**
 * The next watermark is the time the export started, a little earlier: ConnectWise stamps whole
 * seconds and the server's Date header is truncated too, so a record changed in the second the
 * export began comes again next time (at-least-once) rather than never.
 */
export const WATERMARK_OVERLAP_MS = 1000;

/** Records held for one reference lookup round when references are fetched (a few MB of JSON). */
const MAX_WINDOW_RECORDS = 1000;

export function parseRecordExportSettings(kind: RecordExportKind, raw: Record<string, unknown>): RecordExportSettings {
  const reader = new SettingsReader(raw, kind.type);
  const exportMode = reader.oneOf('exportMode', EXPORT_MODES, 'Modified');
  const dateCreated = reader.date('dateCreated');
  const dateModified = reader.date('dateModified');
  const pageSize = reader.int('pageSize', { min: 1, max: 1000, default: 100 });
  const outputFile = reader.fileName('outputFile', kind.defaultOutputFile);
  const references = readReferences(reader, kind);
  const referencesPageSize = reader.int('referencesPageSize', { min: 1, max: 1000, default: 100 });
  const where = kind.whereSettings.map((name) => [name, reader.list(name, 'condition')] as const);
  const writeEmptyFile = reader.bool('writeEmptyFile', true);
  reader.done();
  const query = { conditions: '', childConditions: '', customFieldConditions: '' };
  for (const [name, items] of where) query[name] = buildConditionString(name, readConditionSettings(name, items));
  return { exportMode, dateCreated, dateModified, pageSize, outputFile, references, referencesPageSize, query, writeEmptyFile };
}

function readReferences(reader: SettingsReader, kind: RecordExportKind): ReferenceSpec[] {
  const allowed = Object.keys(kind.references);
  const specs = new Map<string, ReferenceSpec>();
  for (const name of reader.stringList('referencesToFetch', 'reference')) {
    const known = allowed.find((a) => a.toLowerCase() === name.toLowerCase());
    if (known === undefined) {
      reader.problem(
        allowed.length === 0
          ? `"referencesToFetch": ${kind.type} has no references to fetch (was "${name}")`
          : `"referencesToFetch": "${name}" is not a reference of ${kind.type}; use ${allowed.join(', ')}`,
      );
    } else {
      specs.set(known, { name: known, ...(kind.references[known] as Omit<ReferenceSpec, 'name'>) });
    }
  }
  return [...specs.values()];
}

/**
 * Zynk's exports (seeds 000, 001) start every record with `<id>`, `<externalId>` (empty when unset:
 * downstream systems match on it) and `<_info>`; the other fields follow in the API's order.
 */
export function zynkRecordOrder(record: Json): Json {
  const { id, externalId, _info, ...rest } = record;
  return { id, externalId: externalId ?? '', _info, ...rest };
}

/** The server's clock from a Date header, else ours: watermarks compare with server stamps. */
export function serverTime(dateHeader: string | string[] | undefined, fallback = Date.now()): number {
  const value = Array.isArray(dateHeader) ? dateHeader[0] : dateHeader;
  const ms = value === undefined ? NaN : Date.parse(value);
  return Number.isNaN(ms) ? fallback : ms;
}

/**
 * The watermark a run starts from. A stored one wins, unless the setting was changed since that
 * watermark was stored: then the new setting is an explicit new starting point (a re-export).
 */
export async function startingWatermark(ctx: TaskContext, name: WatermarkName, setting: string | undefined): Promise<string | undefined> {
  const stored = await ctx.watermarks.get();
  const current = stored[name];
  if (current === undefined || (setting !== undefined && stored[`${name}Setting`] !== setting)) return setting;
  return current;
}

/** Page requests the forward-only reader makes: full pages, then the short (or empty) last one. */
const pageRequests = (records: number, pageSize: number): number => Math.floor(records / pageSize) + 1;

class RecordExport {
  private readonly client: ConnectWiseClient;
  private readonly resolver: ReferenceResolver;
  private readonly writer: XmlDocumentWriter;
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
      if (settings.references.length > 0 && window.length < MAX_WINDOW_RECORDS && this.resolver.unresolvedCount(window, settings.references) < settings.referencesPageSize) continue;
      await this.flush(window);
      window = [];
    }
    await this.flush(window);
    await this.writer.end();
  }

  private async flush(records: Json[]): Promise<void> {
    if (records.length === 0) return;
    if (this.settings.references.length > 0) {
      const warnings = await this.resolver.resolve(records, this.settings.references);
      this.referenceWarnings += warnings.length;
      for (const w of warnings) this.ctx.log.debug('reference not fetched', { record: records[w.recordIndex]?.['id'], reference: w.reference, id: w.id, message: w.message });
    }
    for (const record of records) await this.writer.write(this.kind.record, zynkRecordOrder(record));
    this.written += records.length;
    this.ctx.progress({ records: this.written, pages: this.pages, total: this.total });
  }

  details(watermark: Record<string, string>): Json {
    const lookups = this.resolver.stats;
    return {
      requests: 1 + pageRequests(this.read, this.settings.pageSize) + lookups.requests,
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
  const plan = MODE_WATERMARKS[settings.exportMode];
  const from = plan.filter === undefined ? undefined : await startingWatermark(ctx, plan.filter, settings[plan.filter]);
  const conditions = plan.filter === undefined || from === undefined ? settings.query.conditions : andClause(settings.query.conditions, `${WATERMARK_FIELD[plan.filter]} > [${from}]`);
  const query: CwQuery = { ...settings.query, conditions };

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
  const next = isoSeconds(startedAt - WATERMARK_OVERLAP_MS);
  const watermark: Record<string, string> = {};
  for (const name of plan.advance) {
    watermark[name] = next;
    watermark[`${name}Setting`] = settings[name] ?? '';
  }
  await ctx.watermarks.set(watermark);
  const details = exporter.details({ ...(from === undefined ? {} : { from }), ...Object.fromEntries(plan.advance.map((n) => [n, next])) });
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
