// traede.export-invoices (seed 003): pull the invoices Traede has not yet seen exported to `systemId`,
// streaming them into one <Invoices> file as they arrive (memory stays flat at any tenant size), and
// only once that file is committed (fsynced, renamed into outbox/success) mark them as exported. An
// invoice that cannot be marked stays unexported and comes again next run: delivery is at-least-once,
// and the downstream recognises an invoice it has by id.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { shutdownError } from '../../async/shutdown.js';
import type { BodyProgress } from '../../connectors/api-call.js';
import type { TraedeClient } from '../../connectors/traede/client.js';
import { DropwiseError, toDropwiseError, worthAnotherAttempt } from '../../errors.js';
import type { TaskContext, TaskDefinition, TaskOutcome } from '../types.js';
import { FILE_PLACEHOLDER, TRAEDE_EXPORT_INVOICES_TYPE, parseExportInvoicesSettings, type TraedeExportInvoicesSettings } from './export-invoices-settings.js';
import { markExported, type MarkResult } from './mark-exported.js';
import { writeInvoicesFile, type WrittenInvoices } from './write-invoices.js';

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

/** Pulls made in all when a pull is cut off mid-body (the HTTP layer retries only failures before it). */
export const TRAEDE_PULL_ATTEMPTS = 3;

/** Streams the pull into the output file; a pull cut off mid-way drops the file and starts again. */
async function pullIntoFile(client: TraedeClient, settings: TraedeExportInvoicesSettings, ctx: TaskContext): Promise<WrittenInvoices> {
  const stopped = (err: unknown) => shutdownError('The agent stopped while Traede invoices were being pulled', err);
  for (let attempt = 1; ; attempt++) {
    const pulled: BodyProgress = { bytes: 0 };
    try {
      return await writeInvoicesFile(ctx, settings.outputFile, client.streamInvoices({ ...settings, signal: ctx.signal }, pulled), settings.writeEmptyFile);
    } catch (err) {
      if (ctx.signal.aborted) throw stopped(err);
      const failure = toDropwiseError(err);
      if (pulled.bytes === 0 || !worthAnotherAttempt(failure) || attempt >= TRAEDE_PULL_ATTEMPTS) throw failure;
      ctx.log.warn(`Traede pull failed after ${pulled.bytes} bytes; pulling again from the start (attempt ${attempt + 1} of ${TRAEDE_PULL_ATTEMPTS})`, { code: failure.code });
      await sleep(ctx.retry.delayMs(attempt), undefined, { signal: ctx.signal }).catch((abort: unknown) => {
        throw stopped(abort);
      });
    }
  }
}

async function run(settings: TraedeExportInvoicesSettings, ctx: TaskContext): Promise<TaskOutcome> {
  const { systemId } = settings;
  const client = ctx.connection.traede();
  const { path: output, ids } = await pullIntoFile(client, settings, ctx);
  ctx.progress({ records: ids.length, total: ids.length });
  const empty = { recordsIn: 0, recordsOk: 0, recordsFailed: 0, details: { systemId, marked: 0, unmarked: [] } };
  if (output === undefined) return { status: 'empty', outputs: [], ...empty };
  const file = path.basename(output);
  ctx.log.info('Traede invoices written', { systemId, invoices: ids.length, file });
  if (ids.length === 0) return { status: 'empty', outputs: [output], ...empty };

  const note = settings.note.split(FILE_PLACEHOLDER).join(file);
  // The same query without notExportedSince (which brings marked invoices back): what it no longer lists is marked.
  const { notExportedSince: _since, ...unexportedQuery } = settings;
  const stillUnexported = async () => {
    const unexported: number[] = [];
    for await (const invoice of client.streamInvoices({ ...unexportedQuery, includeLines: false })) unexported.push(invoice.id);
    return unexported;
  };
  const result = await markExported(client, ids, { systemId, note, log: ctx.log, stillUnexported });
  const outcome: TaskOutcome = {
    status: 'success',
    recordsIn: ids.length,
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
