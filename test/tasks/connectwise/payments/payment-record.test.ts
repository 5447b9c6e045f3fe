import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkPaymentRecord } from '../../../../src/tasks/connectwise/payments/payment-record.js';
import { readRecords, type XmlElement } from '../../../../src/xml/reader.js';

async function element(xml: string): Promise<XmlElement> {
  for await (const { element } of readRecords(Readable.from([`<InvoicePayments>${xml}</InvoicePayments>`]))) return element;
  throw new Error('no record');
}

const check = async (xml: string, index = 0) => checkPaymentRecord(await element(xml), index);
const problems = async (xml: string) => {
  const result = await check(xml);
  return result.ok ? [] : result.errors.map((e) => ({ code: e.code, field: e.field, message: e.message }));
};

describe('checkPaymentRecord', () => {
  it('reads the seed sample record', async () => {
    const result = await check(
      '<InvoicePayment><id>2</id><externalId>1234</externalId><invoice><id>206</id></invoice><amount>10</amount><paymentDate>2018-10-11T00:00:00Z</paymentDate></InvoicePayment>',
      4,
    );
    expect(result.ok && result.record).toMatchObject({ index: 4, invoiceId: 206, paymentId: 2, externalId: '1234', fields: { amount: 10, paymentDate: '2018-10-11T00:00:00Z' } });
  });

  it('keeps only the writeable fields present, normalised', async () => {
    const result = await check('<InvoicePayment><invoice><id> 7 </id><identifier>INV-7</identifier></invoice><paymentDate>2024-02-29T00:00:00+02:00</paymentDate><type>Payment</type></InvoicePayment>');
    expect(result.ok && result.record.fields).toEqual({ paymentDate: '2024-02-28T22:00:00Z', type: 'Payment' });
    expect(result.ok && result.record.paymentId).toBeUndefined();
  });

  it('treats empty and nil optional values as absent', async () => {
    const result = await check('<InvoicePayment xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><id /><invoice><id>7</id></invoice><amount xsi:nil="true" /><type></type></InvoicePayment>');
    expect(result.ok && result.record).toMatchObject({ invoiceId: 7, fields: {} });
  });

  it('reports every problem of a record, one error each, with its field', async () => {
    const found = await problems(
      '<InvoicePayment><id>abc</id><externalId> </externalId><invoice><id>-3</id><name>x</name></invoice><amount>10,50</amount><paymentDate>2018-02-30</paymentDate><memo>hi</memo><appliedBy>me</appliedBy></InvoicePayment>',
    );
    expect(found.map((p) => p.field)).toEqual(['memo', 'appliedBy', 'invoice/name', 'invoice/id', 'id', 'externalId', 'amount', 'paymentDate']);
    expect(found.every((p) => p.code === 'DW_RECORD_INVALID' && p.message.startsWith('Record 1: '))).toBe(true);
    expect(found.find((p) => p.field === 'appliedBy')?.message).toContain('set by ConnectWise');
    expect(found.find((p) => p.field === 'amount')?.message).toContain('"10,50"');
  });

  it('requires the invoice id', async () => {
    expect(await problems('<InvoicePayment><amount>1</amount></InvoicePayment>')).toEqual([expect.objectContaining({ field: 'invoice/id', message: expect.stringContaining('required') })]);
    expect(await problems('<InvoicePayment><invoice><identifier>A</identifier></invoice></InvoicePayment>')).toEqual([expect.objectContaining({ field: 'invoice/id' })]);
    expect(await problems('<InvoicePayment><invoice><id>99999999999</id></invoice></InvoicePayment>')).toEqual([expect.objectContaining({ field: 'invoice/id' })]);
  });

  it('refuses repeated elements and other record elements', async () => {
    expect((await problems('<InvoicePayment><invoice><id>1</id></invoice><amount>1</amount><amount>2</amount></InvoicePayment>')).map((p) => p.field)).toEqual(['amount']);
    expect((await problems('<Payment><invoice><id>1</id></invoice></Payment>')).map((p) => p.field)).toEqual(['Payment']);
  });
});
