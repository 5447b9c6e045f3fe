// When to stop a payments file as a whole instead of failing its records one by one: credentials or
// rights ConnectWise refuses (every record would fail the same way), or an outage that outlasted the
// HTTP retries and each record's own tries for several records in a row. Records already imported
// stay safe: the whole file runs again later and the rules find their payments (updated, never created twice).
import { DropwiseError } from '../../../errors.js';
import { isOutage } from './payment-rules.js';

/** Outage failures in a row (in the order records finish) that stop the file. */
export const OUTAGE_RECORDS_IN_A_ROW = 5;

const REFUSED_ACCESS = new Set(['DW_CW_AUTH', 'DW_CW_FORBIDDEN']);

export class FileBreaker {
  private inARow = 0;
  private tripped: DropwiseError | undefined;

  constructor(private readonly limit = OUTAGE_RECORDS_IN_A_ROW) {}

  /** Throws the file's failure once it has one: no further record is sent. */
  check(): void {
    if (this.tripped) throw this.tripped;
  }

  /** ConnectWise answered for a record (whatever it said about the record itself). */
  answered(): void {
    this.inARow = 0;
  }

  /** A record failed with `err`: throws when that fails the whole file, else returns. */
  failed(err: DropwiseError): void {
    // About the connection, not a field of the record it happened on.
    if (REFUSED_ACCESS.has(err.code)) this.trip(new DropwiseError(err.code, err.message, { hint: err.hint, httpStatus: err.httpStatus, cause: err }));
    if (!isOutage(err)) return this.answered();
    if (++this.inARow < this.limit) return;
    this.trip(
      new DropwiseError('DW_CW_UNAVAILABLE', `ConnectWise failed ${this.inARow} records in a row (${err.message}); the file was stopped rather than fail every record`, {
        hint: 'Run the file again once ConnectWise answers: records already imported are found again and updated, not created twice',
        httpStatus: err.httpStatus,
        retryable: true,
        cause: err,
      }),
    );
  }

  private trip(err: DropwiseError): never {
    this.tripped ??= err;
    throw this.tripped;
  }
}
