// A batch's entries (`/finance/accounting/batches/{id}/entries`, schema BatchEntry): one per GL entry
// id it posted, read off the same GLExport forms the batch returned, so entries and export agree.
// Revenue, tax and purchase lines carry negative totals in the export (credits); expenses are debits.
import type { Json } from '../query/list-query.js';
import type { Ledger, PostedRecord } from './ledger.js';
import type { Refs } from './refs.js';

function amounts(total: number): Json {
  return total < 0 ? { debit: 0, credit: -total } : { debit: total, credit: 0 };
}

function entriesOf(ledger: Ledger, record: PostedRecord, refs: Refs, invoiceIdOf: (documentNumber: string) => number | undefined): Json[] {
  if (record.kind === 'expense') {
    const expense = ledger.expenses.expense(record.id);
    const unposted = ledger.expenses.unposted(record.id);
    return [
      {
        id: expense['id'],
        accountType: expense['glTypeId'],
        name: expense['description'],
        accountNumber: expense['accountNumber'],
        ...amounts(expense['total'] as number),
        cost: 0,
        expense: { id: unposted['expenseDetailId'], amount: expense['total'] },
      },
    ];
  }
  if (record.kind === 'invoice') {
    const transaction = ledger.invoices.transaction(record.id);
    const documentNumber = String(transaction['documentNumber']);
    const invoiceId = invoiceIdOf(documentNumber);
    const invoice = invoiceId === undefined ? undefined : refs.make('invoice_href', '/finance/invoices', invoiceId, undefined, { identifier: documentNumber, billingType: 'Standard', applyToType: 'All' });
    return (transaction['detail'] as Json[]).map((line) => ({
      id: line['id'],
      accountType: line['glTypeId'],
      name: line['description'],
      accountNumber: line['accountNumber'],
      ...amounts(line['total'] as number),
      cost: line['cost'] ?? 0,
      ...(line['glItemId'] ? { item: line['glItemId'] } : {}),
      ...(line['salesCode'] ? { salesCode: line['salesCode'] } : {}),
      ...(invoice ? { invoice } : {}),
    }));
  }
  const purchase = ledger.procurement.purchaseTransaction(record.id);
  const po = ledger.procurement.unposted(record.id)['purchaseOrder'] as Json | undefined;
  return (purchase['purchaseDetail'] as Json[]).map((line) => ({
    id: line['id'],
    accountType: line['glTypeId'],
    name: line['memo'] || line['description'],
    accountNumber: line['accountNumber'],
    ...amounts(line['total'] as number),
    cost: line['cost'] ?? 0,
    item: line['glItemId'],
    salesCode: line['salesCode'],
    costOfGoodsSoldAccountNumber: line['costAccountNumber'],
    ...(po ? { purchaseOrder: po } : {}),
  }));
}

export function batchEntries(ledger: Ledger, records: PostedRecord[], refs: Refs, invoiceIdOf: (documentNumber: string) => number | undefined): Json[] {
  return records.flatMap((r) => entriesOf(ledger, r, refs, invoiceIdOf)).sort((a, b) => (a['id'] as number) - (b['id'] as number));
}
