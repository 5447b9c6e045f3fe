// Invoice payments: one per invoice, validation, PUT/PATCH/DELETE, and the invoice following along.
import { describe, expect, it } from 'vitest';
import { withSandbox } from '../../support/sandbox.js';
import { cw, q, type Row } from '../helpers.js';

describe('/finance/invoices/{id}/payments', () => {
  const sandbox = withSandbox();

  const unpaid = (): Row => {
    const invoice = sandbox().control.invoices().find((i) => sandbox().control.paymentsForInvoice(i['id'] as number).length === 0);
    if (!invoice) throw new Error('no unpaid invoice');
    return invoice;
  };

  it('seeds some invoices with a payment and many without', () => {
    const invoices = sandbox().control.invoices();
    const paid = invoices.filter((i) => (i['payments'] as number) > 0).length;
    expect(paid).toBeGreaterThan(10);
    expect(paid).toBeLessThan(invoices.length / 2);
  });

  it('creates one payment (201) and the invoice balance follows', async () => {
    const sb = sandbox();
    const invoice = unpaid();
    const id = invoice['id'] as number;
    const before = Date.now() - 1000;
    const created = await cw<Row>(sb, `/finance/invoices/${id}/payments`, { method: 'POST', body: { amount: 10, paymentDate: '2018-10-11T00:00:00Z' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'Payment', amount: 10, paymentDate: '2018-10-11T00:00:00Z', invoice: { id, identifier: invoice['invoiceNumber'] } });
    const after = (await cw<Row>(sb, `/finance/invoices/${id}`)).body;
    expect(after['payments']).toBe(10);
    expect(after['balance']).toBeCloseTo((invoice['total'] as number) - 10, 2);
    expect(Date.parse((after['_info'] as Row)['lastUpdated'] as string)).toBeGreaterThanOrEqual(before);
    expect(sb.control.created().payments.map((p) => p['id'])).toContain(created.body['id']);

    const again = await cw<Row>(sb, `/finance/invoices/${id}/payments`, { method: 'POST', body: { amount: 5 } });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 'InvalidObject', errors: [{ code: 'ObjectExists', field: 'invoice' }] });
    expect((await cw<Row[]>(sb, `/finance/invoices/${id}/payments`)).body).toHaveLength(1);
  });

  it('validates amount and paymentDate, and 404s a missing invoice', async () => {
    const sb = sandbox();
    const invoice = unpaid();
    const url = `/finance/invoices/${String(invoice['id'])}/payments`;
    for (const amount of [0, -1, 'ten', (invoice['total'] as number) + 1]) {
      const r = await cw<Row>(sb, url, { method: 'POST', body: { amount } });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ errors: [{ field: 'amount' }] });
    }
    const badDate = await cw<Row>(sb, url, { method: 'POST', body: { amount: 1, paymentDate: 'yesterday' } });
    expect(badDate.body).toMatchObject({ errors: [{ field: 'paymentDate' }] });
    const missing = await cw<Row>(sb, '/finance/invoices/999999/payments', { method: 'POST', body: { amount: 1 } });
    expect(missing.status).toBe(404);
    expect(missing.body['message']).toBe('Invoice recId 999999 not found');
  });

  it('updates with PUT and PATCH (with or without a leading slash) and deletes with 204', async () => {
    const sb = sandbox();
    const invoice = unpaid();
    const base = `/finance/invoices/${String(invoice['id'])}/payments`;
    const { body: payment } = await cw<Row>(sb, base, { method: 'POST', body: { amount: 3 } });
    const url = `${base}/${String(payment['id'])}`;
    expect((await cw<Row>(sb, url, { method: 'PUT', body: { amount: 4, paymentDate: '2024-02-01T00:00:00Z' } })).body['amount']).toBe(4);
    const patched = await cw<Row>(sb, url, { method: 'PATCH', body: [{ op: 'replace', path: '/amount', value: 5 }, { op: 'replace', path: 'paymentDate', value: '2024-03-01T00:00:00Z' }] });
    expect(patched.body).toMatchObject({ amount: 5, paymentDate: '2024-03-01T00:00:00Z' });
    expect(sb.control.invoice(invoice['id'] as number)?.['payments']).toBe(5);
    const unknown = await cw<Row>(sb, url, { method: 'PATCH', body: [{ op: 'replace', path: 'Amount', value: 6 }] });
    expect(unknown.status).toBe(400);
    const notArray = await cw<Row>(sb, url, { method: 'PATCH', body: { amount: 6 } });
    expect(notArray.status).toBe(400);
    const deleted = await cw(sb, url, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(sb.control.invoice(invoice['id'] as number)?.['balance']).toBe(invoice['total']);
    expect((await cw(sb, url)).status).toBe(404);
  });

  it('the payments list honours conditions, fields and orderBy, and refuses what other lists refuse', async () => {
    const sb = sandbox();
    const invoice = sb.control.invoices().find((i) => sb.control.paymentsForInvoice(i['id'] as number).length === 1) as Row;
    const base = `/finance/invoices/${String(invoice['id'])}/payments`;
    const [payment] = sb.control.paymentsForInvoice(invoice['id'] as number) as Row[];
    const get = (query: string) => cw<Row[]>(sb, `${base}?${query}`);
    expect((await get(`conditions=${q(`amount = ${String(payment?.['amount'])}`)}`)).body.map((p) => p['id'])).toEqual([payment?.['id']]);
    expect((await get(`conditions=${q('amount < 0')}`)).body).toEqual([]);
    expect((await get('fields=id,amount&orderBy=paymentDate%20desc')).body).toEqual([{ id: payment?.['id'], amount: payment?.['amount'] }]);
    expect((await get('Fields=id')).body).toEqual([{ id: payment?.['id'] }]);
    expect((await cw<Row>(sb, `${base}/${String(payment?.['id'])}?fields=amount`)).body).toEqual({ amount: payment?.['amount'] });
    const malformed = await cw<Row>(sb, `${base}?conditions=${q('amount = ')}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'InvalidObject', errors: [{ code: 'InvalidCondition' }] });
    expect((await cw<Row>(sb, `${base}?conditions=${q('nosuch = 1')}`)).body).toEqual({ code: 'ApiFindCondition', message: 'nosuch is not a recognized name.' });
    expect((await cw<Row>(sb, `${base}?orderBy=nosuch`)).status).toBe(400);
  });
});
