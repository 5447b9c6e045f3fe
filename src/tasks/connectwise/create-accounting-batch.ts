// connectwise.create-accounting-batch (Zynk's "Creating Accounting Batches"): posts GL entries in an
// accounting batch, POST /finance/accounting/batches, so later GL exports stop handing the accounting
// package the same entries again. Entries come from a dropped <Batches> file (glRecIds, Zynk's shape)
// or from a GL export run in the run history (`fromRun`). Each batch is created exactly once (see
// batch/creator.ts); its answer, the batch's GLExport, goes to outbox/success as <GLExport> XML
// written by the GL export's own converter, with the same `nullFields` plan ("schema" by default).
import path from 'node:path';
import { DropwiseError } from '../../errors.js';
import type { XmlElement } from '../../xml/reader.js';
import { usableOutputBase } from '../output-name.js';
import { SettingsReader, baseName } from '../settings.js';
import type { TaskContext, TaskDefinition, TaskInputFile, TaskOutcome, TaskRun, ValidationReport } from '../types.js';
import { BATCHES_ROOT, readBatchFile } from './batch/batch-file.js';
import { BatchCreator, type BatchResult } from './batch/creator.js';
import { batchGlRun } from './batch/from-gl-run.js';
import { BATCH_TASK_TYPE, BatchHistory, glRunEntries, type ExportFlags, type RecordedBatch } from './batch/history.js';
import { glExportFileName, identifierForFileBatch, identifierForGlRun } from './batch/identifier.js';
import { ResultFiles } from './payments/result-files.js';
import { NULL_FIELDS_OPTIONS, type NullFields } from './schema/export-shapes.js';

/** `nullFields`: how the batch's <GLExport> answer is written, as for the GL export. */
type BatchSettings =
  | { mode: 'file'; successFile: string; failFile: string; flags: ExportFlags; nullFields: NullFields }
  | { mode: 'fromRun'; fromRun: string; failFile?: string; nullFields: NullFields };

function parseSettings(raw: Record<string, unknown>, input?: Pick<TaskInputFile, 'name'>): BatchSettings {
  const r = new SettingsReader(raw, BATCH_TASK_TYPE);
  if (!input) {
    const fromRun = r.string('fromRun', { required: true });
    const failFile = r.has('failFile') ? r.fileName('failFile', '') : undefined;
    const nullFields = r.oneOf('nullFields', NULL_FIELDS_OPTIONS, 'schema');
    r.done();
    return { mode: 'fromRun', fromRun: fromRun ?? '', ...(failFile === undefined ? {} : { failFile }), nullFields };
  }
  if (r.has('fromRun')) r.problem(`"fromRun" is for task requests; a dropped <${BATCHES_ROOT}> file names its GL entries itself`);
  const base = usableOutputBase(baseName(input.name));
  const settings: BatchSettings = {
    mode: 'file',
    successFile: r.fileName('successFile', `${base}_success.xml`),
    failFile: r.fileName('failFile', `${base}_fail.xml`),
    flags: {
      exportInvoicesFlag: r.bool('exportUnpostedInvoices', true),
      exportExpensesFlag: r.bool('exportUnpostedExpenses', false),
      exportProductsFlag: r.bool('exportUnpostedProcurement', false),
    },
    nullFields: r.oneOf('nullFields', NULL_FIELDS_OPTIONS, 'schema'),
  };
  if (settings.successFile === settings.failFile) r.problem('"successFile" and "failFile" must be different files');
  const { flags } = settings;
  if (!flags.exportInvoicesFlag && !flags.exportExpensesFlag && !flags.exportProductsFlag) {
    r.problem('at least one of "exportUnpostedInvoices", "exportUnpostedExpenses" and "exportUnpostedProcurement" must be True');
  }
  r.done();
  return settings;
}

/** What a batch's line in the success file says: which batch, and whether this run created it. */
function resultOf(batch: RecordedBatch, createdBy: string | undefined): Record<string, unknown> {
  return {
    batchId: batch.batchId ?? null,
    batchIdentifier: batch.batchIdentifier,
    action: batch.action,
    glEntryIdCount: batch.glEntryIdCount,
    ...(batch.output === undefined ? {} : { glExportFile: path.basename(batch.output) }),
    ...(createdBy === undefined ? {} : { createdByRun: createdBy }),
  };
}

function logResult(ctx: TaskContext, result: BatchResult & { ok: true }): void {
  const { batch, createdBy } = result;
  const what = batch.action === 'already created' ? `was already created (batch ${batch.batchId ?? '?'}, run ${createdBy ?? '?'}): nothing new was created` : `${batch.action} (batch ${batch.batchId ?? '?'})`;
  ctx.log.info(`Accounting batch "${batch.batchIdentifier}" of ${batch.glEntryIdCount} GL entries ${what}`, { task: BATCH_TASK_TYPE });
}

