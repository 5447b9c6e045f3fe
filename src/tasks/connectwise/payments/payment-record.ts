// One <InvoicePayment> of an input file, checked before anything is sent: every problem of the record
// is reported (one error each), so a user fixes a record once, not once per problem.
import { DropwiseError } from '../../../errors.js';
import { isNil, type XmlElement } from '../../../xml/reader.js';
import { isoDateTime } from '../../../time/iso-8601.js';

export const RECORD_ELEMENT = 'InvoicePayment';

/** The Payment fields (ConnectWise 2022.1) an import may set; the rest are ConnectWise's own. */
export const WRITEABLE_FIELDS = ['amount', 'paymentDate', 'type'] as const;
export type WriteableField = (typeof WRITEABLE_FIELDS)[number];
export type PaymentFields = Partial<{ amount: number; paymentDate: string; type: string }>;

export interface PaymentRecord {
  /** 0-based position in the file. */
  index: number;
  element: XmlElement;
  invoiceId: number;
  /** `<id>`: the ConnectWise payment to update. */
  paymentId?: number;
  externalId?: string;
  /** The writeable fields present in the input, normalised. */
  fields: PaymentFields;
}

export type RecordCheck = { ok: true; record: PaymentRecord } | { ok: false; errors: DropwiseError[] };

const NOT_IMPORTABLE: Record<string, string> = {
  appliedBy: 'is set by ConnectWise (the API member who applies the payment) and cannot be imported',
  credit: 'applies a credit memo, which this task does not import; import it as a payment amount',
  _info: 'is ConnectWise\'s own bookkeeping and cannot be imported',
};
const INVOICE_CHILDREN = new Set(['id', 'identifier']);
const RECORD_CHILDREN = new Set(['id', 'externalId', 'invoice', ...WRITEABLE_FIELDS]);

const POSITIVE_INT = /^\+?0*[1-9]\d{0,9}$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const INT32_MAX = 2 ** 31 - 1;

const positiveInt = (text: string) => (POSITIVE_INT.test(text) && Number(text) <= INT32_MAX ? Number(text) : undefined);

/** Collects the problems of one record while reading it. */
class RecordReader {
  readonly errors: DropwiseError[] = [];

  constructor(private readonly recordNo: number) {}

  problem(field: string, message: string): void {
    this.errors.push(new DropwiseError('DW_RECORD_INVALID', `Record ${this.recordNo}: ${message}`, { field }));
  }

  /** The element's children by name; unknown and repeated ones are reported. */
  children(el: XmlElement, known: Set<string>, prefix: string): Map<string, XmlElement> {
    const found = new Map<string, XmlElement>();
    for (const child of el.children) {
      const field = `${prefix}${child.name}`;
      if (!known.has(child.name)) {
        const why = prefix === '' ? NOT_IMPORTABLE[child.name] : undefined;
        const allowed = [...known].map((k) => `<${k}>`).join(', ');
        this.problem(field, why ? `<${child.name}> ${why}` : `<${field}> is not a field this task knows (use ${allowed})`);
      } else if (found.has(child.name)) {
        this.problem(field, `<${field}> appears more than once`);
      } else {
        found.set(child.name, child);
      }
    }
    return found;
  }

  /** The trimmed text of a simple value; undefined when absent, nil or (unless `keepEmpty`) empty. */
  text(el: XmlElement | undefined, field: string, keepEmpty = false): string | undefined {
    if (!el || isNil(el)) return undefined;
    if (el.children.length > 0) {
      this.problem(field, `<${field}> must hold a value, not elements`);
      return undefined;
    }
    const text = el.text.trim();
    return text === '' && !keepEmpty ? undefined : text;
  }
}

/** Checks and normalises one record. `index` is its 0-based position in the file. */
export function checkPaymentRecord(element: XmlElement, index: number): RecordCheck {
  const r = new RecordReader(index + 1);
  if (element.name !== RECORD_ELEMENT) {
    r.problem(element.name, `<${element.name}> is not an <${RECORD_ELEMENT}>; an <InvoicePayments> file holds only <${RECORD_ELEMENT}> records`);
    return { ok: false, errors: r.errors };
  }
  const kids = r.children(element, RECORD_CHILDREN, '');

  const invoice = kids.get('invoice');
  let invoiceId: number | undefined;
  if (!invoice || isNil(invoice)) {
    r.problem('invoice/id', '<invoice><id> is required: the ConnectWise invoice the payment is for');
  } else {
    const idText = r.text(r.children(invoice, INVOICE_CHILDREN, 'invoice/').get('id'), 'invoice/id');
    invoiceId = idText === undefined ? undefined : positiveInt(idText);
    if (idText === undefined) r.problem('invoice/id', '<invoice><id> is required: the ConnectWise invoice the payment is for');
    else if (invoiceId === undefined) r.problem('invoice/id', `<invoice><id> must be a positive whole number (was "${idText}")`);
  }

  const idText = r.text(kids.get('id'), 'id');
  const paymentId = idText === undefined ? undefined : positiveInt(idText);
  if (idText !== undefined && paymentId === undefined) r.problem('id', `<id> must be a positive whole number, the ConnectWise payment id (was "${idText}")`);

  const externalId = r.text(kids.get('externalId'), 'externalId', true);
  if (externalId === '') r.problem('externalId', '<externalId> is empty; leave it out or give the id the payment has in your system');

  const fields: PaymentFields = {};
  const amountText = r.text(kids.get('amount'), 'amount');
  if (amountText !== undefined) {
    if (DECIMAL.test(amountText) && Number.isFinite(Number(amountText))) fields.amount = Number(amountText);
    else r.problem('amount', `<amount> must be a number with a dot for decimals, e.g. 10.50 (was "${amountText}")`);
  }
  const dateText = r.text(kids.get('paymentDate'), 'paymentDate');
  if (dateText !== undefined) {
    const date = isoDateTime(dateText);
    if (date !== undefined) fields.paymentDate = date;
    else r.problem('paymentDate', `<paymentDate> must be an ISO 8601 date or date-time, e.g. 2018-10-11T00:00:00Z (was "${dateText}")`);
  }
  const type = r.text(kids.get('type'), 'type');
  if (type !== undefined) fields.type = type;

  if (r.errors.length > 0 || invoiceId === undefined) return { ok: false, errors: r.errors };
  return {
    ok: true,
    record: {
      index,
      element,
      invoiceId,
      ...(paymentId !== undefined ? { paymentId } : {}),
      ...(externalId !== undefined ? { externalId } : {}),
      fields,
    },
  };
}
