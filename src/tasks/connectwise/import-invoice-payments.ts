// connectwise.import-invoice-payments (seed 004): an <InvoicePayments> file dropped in the inbox creates
// or updates one ConnectWise payment per record. The file is read twice as a stream: a pre-pass that
// proves it well-formed and finds repeated invoices before anything is sent, then the real pass with
// bounded concurrency, results written in input order, the truth table written per chunk and made
// durable before the outputs are committed.
import path from 'node:path';
import { shutdownError } from '../../async/shutdown.js';
import { DropwiseError } from '../../errors.js';
import { readRecordBatches, readRecords, type XmlRecord } from '../../xml/reader.js';
import { childText, readFailFile } from '../fail-file.js';
import { usableOutputBase } from '../output-name.js';
import { SettingsReader, baseName } from '../settings.js';
import type { TaskContext, TaskDefinition, TaskOutcome, TaskRun, ValidationReport } from '../types.js';
import { INPUT_ROOT, repeatErrors, scanPaymentsFile } from './payments/file-scan.js';
import { announcingInvoices, InvoicePaymentsLookup } from './payments/invoice-payments-lookup.js';
import { runOrdered } from './payments/ordered-pool.js';
import { checkPaymentRecord } from './payments/payment-record.js';
import { PaymentRules } from './payments/payment-rules.js';
import { PaymentTruth } from './payments/payment-truth.js';
import { RecordImporter, type RecordResult } from './payments/record-importer.js';
import { RecordLog } from './payments/record-log.js';
import { ResultFiles } from './payments/result-files.js';

export const IMPORT_INVOICE_PAYMENTS_TYPE = 'connectwise.import-invoice-payments';

export interface ImportPaymentsSettings {
  successFile: string;
  failFile: string;
  preventReprocessing: boolean;
}

/** Records per truth-table batch and progress report. */
const CHUNK = 200;

function parseSettings(raw: Record<string, unknown>, input?: { name: string }): ImportPaymentsSettings {
  const r = new SettingsReader(raw, IMPORT_INVOICE_PAYMENTS_TYPE);
  const inputFile = r.string('inputFile');
  if (!input) {
    throw new DropwiseError(
      'DW_SETTINGS_INVALID',
      inputFile === undefined
        ? `${IMPORT_INVOICE_PAYMENTS_TYPE} imports the records of a dropped <${INPUT_ROOT}> file; it cannot run from a task request or a schedule`
        : `${IMPORT_INVOICE_PAYMENTS_TYPE} does not read files named by a task request (inputFile "${inputFile}"); imports are driven by dropped files`,
      { hint: `Drop the <${INPUT_ROOT}> file into the inbox, or run it with: dropwise run FILE` },
    );
  }
  const base = usableOutputBase(baseName(input.name));
  const settings = {
    successFile: r.fileName('successFile', `${base}_success.xml`),
    failFile: r.fileName('failFile', `${base}_fail.xml`),
    preventReprocessing: r.bool('preventReprocessing', false),
  };
  if (settings.successFile === settings.failFile) r.problem('"successFile" and "failFile" must be different files');
  if (inputFile !== undefined) r.problem(`"inputFile" cannot name another file: the input is the dropped file ${input.name} (was ${JSON.stringify(inputFile)})`);
  r.done();
  return settings;
}

