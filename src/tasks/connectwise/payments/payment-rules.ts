// The seed's rules for one payment, in order: <id> → update that payment; externalId in the truth
// table → update the mapped payment; a payment already on the invoice → update it; otherwise create.
// A create is never sent twice blind: when its outcome is unknown (5xx, dropped connection) or it is
// refused, the invoice's payments are looked at again first, and a payment found there is adopted.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RetryPolicy } from '../../../async/backoff.js';
import { shutdownError } from '../../../async/shutdown.js';
import type { ConnectWiseClient } from '../../../connectors/connectwise/client.js';
import { DropwiseError, isDropwiseError } from '../../../errors.js';
import { isoDateTime } from '../../../time/iso-8601.js';
import type { InvoicePaymentsLookup } from './invoice-payments-lookup.js';
import { WRITEABLE_FIELDS, type PaymentFields, type PaymentRecord } from './payment-record.js';

export type PaymentAction = 'created' | 'updated';

export interface PaymentOutcome {
  paymentId: number;
  action: PaymentAction;
}

interface CwPayment {
  id: number;
  amount?: number | null;
  paymentDate?: string;
  type?: string;
}

interface PatchOperation {
  op: 'replace';
  path: string;
  value: unknown;
}

/** Tries per record when ConnectWise is unavailable or rate-limiting beyond the HTTP retries. */
export interface PaymentRulesOptions extends RetryPolicy {
  signal?: AbortSignal;
  /** Which invoices carry payments, learnt in batches: an invoice without any is created at once. */
  invoicePayments?: InvoicePaymentsLookup;
}

/** What a record's tries have learnt so far. */
interface Tries {
  /** A POST was sent whose outcome is unknown: a payment found afterwards is the one it created. */
  createUnknown: boolean;
}

const paymentsOf = (invoiceId: number) => `/finance/invoices/${invoiceId}/payments`;

/** The same error, about `field` (ConnectWise does not name the field on a 404). */
function about(err: unknown, field: string): unknown {
  if (!(err instanceof DropwiseError) || err.field !== undefined) return err;
  return new DropwiseError(err.code, err.message, { field, httpStatus: err.httpStatus, hint: err.hint, retryable: err.retryable, cause: err });
}

const interrupted = (cause: unknown) => shutdownError('The agent stopped while ConnectWise was being tried again for this record', cause);

/** ConnectWise did not answer properly (5xx, timeout, dropped connection) or kept rate-limiting. */
export const isOutage = (err: unknown): boolean => isDropwiseError(err, 'DW_CW_UNAVAILABLE') || isDropwiseError(err, 'DW_CW_RATE_LIMITED');

function sameValue(field: keyof PaymentFields, current: CwPayment, wanted: unknown): boolean {
  const have = current[field];
  if (field === 'paymentDate') return typeof have === 'string' && isoDateTime(have) === wanted;
  return have === wanted;
}

export class PaymentRules {
  constructor(
    private readonly cw: ConnectWiseClient,
    private readonly options: PaymentRulesOptions,
  ) {}

