// The control API: deterministic reset, record changes that show as modified, added invoices, and
// the same powers over HTTP.
import { describe, expect, it } from 'vitest';
import { connectWiseHeaders, useSandbox, withSandbox } from '../support/sandbox.js';
import { control, cw, q, type Row } from './helpers.js';

describe('control', () => {
  const sandbox = withSandbox({ seed: 7 });

  it('generates the same data for the same seed, and different data for another', async () => {
    const other = await useSandbox({ seed: 7 });
    try {
      const a = (await cw<Row[]>(sandbox(), '/finance/invoices?pageSize=50')).body;
      const b = (await cw<Row[]>(other, '/finance/invoices?pageSize=50')).body;
      const strip = (rows: Row[]): string => JSON.stringify(rows).replaceAll(sandbox().url, '').replaceAll(other.url, '');
      expect(strip(a)).toBe(strip(b));
      other.control.reset({ seed: 8 });
      expect(strip((await cw<Row[]>(other, '/finance/invoices?pageSize=50')).body)).not.toBe(strip(a));
    } finally {
      await other.close();
    }
  });

  it('seeded dates lie before 2024; touch and modify move lastUpdated to now', async () => {
    const sb = sandbox();
    const since = '[2024-01-01T00:00:00Z]';
    const modified = async (): Promise<number[]> => (await cw<Row[]>(sb, `/finance/invoices?conditions=${q(`_info/lastUpdated > ${since}`)}`)).body.map((r) => r['id'] as number);
    expect(await modified()).toEqual([]);
    sb.control.touchInvoice(5);
    sb.control.modify('invoices', 9, { reference: 'changed' });
    expect(await modified()).toEqual([5, 9]);
    expect(sb.control.invoice(9)?.['reference']).toBe('changed');
    expect(() => sb.control.modify('invoices', 999_999)).toThrow();
    const added = sb.control.addInvoice({ reference: 'new one' });
    const created = (await cw<Row[]>(sb, `/finance/invoices?conditions=${q(`_info/dateEntered > ${since}`)}`)).body;
    expect(created.map((r) => r['id'])).toEqual([added['id']]);
    expect(created[0]?.['balance']).toBe(created[0]?.['total']);
    sb.control.reset();
    expect(await modified()).toEqual([]);
  });

  it('exposes the same powers over HTTP', async () => {
    const sb = sandbox();
    expect((await control<Row>(sb, '')).body).toMatchObject({ url: sb.url, seed: 7 });
    expect((await control<Row>(sb, '/invoices/3/touch', { method: 'POST' })).body['id']).toBe(3);
    expect((await control<Row>(sb, '/modify', { method: 'POST', body: { entity: 'companies', id: 2, patch: { name: 'Renamed Co' } } })).body['name']).toBe('Renamed Co');
    expect((await control(sb, '/modify', { method: 'POST', body: { entity: 'companies', id: 9999 } })).status).toBe(404);
    expect((await control(sb, '/invoices', { method: 'POST', body: { reference: 'x' } })).status).toBe(201);
    expect((await control<Row[]>(sb, '/payments?invoiceId=1')).status).toBe(200);
    expect((await control<Row>(sb, '/created')).body).toEqual({ payments: [], batches: [] });
    expect((await control<Row>(sb, '/reset', { method: 'POST', body: { size: { invoices: 12 } } })).body['size']).toMatchObject({ invoices: 12 });
    expect((await cw<{ count: number }>(sb, '/finance/invoices/count')).body.count).toBe(12);
    await control(sb, '/reset', { method: 'POST', body: { size: {} } });
  });

  it('tenant quirks: a list that ignores forward-only paging, and IIS refusing a long query string with its 404.15 page', async () => {
    const sb = sandbox();
    expect((await control<Row>(sb, '/quirks', { method: 'POST', body: { navigableOnly: ['/finance/invoices'], maxQueryString: 60 } })).body).toEqual({ navigableOnly: ['/finance/invoices'], maxQueryString: 60 });
    try {
      const forward = await cw<Row[]>(sb, '/finance/invoices?pageSize=5&pageId=5', { headers: { 'pagination-type': 'forward-only' } });
      expect(forward.body.map((r) => r['id'])).toEqual([1, 2, 3, 4, 5]);
      expect(forward.headers.get('link')).toContain('rel="last"');
      const long = await fetch(`${sb.connectwise.url}/company/companies?conditions=${q(`id in (${Array.from({ length: 30 }, (_, i) => i + 1).join(',')})`)}`, { headers: connectWiseHeaders(sb) });
      expect(long.status).toBe(404);
      expect(long.headers.get('content-type')).toBe('text/html');
      expect(await long.text()).toContain('HTTP Error 404.15 - Not Found');
      expect((await control(sb, '/quirks', { method: 'POST', body: { maxQueryString: 0 } })).status).toBe(400);
    } finally {
      expect((await control(sb, '/quirks', { method: 'DELETE' })).status).toBe(204);
    }
    expect(sb.control.quirks()).toEqual({});
  });

  it('keeps references resolvable, with a few deliberately dangling ones', async () => {
    const sb = sandbox();
    const invoices = sb.control.invoices();
    const companyIds = new Set(invoices.map((i) => (i['company'] as Row)['id']));
    const found = (await cw<Row[]>(sb, `/company/companies?pageSize=1000&conditions=${q(`id in (${[...companyIds].join(',')})`)}`)).body;
    expect(found.length).toBe(companyIds.size);
    const dangling = invoices.filter((i) => (i['shipToCompany'] as Row)['id'] === 99_999);
    expect(dangling.length).toBeGreaterThan(0);
    expect((await cw(sb, '/company/companies/99999')).status).toBe(404);
  });
});
