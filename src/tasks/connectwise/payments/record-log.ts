// What ConnectWise answered for each record of one claimed file, appended to the claim's resume file
// (TaskInputFile.resumeFile) as each answer comes, so a run resumed after a crash or a stop reports
// every record as it really went (created stays created, with or without an externalId) and sends
// none of them again. Appends are group-committed: one write and fsync carries every line appended
// while the previous one was on its way, so records in flight share their fsyncs.
import { crashPoint } from '../../../crash-point.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DropwiseError, type DwCode } from '../../../errors.js';
import { errnoCode } from '../../../fs/retry.js';
import { errorEntry, type ErrorEntry } from '../../../xml/errors-xml.js';
import type { PaymentOutcome } from './payment-rules.js';

export type LoggedResult = { ok: true; outcome: PaymentOutcome } | { ok: false; errors: DropwiseError[] };

/**
 * One line: the record's index and its payment, or the errors written to the fail file; or, before its
 * create is sent, when it was (`c`, ms epoch), so a run resumed after a crash knows the create may have landed.
 */
type ResultLine = { i: number; p: number; a: PaymentOutcome['action'] } | { i: number; e: ErrorEntry[] };
type Line = ResultLine | { i: number; c: number };

function toResult(line: ResultLine): LoggedResult {
  if ('e' in line) return { ok: false, errors: line.e.map((e) => new DropwiseError(e.code as DwCode, e.message, { field: e.field, httpStatus: e.httpStatus })) };
  return { ok: true, outcome: { paymentId: line.p, action: line.a } };
}

export class RecordLog {
  private pending: string[] = [];
  private batch: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    private readonly results: Map<number, LoggedResult>,
    private readonly createsSent: Map<number, number>,
    private readonly handle: fs.FileHandle | undefined,
    private readonly file: string | undefined,
  ) {}

  /** Reads what earlier attempts logged (a line torn by a crash is skipped); no file: remembers nothing. */
  static async open(file: string | undefined): Promise<RecordLog> {
    const results = new Map<number, LoggedResult>();
    const createsSent = new Map<number, number>();
    if (file === undefined) return new RecordLog(results, createsSent, undefined, undefined);
    let text = '';
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw stateWriteError(file, err);
    }
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      try {
        const line = JSON.parse(raw) as Line;
        if (typeof line.i !== 'number') continue;
        if ('c' in line) createsSent.set(line.i, line.c);
        else results.set(line.i, toResult(line));
      } catch {
        // the torn last line of a crash
      }
    }
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      // A torn last line is ended so the next append starts a line of its own.
      const handle = await fs.open(file, 'a');
      if (text !== '' && !text.endsWith('\n')) await handle.appendFile('\n');
      return new RecordLog(results, createsSent, handle, file);
    } catch (err) {
      throw stateWriteError(file, err);
    }
  }

  /** What an earlier attempt of this file logged for record `index`. */
  get(index: number): LoggedResult | undefined {
    return this.results.get(index);
  }

  /** Logs a record's result; resolves once it is on disk. */
  append(index: number, result: LoggedResult): Promise<void> {
    return this.write(result.ok ? { i: index, p: result.outcome.paymentId, a: result.outcome.action } : { i: index, e: result.errors.map(errorEntry) });
  }

  /** When an earlier attempt was about to send record `index`'s create, if it was (and logged no result). */
  createSentAt(index: number): number | undefined {
    return this.createsSent.get(index);
  }

  /** Notes that record `index`'s create is about to be sent; resolves once that is on disk. */
  noteCreate(index: number): Promise<void> {
    return this.write({ i: index, c: Date.now() });
  }

  private write(line: Line): Promise<void> {
    const handle = this.handle;
    if (!handle) return Promise.resolve();
    this.pending.push(`${JSON.stringify(line)}\n`);
    if (!this.batch) {
      const batch = this.tail.then(async () => {
        // Lines appended from here on go into the next batch.
        this.batch = undefined;
        const text = this.pending.join('');
        this.pending = [];
        try {
          await handle.appendFile(text, 'utf8');
          await handle.sync();
        } catch (err) {
          throw stateWriteError(this.file ?? '', err);
        }
        crashPoint('payment.record-logged');
      });
      this.batch = batch;
      this.tail = batch.catch(() => undefined);
    }
    return this.batch;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.handle?.close();
  }
}

function stateWriteError(file: string, err: unknown): DropwiseError {
  return new DropwiseError('DW_STATE_WRITE', `The record log ${path.basename(file)} could not be written: ${errnoCode(err) ?? (err as Error).message}`, {
    hint: 'Check that the work folder is writable and has free space; the file stays in work/processing and is retried',
    cause: err,
  });
}
