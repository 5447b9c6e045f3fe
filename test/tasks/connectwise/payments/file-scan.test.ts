import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repeatErrors, scanPaymentsFile } from '../../../../src/tasks/connectwise/payments/file-scan.js';
import { makeTempDirSync } from '../../../support/temp-dir.js';

const dir = makeTempDirSync('dw-scan-');
const file = (name: string, body: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, body);
  return p;
};
const payment = (invoice: number | string, externalId?: string) =>
  `<InvoicePayment>${externalId ? `<externalId>${externalId}</externalId>` : ''}<invoice><id>${invoice}</id></invoice><amount>1</amount></InvoicePayment>`;

describe('scanPaymentsFile', () => {
  it('counts records, reports invalid ones and finds repeated invoices and externalIds among valid records', async () => {
    const p = file('a.xml', `<InvoicePayments>${[payment(5, 'A'), payment('x'), payment(6, 'B'), payment(5, 'C'), payment(7, 'A'), payment(5)].join('')}</InvoicePayments>`);
    const invalid: number[] = [];
    const scan = await scanPaymentsFile(p, (index) => invalid.push(index));
    expect(scan.records).toBe(6);
    expect(invalid).toEqual([1]);
    expect([...scan.invoiceRepeats]).toEqual([
      [3, 0],
      [5, 0],
    ]);
    expect([...scan.externalIdRepeats]).toEqual([[4, 0]]);
    expect(repeatErrors(scan, { index: 3, invoiceId: 5 }).map((e) => [e.code, e.field, e.message])).toEqual([
      ['DW_DUPLICATE_IN_FILE', 'invoice/id', 'Record 4: invoice 5 already takes its payment from record 1 of this file; ConnectWise allows one payment per invoice'],
    ]);
    expect(repeatErrors(scan, { index: 4, invoiceId: 7, externalId: 'A' }).map((e) => e.field)).toEqual(['externalId']);
    expect(repeatErrors(scan, { index: 2, invoiceId: 6 })).toEqual([]);
  });

  it('finds repeats among many records (the packed arrays grow)', async () => {
    const records = Array.from({ length: 5000 }, (_, i) => payment(i % 2500 + 1, `E${i}`)).join('');
    const scan = await scanPaymentsFile(file('b.xml', `<InvoicePayments>${records}</InvoicePayments>`));
    expect(scan.invoiceRepeats.size).toBe(2500);
    expect(scan.invoiceRepeats.get(2500 + 17)).toBe(17);
    expect(scan.externalIdRepeats.size).toBe(0);
  });

  it('fails a malformed file or another root as a whole', async () => {
    await expect(scanPaymentsFile(file('c.xml', `<InvoicePayments>${payment(1)}<InvoicePayment>`))).rejects.toMatchObject({ code: 'DW_XML_MALFORMED' });
    await expect(scanPaymentsFile(file('d.xml', `<Invoices>${payment(1)}</Invoices>`))).rejects.toMatchObject({ code: 'DW_UNKNOWN_ROOT' });
  });
});
