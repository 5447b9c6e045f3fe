// The pass over the whole file before any request: it proves the file well-formed (a malformed file
// fails as a whole with nothing sent), checks every record, counts them for progress, and finds the
// records that repeat an earlier valid record's invoice (ConnectWise allows one payment per invoice) or
// externalId, so those are refused the same way whatever the concurrency. Keys are kept in typed
// arrays, 12 bytes a record, so a million records cost a few MB, not a Set of strings.
import { hash } from 'node:crypto';
import { DropwiseError } from '../../../errors.js';
import { readRecordBatches } from '../../../xml/reader.js';
import { checkPaymentRecord } from './payment-record.js';

export const INPUT_ROOT = 'InvoicePayments';

export interface FileScan {
  records: number;
  /** Later record index → index of the first valid record for the same invoice. */
  invoiceRepeats: Map<number, number>;
  /** Later record index → index of the first valid record with the same externalId. */
  externalIdRepeats: Map<number, number>;
}

/**
 * (key, record index) pairs, added in file order; finds every pair whose key an earlier pair had.
 * Keys are numbers (an invoice id, or 52 bits of an externalId's hash) so the sort is the native one.
 */
class FirstOccurrences {
  private keys = new Float64Array(1024);
  private indexes = new Uint32Array(1024);
  private size = 0;

  add(key: number, index: number): void {
    if (this.size === this.keys.length) {
      const keys = new Float64Array(this.size * 2);
      const indexes = new Uint32Array(this.size * 2);
      keys.set(this.keys);
      indexes.set(this.indexes);
      this.keys = keys;
      this.indexes = indexes;
    }
    this.keys[this.size] = key;
    this.indexes[this.size++] = index;
  }

  repeats(): Map<number, number> {
    const keys = this.keys.subarray(0, this.size);
    const sorted = keys.slice().sort();
    const repeated = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i] as number);
    // Repeats are rare: only their keys are looked at again, in file order.
    const first = new Map<number, number>();
    const found = new Map<number, number>();
    for (let pos = 0; pos < keys.length; pos++) {
      const key = keys[pos] as number;
      if (!repeated.has(key)) continue;
      const index = this.indexes[pos] as number;
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, index);
      else found.set(index, earlier);
    }
    return found;
  }
}

/**
 * 52 bits of SHA-1 (exact in a double): two different externalIds of a file share them with odds of
 * about n²/2⁵³. The one-shot hash(): a Hash object per record was a sixth of the pass.
 */
function externalIdKey(externalId: string): number {
  return Number.parseInt(hash('sha1', externalId).slice(0, 13), 16);
}

/** Reads the whole file once; `onInvalid` hears every invalid record. Throws for a bad file. */
export async function scanPaymentsFile(file: string, onInvalid?: (index: number, errors: DropwiseError[]) => void): Promise<FileScan> {
  const invoices = new FirstOccurrences();
  const externalIds = new FirstOccurrences();
  let records = 0;
  for await (const batch of readRecordBatches(file, { expectRoot: INPUT_ROOT })) {
    for (const { index, element } of batch) {
      records++;
      const check = checkPaymentRecord(element, index);
      if (!check.ok) {
        onInvalid?.(index, check.errors);
        continue;
      }
      invoices.add(check.record.invoiceId, index);
      if (check.record.externalId !== undefined) externalIds.add(externalIdKey(check.record.externalId), index);
    }
  }
  return { records, invoiceRepeats: invoices.repeats(), externalIdRepeats: externalIds.repeats() };
}

/** The errors of a record that repeats an earlier record's invoice or externalId; none for most. */
export function repeatErrors(scan: FileScan, record: { index: number; invoiceId: number; externalId?: string }): DropwiseError[] {
  const errors: DropwiseError[] = [];
  const no = record.index + 1;
  const invoiceFirst = scan.invoiceRepeats.get(record.index);
  if (invoiceFirst !== undefined) {
    errors.push(
      new DropwiseError(
        'DW_DUPLICATE_IN_FILE',
        `Record ${no}: invoice ${record.invoiceId} already takes its payment from record ${invoiceFirst + 1} of this file; ConnectWise allows one payment per invoice`,
        { field: 'invoice/id', hint: 'Combine them into one record with the total amount' },
      ),
    );
  }
  const externalFirst = scan.externalIdRepeats.get(record.index);
  if (externalFirst !== undefined) {
    errors.push(
      new DropwiseError('DW_DUPLICATE_IN_FILE', `Record ${no}: externalId ${record.externalId ?? ''} is already used by record ${externalFirst + 1} of this file`, {
        field: 'externalId',
        hint: 'Give each payment its own externalId',
      }),
    );
  }
  return errors;
}