async function runFile(settings: BatchSettings & { mode: 'file' }, input: TaskInputFile, ctx: TaskContext): Promise<TaskOutcome> {
  // Nothing is sent before the whole file is read and checked.
  const batches = await readBatchFile(input.path);
  if (batches.length === 0) return { status: 'empty', recordsIn: 0, recordsOk: 0, recordsFailed: 0, outputs: [] };
  const client = ctx.connection.connectwise();
  const creator = new BatchCreator(client, ctx, await BatchHistory.load(ctx.runs, ctx.connection.name('connectwise')), settings.nullFields);
  const files = new ResultFiles(ctx.outbox, { success: settings.successFile, fail: settings.failFile }, BATCHES_ROOT);
  const done: RecordedBatch[] = [];
  const glFiles: string[] = [];
  const apiErrors: DropwiseError[] = [];
  let failed = 0;
  try {
    for (const batch of batches) {
      if (batch.errors.length > 0) {
        failed++;
        await files.fail(batch.element, batch.errors);
        continue;
      }
      const batchIdentifier = batch.batchIdentifier ?? identifierForFileBatch(input.path, batch.index);
      const result = await creator.create({ batchIdentifier, ids: batch.ids, flags: settings.flags });
      if (result.ok) {
        logResult(ctx, result);
        done.push(result.batch);
        if (result.batch.output !== undefined) glFiles.push(result.batch.output);
        await files.success(batch.element, resultOf(result.batch, result.createdBy));
      } else {
        failed++;
        apiErrors.push(result.error);
        await files.fail(batch.element, [result.error]);
      }
      ctx.progress({ records: done.length + failed, total: batches.length });
    }
    // ConnectWise was out for every batch and nothing went through: the file waits for a retry.
    const outage = apiErrors.find((e) => e.retryable);
    if (done.length === 0 && outage && apiErrors.every((e) => e.retryable) && failed === apiErrors.length) throw outage;
    const results = await files.commit();
    return {
      status: failed === 0 ? 'success' : 'partial',
      recordsIn: batches.length,
      recordsOk: done.length,
      recordsFailed: failed,
      outputs: [...glFiles, ...results],
      details: { batches: done },
      ...(failed > 0 ? { error: apiErrors[0] ?? batches.find((b) => b.errors.length > 0)?.errors[0] } : {}),
    };
  } catch (err) {
    await files.abort();
    throw err;
  }
}

/** The batch of a GL export run as a <Batch> element, for the fail file of a task request. */
function requestElement(batchIdentifier: string, fromRun: string, ids: number[]): XmlElement {
  const el = (name: string, content: XmlElement[] | string): XmlElement =>
    typeof content === 'string' ? { name, attributes: {}, children: [], text: content, line: 0 } : { name, attributes: {}, children: content, text: '', line: 0 };
  return el('Batch', [el('batchIdentifier', batchIdentifier), el('fromRun', fromRun), el('glRecIds', ids.map((id) => el('glRecId', String(id))))]);
}

async function runFromGlRun(settings: BatchSettings & { mode: 'fromRun' }, ctx: TaskContext): Promise<TaskOutcome> {
  const { run, ids, flags } = await glRunEntries(ctx.runs, settings.fromRun, ctx.connection.name('connectwise'), ctx.artifacts);
  if (ids.length === 0) {
    ctx.log.info(`GL export run ${run.id} exported no GL entries: there is nothing to batch`, { task: BATCH_TASK_TYPE });
    return { status: 'empty', recordsIn: 0, recordsOk: 0, recordsFailed: 0, outputs: [], details: { fromRun: run.id } };
  }
  const result = await batchGlRun(ctx, ctx.connection.connectwise(), { runId: run.id, ids, flags, nullFields: settings.nullFields });
  if (result.ok) {
    logResult(ctx, result);
    return {
      status: 'success',
      recordsIn: 1,
      recordsOk: 1,
      recordsFailed: 0,
      outputs: result.batch.output === undefined ? [] : [result.batch.output],
      details: { fromRun: run.id, batches: [result.batch], ...(result.createdBy === undefined ? {} : { createdByRun: result.createdBy }) },
    };
  }
  // An outage: the request waits for a retry, which looks the batch up before sending anything.
  if (result.error.retryable) throw result.error;
  const batchIdentifier = identifierForGlRun(run.id);
  const files = new ResultFiles(ctx.outbox, { success: glExportFileName(batchIdentifier), fail: settings.failFile ?? glExportFileName(batchIdentifier).replace(/\.xml$/, '_fail.xml') }, BATCHES_ROOT);
  try {
    await files.fail(requestElement(batchIdentifier, run.id, ids), [result.error]);
    const outputs = await files.commit();
    return { status: 'failed', recordsIn: 1, recordsOk: 0, recordsFailed: 1, outputs, details: { fromRun: run.id }, error: result.error };
  } catch (err) {
    await files.abort();
    throw err;
  }
}

async function run({ settings, input }: TaskRun<BatchSettings>, ctx: TaskContext): Promise<TaskOutcome> {
  if (settings.mode === 'fromRun') return runFromGlRun(settings, ctx);
  if (!input) throw new DropwiseError('DW_SETTINGS_INVALID', `${BATCH_TASK_TYPE} needs a <${BATCHES_ROOT}> file or "fromRun"`);
  return runFile(settings, input, ctx);
}

/** The file's checks (well-formed, a batch request, every batch's ids and identifier), without any API call. */
async function validateFile(file: string): Promise<ValidationReport> {
  try {
    const batches = await readBatchFile(file);
    const problems = batches.flatMap((b) => b.errors.map((e) => ({ record: b.index + 1, code: e.code, message: e.message, ...(e.field === undefined ? {} : { field: e.field }) })));
    return { ok: problems.length === 0, records: batches.length, problems };
  } catch (err) {
    if (!(err instanceof DropwiseError)) throw err;
    return { ok: false, records: 0, problems: [{ code: err.code, message: err.fullMessage }] };
  }
}

export const createAccountingBatchTask: TaskDefinition<BatchSettings> = {
  type: BATCH_TASK_TYPE,
  connector: 'connectwise',
  summary: 'Posts GL entries in a ConnectWise accounting batch (POST /finance/accounting/batches), from a dropped <Batches> file or a GL export run, exactly once',
  inputRoot: BATCHES_ROOT,
  parseSettings,
  run,
  validateFile: (file) => validateFile(file),
};
