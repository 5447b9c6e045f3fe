// The chart of GL accounts (`/finance/glAccounts`, schema GLAccount): one per account number the GL
// exports and batch entries use, so a client can map every entry it receives.
import type { Json } from '../query/list-query.js';
import { EPOCH, isoZ } from './random.js';

const ACCOUNTS: [glType: string, account: string, mappedType: string][] = [
  ['AR', '1200', 'Accounts Receivable'],
  ['RP', '4000', 'Service Revenue'],
  ['IT', '4010', 'Product Revenue'],
  ['ST', '2200', 'Sales Tax'],
  ['EE', '6000', 'Expense'],
  ['EO', '2100', 'Expense Offset'],
  ['AP', '9000', 'Accounts Payable'],
  ['P', '4001', 'Purchases'],
  ['IA', '1111', 'Inventory'],
];

export function buildGlAccounts(): Map<number, Json> {
  const stamp = isoZ(EPOCH - 400 * 86_400_000);
  return new Map(
    ACCOUNTS.map(([glType, account, name], i) => [
      i + 1,
      {
        id: i + 1,
        glType,
        mappedType: { id: i + 1, name },
        mappedRecord: { id: 1, name: 'Head Office' },
        segment1: account,
        _info: { dateEntered: stamp, enteredBy: 'Admin1', lastUpdated: stamp, updatedBy: 'Admin1' },
      },
    ]),
  );
}
