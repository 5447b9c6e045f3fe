// The GL side: which unposted records remain, which an export request selects, and the accounting
// batches that post them. Records themselves come from GlRecords on demand; only the ids posted
// since the last reset are stored.
import { invalid } from '../errors.js';
import type { Json } from '../query/list-query.js';
import type { SandboxSize } from '../types.js';
import { parseDateTime } from '../query/parser.js';
import { ExpenseGl } from './gl-expenses.js';
import { InvoiceGl } from './gl-invoices.js';
import { ProcurementGl } from './gl-procurement.js';
import { GlRecords, type LedgerKind } from './gl-records.js';
import { DAY, EPOCH, Rng, isoZ } from './random.js';
import type { ReferenceData } from './reference.js';

export type { LedgerKind };
export const LEDGER_KINDS: readonly LedgerKind[] = ['invoice', 'expense', 'procurement'];

/** Which records of each kind an export (or a batch) covers. */
export type Selection = Record<LedgerKind, (id: number) => boolean>;

export interface PostedRecord {
  kind: LedgerKind;
  id: number;
}

export class Ledger {
  readonly records: GlRecords;
  readonly invoices: InvoiceGl;
  readonly expenses: ExpenseGl;
  readonly procurement: ProcurementGl;
  readonly batches = new Map<number, Json>();
  /** Batch id → the records it posted (seeded batches posted history outside the unposted range). */
  readonly batchRecords = new Map<number, PostedRecord[]>();
  private readonly posted: Record<LedgerKind, Set<number>> = { invoice: new Set(), expense: new Set(), procurement: new Set() };

  constructor(seed: number, size: SandboxSize, ref: ReferenceData, apiUrl: string) {
    this.records = new GlRecords(seed, size, ref);
    this.invoices = new InvoiceGl(this.records);
    this.expenses = new ExpenseGl(this.records);
    this.procurement = new ProcurementGl(this.records);
    for (let id = 1; id <= size.batches; id++) {
      const rng = new Rng(seed, 70, id);
      const at = EPOCH - (size.batches - id + 1) * 7 * DAY - rng.int(0, 36_000) * 1000;
      const stamp = isoZ(at);
      this.batches.set(id, {
        id,
        batchIdentifier: stamp.replace(/[-:TZ]/g, ''),
        exportInvoicesFlag: rng.chance(0.7),
        exportExpensesFlag: rng.chance(0.4),
        exportProductsFlag: rng.chance(0.3),
        closedFlag: true,
        _info: { dateEntered: stamp, enteredBy: 'Admin1', lastUpdated: stamp, updatedBy: 'Admin1', batchEntries_href: `${apiUrl}/finance/accounting/batches/${id}/entries` },
      });
      this.batchRecords.set(id, []);
    }
  }

  isUnposted(kind: LedgerKind, id: number): boolean {
    return Number.isInteger(id) && id >= 1 && id <= this.records.count(kind) && !this.posted[kind].has(id);
  }

  /** Ascending ids of the unposted records of one kind. */
  *unpostedIds(kind: LedgerKind, select: (id: number) => boolean = () => true): Generator<number> {
    const count = this.records.count(kind);
    const posted = this.posted[kind];
    for (let id = 1; id <= count; id++) if (!posted.has(id) && select(id)) yield id;
  }

  /** The `/finance/accounting/unposted…` list form of one record. */
  unposted(kind: LedgerKind, id: number): Json | undefined {
    if (!this.isUnposted(kind, id)) return undefined;
    if (kind === 'invoice') return this.invoices.unposted(id);
    return kind === 'expense' ? this.expenses.unposted(id) : this.procurement.unposted(id);
  }

  *unpostedList(kind: LedgerKind): Generator<Json> {
    for (const id of this.unpostedIds(kind)) {
      const record = this.unposted(kind, id);
      if (record) yield record;
    }
  }

  /** Reads an ExportAccountingBatchRequest into a selection over unposted records. */
  selection(request: Json): Selection {
    const flags = { invoice: request['exportInvoicesFlag'] === true, expense: request['exportExpensesFlag'] === true, procurement: request['exportProductsFlag'] === true };
    if (!flags.invoice && !flags.expense && !flags.procurement) {
      throw invalid('exportAccountingBatchRequest', 'exportInvoicesFlag', 'InvalidField', 'Batch export must include invoices, expenses, or products (procurement).');
    }
    let thru = Number.POSITIVE_INFINITY;
    if (request['thruDate'] !== undefined && request['thruDate'] !== null) {
      const parsed = typeof request['thruDate'] === 'string' ? parseDateTime(request['thruDate']) : undefined;
      if (parsed === undefined) throw invalid('exportAccountingBatchRequest', 'thruDate', 'InvalidField', 'thruDate must be a date-time.');
      thru = parsed;
    }
    const location = typeof request['locationId'] === 'number' ? request['locationId'] : 0;
    const idSet = (name: string): Set<string> | undefined => (Array.isArray(request[name]) ? new Set((request[name] as unknown[]).map(String)) : undefined);
    const lists: Record<LedgerKind, [Set<string> | undefined, Set<string> | undefined]> = {
      invoice: [idSet('includedInvoiceIds'), idSet('excludedInvoiceIds')],
      expense: [idSet('includedExpenseIds'), idSet('excludedExpenseIds')],
      procurement: [idSet('includedProductIds'), idSet('excludedProductIds')],
    };
    const make = (kind: LedgerKind) => (id: number): boolean => {
      if (!flags[kind]) return false;
      const [included, excluded] = lists[kind];
      if (included && included.size > 0 && !included.has(String(id))) return false;
      if (excluded?.has(String(id))) return false;
      const facts = this.records.facts(kind, id);
      return facts.date <= thru && (location === 0 || facts.locationId === location);
    };
    return { invoice: make('invoice'), expense: make('expense'), procurement: make('procurement') };
  }

