// connectwise.export-gl-batch (seed 002): unposted invoices, expenses and/or procurement from
// ConnectWise's accounting interface, streamed from POST /finance/accounting/export straight into a
// <GLExport> file at flat memory, with references fetched in windows of records. The export is a
// preview (it posts nothing), so a failed attempt is safely retried from the start.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectWiseClient } from '../../connectors/connectwise/client.js';
import { ReferenceResolver } from '../../connectors/connectwise/references.js';
import { DropwiseError, worthAnotherAttempt } from '../../errors.js';
import type { TaskContext, TaskDefinition, TaskOutcome, TaskRun } from '../types.js';
import { batchGlRun } from './batch/from-gl-run.js';
import { keptIds, type ExportFlags } from './batch/history.js';
import { exportAttempt, type AttemptResult, type StreamProgress } from './gl/attempt.js';
import type { ReferenceWindows } from './gl/convert.js';
import { GL_ENTRY_ID_PROPERTIES, GlEntryIdSink } from './gl/entry-ids.js';
import { chooseLocation } from './gl/location.js';
import { pathsFoundEmpty, planGlReferences } from './gl/reference-paths.js';
import { glExportStopped } from './gl/stopped.js';
import { EXPORT_GL_BATCH_TYPE, exportRequest, parseGlBatchSettings, type GlBatchSettings } from './gl/settings.js';
import { exportShape } from './schema/export-shapes.js';

/** Attempts at the whole export; only failures a new attempt may fix are retried. */
export const GL_EXPORT_ATTEMPTS = 3;
/** Records of one container whose references are fetched together. */
export const REFERENCE_WINDOW = 200;

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function whatHappened(err: DropwiseError, progress: StreamProgress): string {
  const where = `after ${mb(progress.bytes)} / ${progress.records} records`;
  if (err.code === 'DW_JSON_MALFORMED') return `GL export stream cut off ${where}`;
  if (progress.bytes > 0) return `GL export stream failed ${where} (${err.message})`;
  return `GL export request failed (${err.message})`;
}

/** The reference plan of the settings and, when it fetches anything, the windows that resolve it. */
function referenceWindows(settings: GlBatchSettings, ctx: TaskContext, client: ConnectWiseClient, tally: { warnings: number }) {
  const plan = planGlReferences(settings.referencesToFetch);
  if (plan.notFetched.length > 0) {
    ctx.log.warn('some references cannot be fetched and are left as they are', { task: EXPORT_GL_BATCH_TYPE, references: plan.notFetched });
  }
  if (plan.rounds.size === 0) return { plan, resolver: undefined, windows: undefined };
  const resolver = new ReferenceResolver(client, { pageSize: settings.referencesPageSize, log: ctx.log, signal: ctx.signal });
  const windows: ReferenceWindows = {
    containers: new Set(plan.rounds.keys()),
    windowSize: REFERENCE_WINDOW,
    async resolve(container, records) {
      for (const round of plan.rounds.get(container) ?? []) tally.warnings += (await resolver.resolve(records, round)).length;
    },
  };
  return { plan, resolver, windows };
}