async function run({ settings, input }: TaskRun<ImportPaymentsSettings>, ctx: TaskContext): Promise<TaskOutcome> {
  if (!input) throw new DropwiseError('DW_SETTINGS_INVALID', `${IMPORT_INVOICE_PAYMENTS_TYPE} needs an input file`);
  // Nothing is sent before the whole file is known to be well-formed XML.
  const scan = await scanPaymentsFile(input.path);
  if (scan.records === 0) return { status: 'empty', recordsIn: 0, recordsOk: 0, recordsFailed: 0, outputs: [] };

  const connection = ctx.connection.name('connectwise');
  // A create is not repeated by the HTTP layer after a 5xx (it may have acted): the rules look and retry.
  // A create without an answer may still land for about as long as the client waited for one.
  const client = ctx.connection.connectwise();
  const invoicePayments = new InvoicePaymentsLookup(client, ctx.signal);
  const rules = new PaymentRules(client, { ...ctx.retry, signal: ctx.signal, invoicePayments, settleMs: 2 * ctx.requestTimeoutMs, requestTimeoutMs: ctx.requestTimeoutMs });
  const truth = new PaymentTruth(ctx.truth, connection, path.basename(input.path));
  const log = await RecordLog.open(input.resumeFile);
  const importer = new RecordImporter(scan, truth, rules, settings.preventReprocessing, log);
  const files = new ResultFiles(ctx.outbox, { success: settings.successFile, fail: settings.failFile }, INPUT_ROOT);
  const counts = { ok: 0, failed: 0, interrupted: 0, created: 0, updated: 0, alreadyProcessed: 0 };

  const emit = async ({ element }: XmlRecord, result: RecordResult) => {
    if (result.ok) {
      counts.ok++;
      counts[result.outcome.action]++;
      await files.success(element, { paymentId: result.outcome.paymentId, action: result.outcome.action });
      if (!result.inTruth) truth.add(result.record, result.outcome);
    } else if (result.interrupted) {
      // Left out of both files: the file resumes at the next start and this record is sent again.
      counts.interrupted++;
    } else {
      counts.failed++;
      if (result.alreadyProcessed) counts.alreadyProcessed++;
      await files.fail(element, result.errors);
    }
    const done = counts.ok + counts.failed + counts.interrupted;
    if (done % CHUNK === 0) {
      await truth.write();
      ctx.progress({ records: done, total: scan.records });
    }
  };

  let outputs: string[];
  try {
    const concurrency = ctx.recordConcurrency;
    let stopped: boolean;
    try {
      ({ stopped } = await runOrdered(
        announcingInvoices(readRecordBatches(input.path, { expectRoot: INPUT_ROOT }), { invoices: invoicePayments, truth }),
        { concurrency, window: concurrency * 8, signal: ctx.signal },
        (record) => importer.import(record),
        emit,
      ));
    } finally {
      // Also when the file stops as a whole: what went through is remembered for the next run.
      await log.close();
      await truth.write();
    }
    if (stopped || counts.interrupted > 0) throw shutdownError(`Stopped after ${counts.ok + counts.failed} of ${scan.records} records; the file resumes at the next start`);
    outputs = await files.commit();
  } catch (err) {
    await files.abort();
    throw err;
  }
  ctx.progress({ records: scan.records, total: scan.records });
  return {
    status: counts.failed === 0 ? 'success' : 'partial',
    recordsIn: scan.records,
    recordsOk: counts.ok,
    recordsFailed: counts.failed,
    outputs,
    details: { created: counts.created, updated: counts.updated, alreadyProcessed: counts.alreadyProcessed },
  };
}

/** Well-formedness and every record's checks (including repeated invoices), without any API call. */
async function validateFile(file: string): Promise<ValidationReport> {
  const problems: ValidationReport['problems'] = [];
  const toProblem = (index: number) => (e: DropwiseError) => ({ record: index + 1, code: e.code, message: e.message, ...(e.field !== undefined ? { field: e.field } : {}) });
  let scan;
  try {
    scan = await scanPaymentsFile(file, (index, errors) => problems.push(...errors.map(toProblem(index))));
  } catch (err) {
    if (!(err instanceof DropwiseError)) throw err;
    return { ok: false, records: 0, problems: [{ code: err.code, message: err.fullMessage }] };
  }
  if (scan.invoiceRepeats.size + scan.externalIdRepeats.size > 0) {
    for await (const { element, index } of readRecords(file, { expectRoot: INPUT_ROOT })) {
      const check = checkPaymentRecord(element, index);
      if (check.ok) problems.push(...repeatErrors(scan, check.record).map(toProblem(index)));
    }
    problems.sort((a, b) => (a.record ?? 0) - (b.record ?? 0));
  }
  return { ok: problems.length === 0, records: scan.records, problems };
}

export const importInvoicePaymentsTask: TaskDefinition<ImportPaymentsSettings> = {
  type: IMPORT_INVOICE_PAYMENTS_TYPE,
  connector: 'connectwise',
  summary: 'Creates or updates ConnectWise invoice payments from a dropped <InvoicePayments> file, one result per record',
  inputRoot: INPUT_ROOT,
  parseSettings,
  run,
  validateFile: (file) => validateFile(file),
  readFailures: (failFile) =>
    readFailFile(failFile, INPUT_ROOT, (element) => {
      const invoiceId = childText(element, 'invoice/id') ?? childText(element, 'invoice/identifier');
      const externalId = childText(element, 'externalId');
      return { ...(invoiceId !== undefined ? { invoiceId } : {}), ...(externalId !== undefined ? { externalId } : {}) };
    }),
};
