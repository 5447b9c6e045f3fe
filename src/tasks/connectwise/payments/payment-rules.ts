// The seed's rules for one payment, in order: <id> → update that payment; externalId in the truth
// table → update the mapped payment; a payment already on the invoice → update it; otherwise create.
// A create is never sent twice blind: when its outcome is unknown (5xx, dropped connection) or it is
// refused, the invoice's payments are looked at again first, and a payment found there is adopted.
// A create that got no answer at all (a timeout, a dropped connection, a gateway's 502/504) may still
// be at work in ConnectWise: it is not sent again, only looked for until `settleMs` after it was given
// up on, and the record fails with DW_CW_CREATE_UNCONFIRMED if nothing appears by then.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RetryPolicy } from '../../../async/backoff.js';
import { shutdownError } from '../../../async/shutdown.js';
import type { ConnectWiseClient } from '../../../connectors/connectwise/client.js';
import { DropwiseError, isDropwiseError } from '../../../errors.js';
import { isoDateTime } from '../../../time/iso-8601.js';
import type { InvoicePaymentsLookup } from './invoice-payments-lookup.js';
import { WRITEABLE_FIELDS, type PaymentFields, type PaymentRecord } from './payment-record.js';
import { crashPoint } from '../../../crash-point.js';

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
  /** How long after a create was given up on without an answer its payment may still appear (longer than the request timeout). */
  settleMs: number;
  /** Between looks at the invoice while such a create settles. */
  settlePollMs?: number;
  /** How long the client waits for an answer (a create sent by a run that then crashed may land until then, plus settleMs). */
  requestTimeoutMs: number;
  /** Which invoices carry payments, learnt in batches: an invoice without any is created at once. */
  invoicePayments?: InvoicePaymentsLookup;
}

/** A gateway's answer while ConnectWise itself may still be working on the request. */
const GATEWAY_GAVE_UP = new Set([502, 504]);

/** What the record's earlier run left about its create (the claim's record log). */
export interface CreateLog {
  /** When an earlier run of this file was about to send the record's create (ms epoch), if it was. */
  earlierCreateAt?: number;
  /** Notes, durably, that a create is about to be sent: a run resumed after a crash then knows it may have landed. */
  beforeCreate?: () => Promise<void>;
}

/** What a record's tries have learnt so far. */
interface Tries {
  /** An earlier run sent (or was about to send) a create and crashed: until then a payment may still appear (ms epoch). */
  resumeSettleBy?: number;
  beforeCreate?: () => Promise<void>;
  /** A POST was sent whose outcome is unknown: a payment found afterwards is the one it created. */
  createUnknown: boolean;
  /** A POST got no answer and may still land: no create is sent again, and it is looked for until then (ms epoch). */
  settleBy?: number;
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
  async apply(record: PaymentRecord, mappedId: number | undefined, createLog: CreateLog = {}): Promise<PaymentOutcome> {
    const { earlierCreateAt, beforeCreate } = createLog;
    const tries: Tries = {
      // A payment found on the invoice after an earlier run's create is that create's: reported created.
      createUnknown: earlierCreateAt !== undefined,
      ...(earlierCreateAt !== undefined ? { resumeSettleBy: earlierCreateAt + this.options.requestTimeoutMs + this.options.settleMs } : {}),
      ...(beforeCreate ? { beforeCreate } : {}),
    };
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
    if (tries.settleBy !== undefined) return this.awaitUnanswered(record, tries.settleBy);
    if (tries.resumeSettleBy !== undefined) {
      // The crashed run's create may still land; once it can no longer, creating is safe.
      const appeared = await this.paymentBy(invoiceId, tries.resumeSettleBy);
      tries.resumeSettleBy = undefined;
      if (appeared) return { paymentId: await this.update(invoiceId, appeared, record.fields), action: 'created' };
    }
    return this.create(record, tries);
  }

  /** Looks at the invoice until a payment appears on it or `until` (ms epoch) passes. */
  private async paymentBy(invoiceId: number, until: number): Promise<CwPayment | undefined> {
    const pollMs = this.options.settlePollMs ?? Math.min(1000, this.options.settleMs / 4);
    for (;;) {
      const left = until - Date.now();
      if (left <= 0) return undefined;
      await sleep(Math.min(left, pollMs), undefined, { signal: this.options.signal }).catch((err: unknown) => Promise.reject(interrupted(err)));
      const appeared = await this.paymentOn(invoiceId);
      if (appeared) return appeared;
    }
  }

  /** Looks for the payment of a create that got no answer, until `settleBy`; never creates again. */
  private async awaitUnanswered(record: PaymentRecord, settleBy: number): Promise<PaymentOutcome> {
    const appeared = await this.paymentBy(record.invoiceId, settleBy);
    if (!appeared) {
      throw new DropwiseError(
        'DW_CW_CREATE_UNCONFIRMED',
        `Record ${record.index + 1}: the payment create for invoice ${record.invoiceId} got no answer and no payment appeared on the invoice within ${Math.round(this.options.settleMs / 1000)} s; it was not sent again`,
        { field: 'invoice/id', hint: `Look at invoice ${record.invoiceId} in ConnectWise: if it has no payment, drop this record again in a new file` },
      );
    }
    return { paymentId: await this.update(record.invoiceId, appeared, record.fields), action: 'created' };
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
    crashPoint('payment.update-answered');
  }

  private async create(record: PaymentRecord, tries: Tries): Promise<PaymentOutcome> {
    await tries.beforeCreate?.();
    try {
      crashPoint('payment.create-sent');
      const { data } = await this.cw.request<CwPayment>('POST', paymentsOf(record.invoiceId), {
        body: { invoice: { id: record.invoiceId }, ...record.fields },
        idempotent: false,
      });
      crashPoint('payment.create-answered');
      return { paymentId: data.id, action: 'created' };
    } catch (err) {
      if (isOutage(err)) {
        // ConnectWise may have created it before failing: the next try looks before creating again.
        if (isDropwiseError(err, 'DW_CW_UNAVAILABLE')) {
          tries.createUnknown = true;
          const unanswered = err.httpStatus === undefined || GATEWAY_GAVE_UP.has(err.httpStatus);
          if (unanswered) tries.settleBy = Date.now() + this.options.settleMs;
        }
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
