// The truth table as the payments import uses it: externalId → ConnectWise payment id, written in
// batches, each entry remembering which record of which claimed file wrote it, so a file resumed after
// a crash recognises its own earlier work instead of calling it "already processed". Read in batches
// too: the externalIds of the records read ahead are looked up together (getMany), one request per
// window of records rather than one per record (a round trip each with the PostgreSQL state).
import { createHash } from 'node:crypto';
import type { TruthEntry, TruthTable } from '../../../state/store.js';
import { WRITEABLE_FIELDS, type PaymentRecord } from './payment-record.js';
import type { PaymentOutcome } from './payment-rules.js';
import { crashPoint } from '../../../crash-point.js';

export const TRUTH_ENTITY = 'invoicePayment';

/** A hash of the values sent for a record, to tell a changed record from an unchanged one. */
export function sentHash(record: PaymentRecord): string {
  const values = [record.invoiceId, ...WRITEABLE_FIELDS.map((f) => record.fields[f] ?? null)];
  return createHash('sha1').update(JSON.stringify(values)).digest('hex');
}

export class PaymentTruth {
  private batch: TruthEntry[] = [];
  /** ExternalIds read ahead and not yet looked up. */
  private readonly expected = new Set<string>();
  /** ExternalId → its entry (a lookup in flight until it settles); forgotten once its record asked. */
  private readonly known = new Map<string, Promise<TruthEntry | undefined>>();

  constructor(
    private readonly table: TruthTable,
    private readonly connection: string,
    /** The claimed input's file name (`<claim id>__<name>`): the same across a crash and resume. */
    private readonly sourceFile: string,
  ) {}

  /** A record with this externalId was read and will be imported soon: include it in the next lookup. */
  expect(externalId: string): void {
    if (!this.known.has(externalId)) this.expected.add(externalId);
  }

  /**
   * The entry of `externalId`, looked up with every externalId expected so far. Asked once per record:
   * a file never holds an externalId twice (file-scan refuses the repeat), so the answer is then dropped.
   */
  lookup(externalId: string): Promise<TruthEntry | undefined> {
    if (!this.known.has(externalId)) {
      this.expected.add(externalId);
      this.lookUpExpected();
    }
    const found = this.known.get(externalId) as Promise<TruthEntry | undefined>;
    this.known.delete(externalId);
    return found;
  }

  private lookUpExpected(): void {
    const ids = [...this.expected];
    this.expected.clear();
    const answer = this.table.getMany(this.connection, TRUTH_ENTITY, ids);
    for (const id of ids) {
      const entry = answer.then((found) => found.get(id));
      // Handled here too: a record that never asks (the file stopped first) must not leave it unhandled.
      entry.catch(() => undefined);
      this.known.set(id, entry);
    }
  }

  /** The outcome `entry` records if this very record of this file wrote it (a resumed run); else undefined. */
  ownOutcome(entry: TruthEntry, index: number): PaymentOutcome | undefined {
    const source = entry.source;
    return source?.file === this.sourceFile && source.record === index ? { paymentId: entry.id, action: source.action } : undefined;
  }

  /** Queues the entry of a record imported now; nothing for records without an externalId. */
  add(record: PaymentRecord, outcome: PaymentOutcome): void {
    if (record.externalId === undefined) return;
    const now = new Date().toISOString();
    this.batch.push({
      connection: this.connection,
      entity: TRUTH_ENTITY,
      externalId: record.externalId,
      id: outcome.paymentId,
      hash: sentHash(record),
      created: now,
      modified: now,
      source: { file: this.sourceFile, record: record.index, action: outcome.action },
    });
  }

  /** Makes the queued entries durable. */
  async write(): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    await this.table.putMany(batch);
    crashPoint('payment.truth-written');
  }
}
