// Creates one accounting batch exactly once. The order of steps is what makes it safe:
//   1. the run history already has a batch of exactly these entries, still in ConnectWise → done, nothing sent;
//   2. ConnectWise has a batch with this identifier → it is ours if it holds these entries (then its
//      <GLExport> is fetched again, as the first answer never arrived), else the identifier is taken;
//   3. only then POST /finance/accounting/batches. An answer lost on the way back (timeout, dropped or
//      cut-off connection) goes back to step 2: the create is looked up, never sent again blindly.
//      A refusal goes back to step 2 once too (another agent may have just created it).
// The identifier is the same on every retry of the same work (see identifier.ts), so even a crash
// between sending and recording is found again at step 2.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectWiseClient } from '../../../connectors/connectwise/client.js';
import { DropwiseError, toDropwiseError, type DwCode } from '../../../errors.js';
import type { TaskContext } from '../../types.js';
import { exportAttempt, type StreamProgress } from '../gl/attempt.js';
import { GL_ENTRY_ID_PROPERTIES, glEntryIdsOf } from '../gl/entry-ids.js';
import { exportShape, type NullFields } from '../schema/export-shapes.js';
import type { XmlShape } from '../../../xml/json-to-xml.js';
import { BATCH_TASK_TYPE, entriesKey, type BatchHistory, type ExportFlags, type RecordedBatch } from './history.js';
import { glExportFileName } from './identifier.js';
import { crashPoint } from '../../../crash-point.js';

export const BATCHES_PATH = '/finance/accounting/batches';
/** Creates sent for one batch, each only after a lookup showed the previous one did not land. */
export const CREATE_ATTEMPTS = 3;

export interface BatchRequest {
  batchIdentifier: string;
  /** Sorted, without repeats. */
  ids: number[];
  flags: ExportFlags;
  fromRun?: string;
}

export type BatchResult = { ok: true; batch: RecordedBatch; createdBy?: string } | { ok: false; error: DropwiseError };

/** Failures that stop the whole run: nothing about this batch, the next would meet them too. */
const STOPS_THE_RUN: ReadonlySet<DwCode> = new Set<DwCode>(['DW_CW_AUTH', 'DW_OUTPUT_WRITE', 'DW_OUTPUT_PATH', 'DW_STATE_WRITE', 'DW_STATE_SCHEMA', 'DW_SHUTDOWN']);
/** The request may have reached ConnectWise and acted; only the answer is missing. */
const ANSWER_LOST: ReadonlySet<DwCode> = new Set<DwCode>(['DW_CW_UNAVAILABLE', 'DW_HTTP_TIMEOUT', 'DW_HTTP_NETWORK', 'DW_JSON_MALFORMED', 'DW_CW_RESPONSE']);

const listed = (ids: readonly number[]): string => `${ids.slice(0, 20).join(', ')}${ids.length > 20 ? `, … (${ids.length} in all)` : ''}`;

export class BatchCreator {
  /** How the batch's <GLExport> is written: the GL export's own plan for `nullFields`. */
  private readonly shape: XmlShape | undefined;

  constructor(
    private readonly client: ConnectWiseClient,
    private readonly ctx: TaskContext,
    private readonly history: BatchHistory,
    nullFields: NullFields,
  ) {
    this.shape = exportShape('GLExport', nullFields);
  }

  /** One batch's result; throws only what stops the whole run (see STOPS_THE_RUN). */
  async create(request: BatchRequest): Promise<BatchResult> {
    try {
      const result = await this.createOnce(request);
      if (result.ok && result.batch.batchId !== undefined) this.history.add(result.batch, this.ctx.runId);
      return result;
    } catch (caught) {
      const err = toDropwiseError(caught);
      if (STOPS_THE_RUN.has(err.code) || this.ctx.signal.aborted) throw err;
      return { ok: false, error: err };
    }
  }

  private async createOnce(request: BatchRequest): Promise<BatchResult> {
    const key = entriesKey(request.ids);
    const known = this.history.byEntries(key);
    if (known?.batchId !== undefined) {
      if (await this.stillThere(known.batchId)) {
        const { run, ...batch } = known;
        return { ok: true, batch: { ...batch, action: 'already created', ...(request.fromRun ? { fromRun: request.fromRun } : {}), output: undefined }, createdBy: run };
      }
      this.ctx.log.warn(`Batch ${known.batchId} ("${known.batchIdentifier}") of these GL entries was deleted in ConnectWise: creating it again`, { task: BATCH_TASK_TYPE });
    }
    let refusal: DropwiseError | undefined;
    let lost: DropwiseError | undefined;
    for (let attempt = 1; ; attempt++) {
      const found = await this.lookup(request.batchIdentifier, lost);
      if (found !== undefined) return this.adopt(found, request, key);
      if (refusal) return { ok: false, error: this.refused(request, refusal) };
      try {
        const output = await this.send(request);
        // The answer is the batch's GLExport, which does not say the batch's id: read it back.
        const batchId = await this.lookup(request.batchIdentifier).catch(() => undefined);
        return { ok: true, batch: this.recorded(request, key, 'created', batchId, output) };
      } catch (caught) {
        const err = toDropwiseError(caught);
        if (err.code === 'DW_CW_VALIDATION') {
          refusal = err;
          continue;
        }
        if (!ANSWER_LOST.has(err.code) || attempt >= CREATE_ATTEMPTS) throw this.lostFor(request, err, lost !== undefined || ANSWER_LOST.has(err.code));
        lost = err;
        this.ctx.log.warn(`The answer to creating batch "${request.batchIdentifier}" was lost (${err.message}); looking it up before anything is sent again`, { task: BATCH_TASK_TYPE, code: err.code });
        await sleep(this.ctx.retry.delayMs(attempt), undefined, { signal: this.ctx.signal });
      }
    }
  }

