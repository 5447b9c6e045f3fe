// traede.export-invoices (seed 003): pull the invoices Traede has not yet seen exported to `systemId`,
// write them as one <Invoices> file, and only once that file is committed (fsynced, renamed into
// outbox/success) mark them as exported. An invoice that cannot be marked stays unexported and comes
// again next run: delivery is at-least-once, and the downstream recognises an invoice it has by id.
import path from 'node:path';
import { shutdownError } from '../../async/shutdown.js';
import { DropwiseError, toDropwiseError } from '../../errors.js';
import type { TaskContext, TaskDefinition, TaskOutcome } from '../types.js';
import { FILE_PLACEHOLDER, TRAEDE_EXPORT_INVOICES_TYPE, parseExportInvoicesSettings, type TraedeExportInvoicesSettings } from './export-invoices-settings.js';
import { markExported, type MarkResult } from './mark-exported.js';
import { writeInvoicesFile } from './write-invoices.js';

/** Ids quoted in an error message; the run's details keep them all. */
const IDS_IN_MESSAGE = 20;

function unmarkedError(result: MarkResult, total: number, file: string, cause: DropwiseError): DropwiseError {
  const shown = result.unmarked.slice(0, IDS_IN_MESSAGE).join(', ') + (result.unmarked.length > IDS_IN_MESSAGE ? ', …' : '');
  return new DropwiseError(
    cause.code,
    `${result.unmarked.length} of ${total} invoices are in ${file} but were not marked as exported in Traede (${shown}): ${cause.message}`,
    {
      retryable: true,
      cause,
      hint: 'They stay unexported in Traede and come again with the next run; the receiving side should recognise an invoice it already has by its id',
    },
  );
}

async function run(settings: TraedeExportInvoicesSettings, ctx: TaskContext): Promise<TaskOutcome> {
  const { systemId } = settings;
  const client = ctx.connection.traede();
  let invoices;
  try {
    invoices = await client.exportInvoices({ ...settings, signal: ctx.signal });
  } catch (err) {
    throw ctx.signal.aborted ? shutdownError('The agent stopped while Traede invoices were being pulled', err) : toDropwiseError(err);
  }
  ctx.progress({ records: 0, total: invoices.length });
  const empty = { recordsIn: 0, recordsOk: 0, recordsFailed: 0, details: { systemId, marked: 0, unmarked: [] } };
  if (invoices.length === 0 && !settings.writeEmptyFile) return { status: 'empty', outputs: [], ...empty };

  const output = await writeInvoicesFile(ctx, settings.outputFile, invoices);
  const file = path.basename(output);
  ctx.log.info('Traede invoices written', { systemId, invoices: invoices.length, file });
  if (invoices.length === 0) return { status: 'empty', outputs: [output], ...empty };

  const ids = invoices.map((invoice) => invoice.id);
  const note = settings.note.split(FILE_PLACEHOLDER).join(file);
  // The same query without notExportedSince (which brings marked invoices back): what it no longer lists is marked.
  const { notExportedSince: _since, ...unexportedQuery } = settings;
  const stillUnexported = async () => (await client.exportInvoices({ ...unexportedQuery, includeLines: false })).map((invoice) => invoice.id);
  const result = await markExported(client, ids, { systemId, note, log: ctx.log, stillUnexported });
  ctx.progress({ records: invoices.length, total: invoices.length });
  const outcome: TaskOutcome = {
    status: 'success',
    recordsIn: invoices.length,
    recordsOk: result.marked.length,
    recordsFailed: result.unmarked.length,
    outputs: [output],
    details: { systemId, file, marked: result.marked.length, unmarked: result.unmarked },
  };
  if (!result.error) return outcome;
  const error = unmarkedError(result, ids.length, file, result.error);
  ctx.log.warn('Traede invoices left unmarked', { systemId, file, unmarked: result.unmarked.length, code: error.code });
  return { ...outcome, status: 'partial', error };
}

export const traedeExportInvoicesTask: TaskDefinition<TraedeExportInvoicesSettings> = {
  type: TRAEDE_EXPORT_INVOICES_TYPE,
  connector: 'traede',
  summary: 'Export Traede invoices not yet exported to a system as <Invoices> XML, then mark them as exported',
  parseSettings: (raw) => parseExportInvoicesSettings(raw),
  run: ({ settings }, ctx) => run(settings, ctx),
};