async function run({ settings }: TaskRun<GlBatchSettings>, ctx: TaskContext): Promise<TaskOutcome> {
  const client = ctx.connection.connectwise();
  const location = await chooseLocation(client, settings.locationId, settings.locationName, ctx.signal);
  if ('notFound' in location) {
    ctx.log.warn(`No ConnectWise location is named "${location.notFound}": exporting every location`, { task: EXPORT_GL_BATCH_TYPE, locationName: location.notFound });
  }
  const body = exportRequest(settings, location.locationId);
  const tally = { warnings: 0 };
  const { plan, resolver, windows } = referenceWindows(settings, ctx, client, tally);
  const ids = new GlEntryIdSink(ctx.artifacts);

  let result: AttemptResult | undefined;
  let attempt = 1;
  for (; ; attempt++) {
    const progress: StreamProgress = { bytes: 0, records: 0 };
    const output = await ctx.outbox.create('success', settings.outputFile);
    try {
      result = await exportAttempt(client, body, output, {
        progress,
        references: windows,
        shape: exportShape('GLExport', settings.nullFields),
        signal: ctx.signal,
        onRecord: (container, record) => ids.add(container, record),
        recordProperties: GL_ENTRY_ID_PROPERTIES,
        onProgress: (records) => ctx.progress({ records, message: `${mb(progress.bytes)} of GL export read` }),
      });
      break;
    } catch (caught) {
      await ids.discard();
      const err = caught as DropwiseError;
      const what = whatHappened(err, progress);
      if (!worthAnotherAttempt(err) || attempt >= GL_EXPORT_ATTEMPTS) {
        const tries = attempt > 1 ? ` (attempt ${attempt} of ${GL_EXPORT_ATTEMPTS})` : '';
        ctx.log.error(`${what}; nothing was written${tries}`, { task: EXPORT_GL_BATCH_TYPE, code: err.code });
        throw new DropwiseError(err.code, `${what}; no output was written${tries}`, { hint: err.hint, httpStatus: err.httpStatus, field: err.field, retryable: err.retryable, cause: err });
      }
      ctx.log.warn(`${what}; retrying from the start (attempt ${attempt + 1} of ${GL_EXPORT_ATTEMPTS})`, { task: EXPORT_GL_BATCH_TYPE, code: err.code });
      await sleep(ctx.retry.delayMs(attempt), undefined, { signal: ctx.signal }).catch((abort: unknown) => {
        throw glExportStopped(abort);
      });
    }
  }

  const summary = await ids.finish();
  const foundEmpty = resolver ? pathsFoundEmpty(plan, resolver.paths, result.counts) : [];
  if (foundEmpty.length > 0) ctx.log.warn('some references found nothing to fetch in the exported records', { task: EXPORT_GL_BATCH_TYPE, references: foundEmpty });
  const notFetched = [...plan.notFetched, ...foundEmpty];
  // Kept for the accounting batch of these entries, which takes the same flags.
  const exportFlags: ExportFlags = { exportInvoicesFlag: settings.exportUnpostedInvoices, exportExpensesFlag: settings.exportUnpostedExpenses, exportProductsFlag: settings.exportUnpostedProcurement };
  const details: Record<string, unknown> = {
    ...summary,
    exportFlags,
    counts: result.counts,
    retries: attempt - 1,
    ...(location.locationId === undefined ? {} : { locationId: location.locationId }),
    ...('notFound' in location ? { locationNotFound: location.notFound } : {}),
    ...(resolver ? { references: { ...resolver.stats, warnings: tally.warnings } } : {}),
    ...(notFetched.length > 0 ? { referencesNotFetched: notFetched } : {}),
  };
  const outputs = result.path === undefined ? [] : [result.path];
  // Only after the export's file is committed; a batch that fails leaves the export done (fromRun can retry it).
  const batch = settings.createBatch && result.path !== undefined ? await batchGlRun(ctx, client, { runId: ctx.runId, ids: await keptIds({ ...summary }, ctx.runId, ctx.artifacts), flags: exportFlags, nullFields: settings.nullFields }) : undefined;
  if (batch?.ok) {
    details['batch'] = batch.batch;
    if (batch.batch.output !== undefined) outputs.push(batch.batch.output);
  } else if (batch) details['batchError'] = { code: batch.error.code, message: batch.error.fullMessage };
  return {
    status: result.path === undefined ? 'empty' : batch?.ok === false ? 'partial' : 'success',
    recordsIn: result.records,
    recordsOk: result.records,
    recordsFailed: 0,
    outputs,
    details,
    ...(batch?.ok === false ? { error: batch.error } : {}),
  };
}

export const exportGlBatchTask: TaskDefinition<GlBatchSettings> = {
  type: EXPORT_GL_BATCH_TYPE,
  connector: 'connectwise',
  summary: 'Streams unposted invoices, expenses and/or procurement from ConnectWise\'s accounting interface (POST /finance/accounting/export) into a <GLExport> file',
  parseSettings: (raw) => parseGlBatchSettings(raw),
  run,
};