  /** The id of the batch with this identifier, if ConnectWise has one. */
  private async lookup(batchIdentifier: string, lost?: DropwiseError): Promise<number | undefined> {
    try {
      const found = await this.client.get<{ id?: number }[]>(BATCHES_PATH, { conditions: `batchIdentifier = "${batchIdentifier}"`, pageSize: 2 }, this.ctx.signal);
      return found.find((b) => typeof b.id === 'number')?.id;
    } catch (caught) {
      const err = toDropwiseError(caught);
      throw lost ? this.lostFor({ batchIdentifier }, err, true) : err;
    }
  }

  private async stillThere(batchId: number): Promise<boolean> {
    try {
      await this.client.get(`${BATCHES_PATH}/${batchId}`, undefined, this.ctx.signal);
      return true;
    } catch (err) {
      if (err instanceof DropwiseError && err.code === 'DW_CW_NOT_FOUND') return false;
      throw err;
    }
  }

  /** POST /finance/accounting/batches, its GLExport answer streamed into the batch's file. */
  private async send(request: BatchRequest): Promise<string | undefined> {
    const body = { batchIdentifier: request.batchIdentifier, ...request.flags, processedRecordIds: request.ids };
    const output = await this.ctx.outbox.create('success', glExportFileName(request.batchIdentifier));
    const progress: StreamProgress = { bytes: 0, records: 0 };
    crashPoint('batch.create-sent');
    const result = await exportAttempt(this.client, body, output, { resource: BATCHES_PATH, idempotent: false, progress, shape: this.shape, signal: this.ctx.signal });
    crashPoint('batch.create-answered');
    return result.path;
  }

  /**
   * A batch with our identifier exists: re-export it (POST …/batches/{id}/export) and keep that
   * GLExport as the answer that never arrived — only if it holds every one of our entries.
   */
  private async adopt(batchId: number, request: BatchRequest, key: string): Promise<BatchResult> {
    const theirs = new Set<string>();
    const ours = (): boolean => request.ids.every((id) => theirs.has(String(id)));
    const output = await this.ctx.outbox.create('success', glExportFileName(request.batchIdentifier));
    const result = await exportAttempt(this.client, { ...request.flags }, output, {
      resource: `${BATCHES_PATH}/${batchId}/export`,
      progress: { bytes: 0, records: 0 },
      shape: this.shape,
      signal: this.ctx.signal,
      onRecord: (container, record) => {
        for (const id of glEntryIdsOf(container, record)) theirs.add(id);
      },
      recordProperties: GL_ENTRY_ID_PROPERTIES,
      accept: ours,
    });
    if (!ours()) {
      return {
        ok: false,
        error: new DropwiseError('DW_BATCH_IDENTIFIER_TAKEN', `ConnectWise already has batch ${batchId} with the batchIdentifier "${request.batchIdentifier}", and it does not hold these GL entries (${listed(request.ids)})`, {
          field: 'batchIdentifier',
          hint: 'Give this batch a batchIdentifier of its own; ConnectWise keeps them unique',
        }),
      };
    }
    this.ctx.log.info(`Batch "${request.batchIdentifier}" (id ${batchId}) of these GL entries was already in ConnectWise: its answer is written now`, { task: BATCH_TASK_TYPE });
    return { ok: true, batch: this.recorded(request, key, 'recovered', batchId, result.path) };
  }

  private recorded(request: BatchRequest, key: string, action: RecordedBatch['action'], batchId: number | undefined, output: string | undefined): RecordedBatch {
    return {
      batchIdentifier: request.batchIdentifier,
      ...(batchId === undefined ? {} : { batchId }),
      action,
      glEntryIdCount: request.ids.length,
      entriesKey: key,
      ...(request.fromRun === undefined ? {} : { fromRun: request.fromRun }),
      ...(output === undefined ? {} : { output }),
    };
  }

  /** ConnectWise refused the create and has no batch with our identifier: say which entries, and why. */
  private refused(request: BatchRequest, err: DropwiseError): DropwiseError {
    if (err.field !== 'processedRecordIds') return err;
    return new DropwiseError('DW_BATCH_ENTRIES_REFUSED', `ConnectWise refused the GL entries of batch "${request.batchIdentifier}" (${listed(request.ids)}): ${err.message.replace(/^ConnectWise: /, '')}`, {
      field: 'glRecIds',
      httpStatus: err.httpStatus,
      hint: 'GL entries already in another batch, or unknown to ConnectWise, cannot be batched; take them out, or delete the other batch first',
    });
  }

  /** A failure after which nobody knows whether the batch landed: the next try looks it up first. */
  private lostFor(request: Pick<BatchRequest, 'batchIdentifier'>, err: DropwiseError, mayHaveLanded: boolean): DropwiseError {
    if (!mayHaveLanded) return err;
    return new DropwiseError(err.code, `Batch "${request.batchIdentifier}": the create's answer was lost and ConnectWise could not be asked whether it landed (${err.message})`, {
      httpStatus: err.httpStatus,
      retryable: true,
      hint: 'Nothing is sent twice: the next try looks the batch up by its identifier before creating it',
      cause: err,
    });
  }
}
