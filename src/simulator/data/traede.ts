// Traede invoices (reference notes §9) and the per-system "exported" marks behind
// `/v10/invoices/export` and `/v10/invoices/mark-as-exported`.
import type { Json } from '../query/list-query.js';
import type { TraedeMark } from '../types.js';
import { DAY, EPOCH, Rng, round2, traedeDate } from './random.js';

export const TRAEDE_FIRST_ID = 1001;

/**
 * The invoices are built from the seed when asked for, not kept: a tenant of a million invoices costs
 * nothing until it is read, and reading streams. Only invoices changed or added are stored.
 */
export class TraedeData {
  /** Invoices changed (modify) or added (add) since the reset; they take the place of the built ones. */
  private readonly stored = new Map<number, Json>();
  private lastId: number;
  /** system_id → invoice id → mark. */
  readonly marks = new Map<string, Map<number, TraedeMark>>();

  constructor(
    private readonly seed: number,
    count: number,
  ) {
    this.lastId = TRAEDE_FIRST_ID + count - 1;
  }

  has(id: number): boolean {
    return Number.isInteger(id) && id >= TRAEDE_FIRST_ID && id <= this.lastId;
  }

  get(id: number): Json | undefined {
    if (!this.has(id)) return undefined;
    return this.stored.get(id) ?? buildTraedeInvoice(this.seed, id);
  }

  /** Every invoice in id order, built one at a time. */
  *all(): Generator<Json> {
    for (let id = TRAEDE_FIRST_ID; id <= this.lastId; id++) yield this.get(id) as Json;
  }

  modify(id: number, patch: Json = {}): Json | undefined {
    const invoice = this.get(id);
    if (!invoice) return undefined;
    Object.assign(invoice, patch, { id, updated_at: traedeDate(Date.now()) });
    this.stored.set(id, invoice);
    return invoice;
  }

  add(partial: Json = {}): Json {
    const id = ++this.lastId;
    const now = traedeDate(Date.now());
    const invoice = { ...buildTraedeInvoice(0, id), created_at: now, updated_at: now, ...partial, id };
    this.stored.set(id, invoice);
    return invoice;
  }

  mark(systemId: string, invoiceId: number, note: string | undefined): TraedeMark {
    let marks = this.marks.get(systemId);
    if (!marks) {
      marks = new Map();
      this.marks.set(systemId, marks);
    }
    const mark = { invoiceId, note, markedAt: new Date().toISOString() };
    marks.set(invoiceId, mark);
    return mark;
  }
}

function buildTraedeInvoice(seed: number, id: number): Json {
  const rng = new Rng(seed, 80, id);
  const booked = id % 6 !== 0;
  const created = EPOCH - rng.int(5, 300) * DAY + rng.int(0, 86_399) * 1000;
  const updated = Math.min(EPOCH - 1000, created + rng.int(0, 20) * DAY);
  const lines = Array.from({ length: rng.int(1, 4) }, (_, i) => {
    const quantity = rng.int(1, 12);
    const before = rng.money(20, 400);
    const discountPct = rng.pick([0, 0, 5, 10]);
    const discount = round2((before * discountPct) / 100);
    const net = round2(before - discount);
    const vat = round2(net * 0.25);
    return {
      id: id * 10 + i,
      product_id: 10 + rng.int(0, 40),
      variant_id: 100 + rng.int(0, 400),
      quantity,
      price_before_discount: before,
      discount_amount: discount,
      discount_percentage: discountPct,
      net_price: net,
      vat_amount: vat,
      total_price: round2(net * quantity),
      total_price_after_vat: round2((net + vat) * quantity),
      created_at: traedeDate(created),
      updated_at: traedeDate(updated),
    };
  });
  const totalQuantity = lines.reduce((s, l) => s + l.quantity, 0);
  const before = round2(lines.reduce((s, l) => s + l.price_before_discount * l.quantity, 0));
  const discount = round2(lines.reduce((s, l) => s + l.discount_amount * l.quantity, 0));
  const net = round2(before - discount);
  const shipping = rng.pick([0, 50, 75]);
  const vat = round2((net + shipping) * 0.25);
  return {
    id,
    invoice_number: booked ? 10_000 + id : null,
    status: booked ? 'booked' : 'draft',
    order_type: rng.chance(0.8) ? 'b2b' : 'b2c',
    customer_id: 80 + rng.int(0, 30),
    order_id: rng.chance(0.85) ? 5_000 + id : null,
    notes: rng.chance(0.3) ? 'Deliver to the back door' : null,
    currency: rng.pick(['DKK', 'EUR', 'SEK']),
    meta: rng.chance(0.3) ? { season: 'AW24' } : {},
    total_quantity: totalQuantity,
    price_before_discount: before,
    discount_amount: discount,
    discount_percentage: before > 0 ? round2((discount / before) * 100) : 0,
    net_price: net,
    shipping,
    handling_fee: 0,
    vat_amount: vat,
    total_price_after_vat: round2(net + shipping + vat),
    created_at: traedeDate(created),
    updated_at: traedeDate(updated),
    lines,
  };
}