  /** Selection of exactly these records (a batch's GLExport). */
  static selectionOf(records: PostedRecord[]): Selection {
    const sets: Record<LedgerKind, Set<number>> = { invoice: new Set(), expense: new Set(), procurement: new Set() };
    for (const r of records) sets[r.kind].add(r.id);
    return { invoice: (id) => sets.invoice.has(id), expense: (id) => sets.expense.has(id), procurement: (id) => sets.procurement.has(id) };
  }

  /**
   * POST /finance/accounting/batches: the batchIdentifier must be new, and every processedRecordId a
   * GL entry of a record still unposted (unknown and already batched ids are refused apart, naming
   * them); the records owning them (whole records, even if only some of their entries are
   * listed) are posted and leave the unposted lists and later exports.
   */
  createBatch(request: Json, apiUrl: string): { batch: Json; records: PostedRecord[] } {
    const ids = request['processedRecordIds'];
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((x) => Number.isInteger(x))) {
      throw invalid('accountingBatch', 'processedRecordIds', 'MissingRequiredField', 'processedRecordIds is required: a non-empty array of GL entry record ids.');
    }
    const given = request['batchIdentifier'];
    if (typeof given === 'string' && given.length > 50) {
      throw invalid('accountingBatch', 'batchIdentifier', 'MaxLengthField', 'The field batchIdentifier must be a string with a maximum length of 50.');
    }
    const now = isoZ(Date.now());
    const identifier = typeof given === 'string' && given !== '' ? given : now.replace(/[-:TZ]/g, '');
    // Identifiers are unique: ConnectWise refuses a second batch with one already used (ObjectExists).
    if ([...this.batches.values()].some((b) => b['batchIdentifier'] === identifier)) {
      throw invalid('accountingBatch', 'batchIdentifier', 'ObjectExists', `A batch with the batchIdentifier "${identifier}" already exists.`);
    }
    const records = new Map<string, PostedRecord>();
    const unknown: number[] = [];
    const batched: number[] = [];
    for (const entry of ids as number[]) {
      const owner = this.records.owner(entry);
      if (!owner) unknown.push(entry);
      else if (!this.isUnposted(owner.kind, owner.id)) batched.push(entry);
      else records.set(`${owner.kind}:${owner.id}`, owner);
    }
    const listed = (list: number[]): string => `${list.slice(0, 20).join(', ')}${list.length > 20 ? ', …' : ''}`;
    if (unknown.length > 0) throw invalid('accountingBatch', 'processedRecordIds', 'NotFound', `GL entries not found: ${listed(unknown)}`);
    if (batched.length > 0) throw invalid('accountingBatch', 'processedRecordIds', 'InvalidField', `GL entries already in a batch: ${listed(batched)}`);
    const list = [...records.values()];
    const kinds = new Set(list.map((r) => r.kind));
    // The flags sent are kept; a request without them gets the kinds its entries are of.
    const flag = (name: string, kind: LedgerKind): boolean => (typeof request[name] === 'boolean' ? (request[name] as boolean) : kinds.has(kind));
    const id = Math.max(0, ...this.batches.keys()) + 1;
    const batch: Json = {
      id,
      batchIdentifier: identifier,
      exportInvoicesFlag: flag('exportInvoicesFlag', 'invoice'),
      exportExpensesFlag: flag('exportExpensesFlag', 'expense'),
      exportProductsFlag: flag('exportProductsFlag', 'procurement'),
      closedFlag: false,
      _info: { dateEntered: now, enteredBy: 'Sandbox', lastUpdated: now, updatedBy: 'Sandbox', batchEntries_href: `${apiUrl}/finance/accounting/batches/${id}/entries` },
    };
    for (const r of list) this.posted[r.kind].add(r.id);
    this.batches.set(id, batch);
    this.batchRecords.set(id, list);
    return { batch, records: list };
  }

  /** DELETE /finance/accounting/batches/{id}: the batch is reversed and its records are unposted again. */
  deleteBatch(id: number): boolean {
    if (!this.batches.delete(id)) return false;
    for (const r of this.batchRecords.get(id) ?? []) this.posted[r.kind].delete(r.id);
    this.batchRecords.delete(id);
    return true;
  }
}