  /** Applies the rules to one valid record; `mappedId` is the truth table's payment for its externalId. */
  async apply(record: PaymentRecord, mappedId: number | undefined): Promise<PaymentOutcome> {
    const tries: Tries = { createUnknown: false };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(record, mappedId, tries);
      } catch (err) {
        if (!isOutage(err)) throw err;
        // Tries cut short by the stop are not the record's failure: the record is interrupted, not failed.
        if (this.options.signal?.aborted) throw interrupted(err);
        if (attempt >= this.options.attempts) throw err;
        await sleep(this.options.delayMs(attempt), undefined, { signal: this.options.signal }).catch(() => Promise.reject(interrupted(err)));
      }
    }
  }

  private async once(record: PaymentRecord, mappedId: number | undefined, tries: Tries): Promise<PaymentOutcome> {
    const { invoiceId } = record;
    if (record.paymentId !== undefined) {
      const current = await this.cw.get<CwPayment>(`${paymentsOf(invoiceId)}/${record.paymentId}`).catch((err: unknown) => Promise.reject(about(err, 'id')));
      return { paymentId: await this.update(invoiceId, current, record.fields), action: 'updated' };
    }
    if (mappedId !== undefined) {
      const updated = await this.updateMapped(invoiceId, mappedId, record.fields);
      if (updated !== undefined) return { paymentId: updated, action: 'updated' };
    }
    // After a create of unknown outcome the invoice is always looked at: that create may have made it.
    const look = tries.createUnknown || (await this.options.invoicePayments?.carriesPayments(invoiceId)) !== false;
    const existing = look ? await this.paymentOn(invoiceId) : undefined;
    if (existing) return { paymentId: await this.update(invoiceId, existing, record.fields), action: tries.createUnknown ? 'created' : 'updated' };
    return this.create(record, tries);
  }

  /** The payment on an invoice (ConnectWise allows one), if any. */
  private async paymentOn(invoiceId: number): Promise<CwPayment | undefined> {
    const list = await this.cw.get<CwPayment[]>(paymentsOf(invoiceId)).catch((err: unknown) => Promise.reject(about(err, 'invoice/id')));
    return list[0];
  }

  /** PATCHes the fields whose values differ; nothing is sent when none do. */
  private async update(invoiceId: number, current: CwPayment, fields: PaymentFields): Promise<number> {
    const ops = this.operations(fields).filter((op) => !sameValue(op.path as keyof PaymentFields, current, op.value));
    if (ops.length > 0) await this.patch(invoiceId, current.id, ops);
    return current.id;
  }

  /** Rule 2 in one request; undefined when the mapped payment is no longer on this invoice (deleted in ConnectWise). */
  private async updateMapped(invoiceId: number, paymentId: number, fields: PaymentFields): Promise<number | undefined> {
    const ops = this.operations(fields);
    try {
      if (ops.length > 0) await this.patch(invoiceId, paymentId, ops);
      else await this.cw.get<CwPayment>(`${paymentsOf(invoiceId)}/${paymentId}`);
      return paymentId;
    } catch (err) {
      if (isDropwiseError(err, 'DW_CW_NOT_FOUND')) return undefined;
      throw err;
    }
  }

  private operations(fields: PaymentFields): PatchOperation[] {
    return WRITEABLE_FIELDS.filter((f) => fields[f] !== undefined).map((f) => ({ op: 'replace', path: f, value: fields[f] }));
  }

  private async patch(invoiceId: number, paymentId: number, ops: PatchOperation[]): Promise<void> {
    // Replacing values is idempotent, so the HTTP layer may repeat it after a 5xx.
    await this.cw.request('PATCH', `${paymentsOf(invoiceId)}/${paymentId}`, { body: ops, idempotent: true });
  }

  private async create(record: PaymentRecord, tries: Tries): Promise<PaymentOutcome> {
    try {
      const { data } = await this.cw.request<CwPayment>('POST', paymentsOf(record.invoiceId), {
        body: { invoice: { id: record.invoiceId }, ...record.fields },
        idempotent: false,
      });
      return { paymentId: data.id, action: 'created' };
    } catch (err) {
      if (isOutage(err)) {
        // ConnectWise may have created it before failing: the next try looks before creating again.
        if (isDropwiseError(err, 'DW_CW_UNAVAILABLE')) tries.createUnknown = true;
        throw err;
      }
      // Refused: maybe because a payment appeared meanwhile (another agent, a person). Adopt it if so.
      if (isDropwiseError(err, 'DW_CW_VALIDATION')) {
        const appeared = await this.paymentOn(record.invoiceId);
        if (appeared) return { paymentId: await this.update(record.invoiceId, appeared, record.fields), action: 'updated' };
      }
      throw err;
    }
  }
}
