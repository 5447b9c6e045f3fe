// Invoice writes (PUT, PATCH /finance/invoices/{id}) and seeded invoices whose status agrees with
// their money.
import { describe, expect, it } from 'vitest';
import { useSandbox, withSandbox } from '../../support/sandbox.js';
import { cw, type Row } from '../helpers.js';

describe('seeded invoices', () => {
  it.each([1, 2, 7])('seed %i: Closed ⇔ paid in full, Partially Paid ⇔ part-paid, New/Sent ⇔ unpaid', async (seed) => {
    const sb = await useSandbox({ seed });
    try {
      const invoices = sb.control.invoices();
      const byStatus = new Map<string, number>();
      for (const invoice of invoices) {
        const status = String((invoice['status'] as Row)['name']);
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
        const paid = invoice['payments'] as number;
        const total = invoice['total'] as number;
        expect(sb.control.paymentsForInvoice(invoice['id'] as number).reduce((s, p) => s + (p['amount'] as number), 0)).toBeCloseTo(paid, 2);
        expect(invoice['balance']).toBeCloseTo(total - paid, 2);
        if (status === 'Closed') expect(paid).toBeCloseTo(total, 2);
        else if (status === 'Partially Paid') expect(paid > 0 && paid < total).toBe(true);
        else expect([status, paid]).toEqual([expect.stringMatching(/^(New|Sent)$/), 0]);
      }
      for (const status of ['New', 'Sent', 'Closed', 'Partially Paid']) expect(byStatus.get(status), status).toBeGreaterThan(0);
    } finally {
      await sb.close();
    }
  });
});

describe('PUT and PATCH /finance/invoices/{id}', () => {
  const sandbox = withSandbox({ size: { invoices: 20 } });

  it('PATCH replaces, adds and removes top-level fields, stamps lastUpdated and keeps the money', async () => {
    const sb = sandbox();
    const before = (await cw<Row>(sb, '/finance/invoices/3')).body;
    const started = Date.now() - 1000;
    const r = await cw<Row>(sb, '/finance/invoices/3', {
      method: 'PATCH',
      body: [
        { op: 'replace', path: 'customerPO', value: 'PO-777' },
        { op: 'replace', path: '/status', value: { id: 2 } },
        { op: 'remove', path: 'reference' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ customerPO: 'PO-777', status: { id: 2, name: 'Sent', _info: { status_href: expect.stringContaining('/finance/billingStatuses/2') } }, total: before['total'], balance: before['balance'] });
    expect(r.body).not.toHaveProperty('reference');
    expect(Date.parse((r.body['_info'] as Row)['lastUpdated'] as string)).toBeGreaterThanOrEqual(started);
    expect((await cw<Row>(sb, '/finance/invoices/3')).body['customerPO']).toBe('PO-777');
  });

  it('PATCH refuses read-only, unknown and sub-path fields, wrong types and unknown references', async () => {
    const sb = sandbox();
    const patch = (body: unknown) => cw<Row>(sb, '/finance/invoices/4', { method: 'PATCH', body });
    for (const [ops, field] of [
      [[{ op: 'replace', path: 'balance', value: 0 }], 'balance'],
      [[{ op: 'replace', path: 'nosuch', value: 1 }], 'nosuch'],
      [[{ op: 'replace', path: 'company/identifier', value: 'X' }], 'company/identifier'],
      [[{ op: 'replace', path: 'CustomerPO', value: 'X' }], 'CustomerPO'],
      [[{ op: 'replace', path: 'taxableFlag', value: 1 }], 'taxableFlag'],
      [[{ op: 'replace', path: 'status', value: { id: 99 } }], 'status/id'],
      [[{ op: 'move', path: 'customerPO', value: 'x' }], 'customerPO'],
    ] as const) {
      const r = await patch(ops);
      expect(r.status, JSON.stringify(ops)).toBe(400);
      expect(r.body).toMatchObject({ code: 'InvalidObject', errors: [{ resource: 'invoice', field }] });
    }
    expect((await patch({ op: 'replace' })).status).toBe(400);
    expect((await cw(sb, '/finance/invoices/999/', { method: 'PATCH', body: [] })).status).toBe(404);
  });

  it('PUT replaces the writable fields (omitted ones are cleared) and needs type', async () => {
    const sb = sandbox();
    const current = (await cw<Row>(sb, '/finance/invoices/5')).body;
    const { customerPO: _dropped, ...rest } = { ...current, customerPO: 'gone' };
    const r = await cw<Row>(sb, '/finance/invoices/5', { method: 'PUT', body: { ...rest, attention: 'Ada Lovelace', total: 1 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ attention: 'Ada Lovelace', total: current['total'], company: current['company'] });
    expect(r.body).not.toHaveProperty('customerPO');
    const missing = await cw<Row>(sb, '/finance/invoices/5', { method: 'PUT', body: { attention: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ errors: [{ code: 'MissingRequiredField', field: 'type' }] });
  });
});
