// What happens to one record of the file, start to end: checked, refused if it repeats an earlier
// record's invoice or externalId, refused if already imported (preventReprocessing), else sent by the
// rules. Every record ends with a result, except when the file stops as a whole (see file-breaker.ts)
// or the agent stops while a record is being tried again (the record is interrupted, not failed).
import { DropwiseError, toDropwiseError } from '../../../errors.js';
import type { XmlRecord } from '../../../xml/reader.js';
import { FileBreaker, OUTAGE_RECORDS_IN_A_ROW } from './file-breaker.js';
import { repeatErrors, type FileScan } from './file-scan.js';
import { checkPaymentRecord, type PaymentRecord } from './payment-record.js';
import { isOutage, type PaymentOutcome, type PaymentRules } from './payment-rules.js';
import type { PaymentTruth } from './payment-truth.js';
import type { RecordLog } from './record-log.js';

export type RecordResult =
  | {
      ok: true;
      record: PaymentRecord;
      outcome: PaymentOutcome;
      /** Done by an earlier, interrupted run of this same file: reported, not sent again. */
      resumed: boolean;
      /** The truth table already holds this record's entry (written by that earlier run). */
      inTruth: boolean;
    }
  | { ok: false; interrupted: false; errors: DropwiseError[]; alreadyProcessed: boolean }
  /** The agent stopped while the record was being tried again: it is neither done nor failed. */
  | { ok: false; interrupted: true };

/** A record in the fail file is not retried by itself: a "will be retried" hint would mislead. */
function forTheFailFile(err: DropwiseError): DropwiseError {
  if (!err.retryable) return err;
  return new DropwiseError(err.code, err.message, {
    field: err.field,
    httpStatus: err.httpStatus,
    hint: 'ConnectWise kept failing after several tries; drop this record in a new file later to import it',
    cause: err,
  });
}

const failed = (errors: DropwiseError[], alreadyProcessed = false): RecordResult => ({ ok: false, interrupted: false, errors, alreadyProcessed });

export class RecordImporter {
  private readonly breaker: FileBreaker;

  constructor(
    private readonly scan: FileScan,
    private readonly truth: PaymentTruth,
    private readonly rules: PaymentRules,
    private readonly preventReprocessing: boolean,
    private readonly log: RecordLog,
  ) {
    // A small file whose every record meets the outage is an outage too, not N failed records.
    this.breaker = new FileBreaker(Math.max(1, Math.min(OUTAGE_RECORDS_IN_A_ROW, scan.records)));
  }

  async import({ element, index }: XmlRecord): Promise<RecordResult> {
    const check = checkPaymentRecord(element, index);
    if (!check.ok) return failed(check.errors);
    const record = check.record;
    const repeats = repeatErrors(this.scan, record);
    if (repeats.length > 0) return failed(repeats);

    // A resumed file reports what it did before the crash or stop as it was (created stays created).
    const logged = this.log.get(index);
    if (logged?.ok === false) return failed(logged.errors);
    const mapped = record.externalId === undefined ? undefined : await this.truth.lookup(record.externalId);
    const own = mapped && this.truth.ownOutcome(mapped, index);
    const earlier = logged?.outcome ?? own;
    if (earlier) return { ok: true, record, outcome: earlier, resumed: true, inTruth: own !== undefined };
    if (mapped && this.preventReprocessing) {
      return failed(
        [
          new DropwiseError('DW_ALREADY_PROCESSED', `Record ${index + 1}: externalId ${record.externalId ?? ''} was already imported (ConnectWise payment ${mapped.id}, ${mapped.modified})`, {
            field: 'externalId',
            hint: 'Nothing was sent. To import it again, turn preventReprocessing off for this file',
          }),
        ],
        true,
      );
    }
    this.breaker.check();
    let outcome: PaymentOutcome;
    try {
      const earlierCreateAt = this.log.createSentAt(index);
      outcome = await this.rules.apply(record, mapped?.id, { ...(earlierCreateAt !== undefined ? { earlierCreateAt } : {}), beforeCreate: () => this.log.noteCreate(index) });
    } catch (err) {
      const error = toDropwiseError(err);
      if (error.code === 'DW_SHUTDOWN') return { ok: false, interrupted: true };
      this.breaker.failed(error);
      const errors = [forTheFailFile(error)];
      // An outage is not logged: a resumed run tries the record again (a file stopped by the breaker
      // runs again whole).
      if (!isOutage(error)) await this.log.append(index, { ok: false, errors });
      return failed(errors);
    }
    this.breaker.answered();
    await this.log.append(index, { ok: true, outcome });
    return { ok: true, record, outcome, resumed: false, inTruth: false };
  }
}
