// Which invoices already carry payments, learnt in batches: the invoice ids of the records read ahead
// are looked up together (`GET /finance/invoices?conditions=id in (…)&fields=id,payments`, one
// request per window of records), so a record for an invoice without payments goes straight to its
// create: one request per new payment instead of two. An invoice's `payments` is the amount paid, so
// a payment of amount 0 reads as none; its create is then refused and the rules adopt the payment
// they find (the refused-create path), as for a payment that appeared meanwhile.
import type { ConnectWiseClient } from '../../../connectors/connectwise/client.js';
import { lookupChunks, lookupCondition } from '../../../connectors/connectwise/references.js';
import type { XmlRecord } from '../../../xml/reader.js';
import { checkPaymentRecord } from './payment-record.js';

/** ConnectWise's largest page: one lookup never needs a second page. */
const MOST_PER_LOOKUP = 1000;

export class InvoicePaymentsLookup {
  /** Ids read ahead and not yet looked up. */
  private readonly expected = new Set<number>();
  /** Invoice id → whether ConnectWise shows payments on it (a lookup in flight until it settles). */
  private readonly known = new Map<number, Promise<boolean | undefined>>();
  /** Lookups sent (for the run's request count). */
  requests = 0;

  constructor(
    private readonly cw: ConnectWiseClient,
    private readonly signal?: AbortSignal,
  ) {}

  /** A record for this invoice was read and will be imported soon: include it in the next lookup. */
  expect(invoiceId: number): void {
    if (!this.known.has(invoiceId)) this.expected.add(invoiceId);
  }

  /**
   * False when ConnectWise shows no payment amount on the invoice (create it at once); true when it
   * does, and undefined when the invoice was not found (look at its payments). Rejects as the lookup did.
   */
  async carriesPayments(invoiceId: number): Promise<boolean | undefined> {
    if (!this.known.has(invoiceId)) {
      this.expected.add(invoiceId);
      this.lookUpExpected();
    }
    return this.known.get(invoiceId);
  }

  private lookUpExpected(): void {
    const ids = [...this.expected];
    this.expected.clear();
    for (const chunk of lookupChunks(ids, MOST_PER_LOOKUP) as number[][]) {
      this.requests++;
      const answer = this.cw
        .get<{ id: number; payments?: number | null }[]>('/finance/invoices', { conditions: lookupCondition('id', chunk), fields: 'id,payments', pageSize: chunk.length }, this.signal)
        .then((invoices) => new Map(invoices.map((i) => [i.id, typeof i.payments === 'number' && i.payments !== 0])));
      // A failed lookup fails the records that asked (as their own request would have), and is sent again for the next try.
      answer.catch(() => {
        for (const id of chunk) this.known.delete(id);
      });
      for (const id of chunk) {
        const carries = answer.then((found) => found.get(id));
        // Handled here too: a record that never asks (the file stopped first) must not leave it unhandled.
        carries.catch(() => undefined);
        this.known.set(id, carries);
      }
    }
  }
}

/** Records read (and their invoices and externalIds announced) before the oldest is handed on: about one lookup per this many records. */
export const LOOKUP_AHEAD = 100;

/** What is told of each valid record read ahead: its invoice, and its externalId (the truth table's batched read). */
export interface RecordAnnouncees {
  invoices: Pick<InvoicePaymentsLookup, 'expect'>;
  truth?: { expect(externalId: string): void };
}

/**
 * Passes the records through in order, telling the lookups each valid record's invoice and externalId
 * `ahead` records before its import, so one lookup covers many records whatever the import's concurrency.
 */
export async function* announcingInvoices(batches: AsyncIterable<XmlRecord[]>, to: RecordAnnouncees, ahead = LOOKUP_AHEAD): AsyncGenerator<XmlRecord> {
  const held: XmlRecord[] = [];
  for await (const batch of batches) {
    for (const record of batch) {
      const check = checkPaymentRecord(record.element, record.index);
      if (check.ok) {
        to.invoices.expect(check.record.invoiceId);
        if (check.record.externalId !== undefined) to.truth?.expect(check.record.externalId);
      }
      held.push(record);
      if (held.length > ahead) yield held.shift() as XmlRecord;
    }
  }
  while (held.length > 0) yield held.shift() as XmlRecord;
}
