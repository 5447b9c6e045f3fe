// Traede: export (system_id, drafts, includes, filter_groups, not_exported_since) and mark-as-exported.
import { describe, expect, it } from 'vitest';
import { withSandbox } from '../../support/sandbox.js';
import { traede, type Row } from '../helpers.js';

type Export = { invoices: Row[] };
const fg = (g: number, f: number, key: string, operator: string, value: string): string =>
  `filter_groups[${g}][filters][${f}][key]=${key}&filter_groups[${g}][filters][${f}][operator]=${operator}&filter_groups[${g}][filters][${f}][value]=${encodeURIComponent(value)}`;

describe('GET /v10/invoices/export', () => {
  const sandbox = withSandbox();

  it('needs system_id, returns booked invoices, drafts only on request, lines only when included', async () => {
    const sb = sandbox();
    expect((await traede(sb, '/v10/invoices/export')).status).toBe(400);
    const booked = (await traede<Export>(sb, '/v10/invoices/export?system_id=a')).body.invoices;
    expect(booked.length).toBeGreaterThan(15);
    expect(booked.every((i) => i['status'] === 'booked' && i['lines'] === undefined)).toBe(true);
    expect(booked[0]?.['created_at']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const all = (await traede<Export>(sb, '/v10/invoices/export?system_id=a&include_non_booked=1&includes[]=lines')).body.invoices;
    expect(all.length).toBe(25);
    expect(all.some((i) => i['status'] === 'draft' && i['invoice_number'] === null)).toBe(true);
    expect(all.every((i) => Array.isArray(i['lines']))).toBe(true);
  });

  it('applies filter groups: AND between groups, OR inside an or-group, not, null; other keys → 400', async () => {
    const sb = sandbox();
    const all = (await traede<Export>(sb, '/v10/invoices/export?system_id=f&include_non_booked=1')).body.invoices;
    const sorted = all.map((i) => i['updated_at'] as string).sort();
    const pivot = sorted[12] ?? '';
    const gte = (await traede<Export>(sb, `/v10/invoices/export?system_id=f&include_non_booked=1&${fg(0, 0, 'updated_at', 'gte', pivot)}`)).body.invoices;
    expect(gte.length).toBe(all.filter((i) => (i['updated_at'] as string) >= pivot).length);
    const negated = (await traede<Export>(sb, `/v10/invoices/export?system_id=f&include_non_booked=1&${fg(0, 0, 'updated_at', 'gte', pivot)}&filter_groups[0][filters][0][not]=true`)).body.invoices;
    expect(negated.length + gte.length).toBe(all.length);
    const first = all[0]?.['created_at'] as string;
    const second = all[1]?.['created_at'] as string;
    const orGroup = `filter_groups[0][or]=true&${fg(0, 0, 'created_at', 'eq', first)}&${fg(0, 1, 'created_at', 'eq', second)}`;
    expect((await traede<Export>(sb, `/v10/invoices/export?system_id=f&include_non_booked=1&${orGroup}`)).body.invoices.map((i) => i['id'])).toEqual([all[0]?.['id'], all[1]?.['id']]);
    const anded = `${orGroup}&${fg(1, 0, 'created_at', 'eq', first)}`;
    expect((await traede<Export>(sb, `/v10/invoices/export?system_id=f&include_non_booked=1&${anded}`)).body.invoices.map((i) => i['id'])).toEqual([all[0]?.['id']]);
    const isNull = (await traede<Export>(sb, `/v10/invoices/export?system_id=f&${fg(0, 0, 'created_at', 'eq', 'null')}`)).body.invoices;
    expect(isNull).toEqual([]);
    expect((await traede(sb, `/v10/invoices/export?system_id=f&${fg(0, 0, 'status', 'eq', 'booked')}`)).status).toBe(400);
  });

  it('marks at most 10 per call, per system_id, and not_exported_since brings marked ones back', async () => {
    const sb = sandbox();
    const list = (await traede<Export>(sb, '/v10/invoices/export?system_id=erp')).body.invoices;
    const eleven = list.slice(0, 11).map((i) => ({ invoice_id: i['id'], system_id: 'erp', note: `CW ${String(i['id'])}` }));
    expect((await traede(sb, '/v10/invoices/mark-as-exported', { method: 'POST', body: { invoices: eleven } })).status).toBe(422);
    expect((await traede(sb, '/v10/invoices/mark-as-exported', { method: 'POST', body: { invoices: [{ invoice_id: 1, system_id: 'erp' }] } })).status).toBe(404);
    const since = new Date(Date.now() - 1000).toISOString().slice(0, 19).replace('T', ' ');
    const marked = await traede(sb, '/v10/invoices/mark-as-exported', { method: 'POST', body: { invoices: eleven.slice(0, 10) } });
    expect(marked.status).toBe(200);
    expect(sb.control.traedeMarks('erp')).toHaveLength(10);
    expect(sb.control.traedeMarks('erp')[0]).toMatchObject({ invoiceId: list[0]?.['id'], note: `CW ${String(list[0]?.['id'])}` });
    expect((await traede<Export>(sb, '/v10/invoices/export?system_id=erp')).body.invoices).toHaveLength(list.length - 10);
    expect((await traede<Export>(sb, '/v10/invoices/export?system_id=other')).body.invoices).toHaveLength(list.length);
    expect((await traede<Export>(sb, `/v10/invoices/export?system_id=erp&not_exported_since=${encodeURIComponent(since)}`)).body.invoices).toHaveLength(list.length);
  });

  it('serves a large tenant cheaply: invoices are built when read and the export is streamed', async () => {
    const sb = sandbox();
    const started = Date.now();
    sb.control.reset({ size: { traedeInvoices: 1_000_000 } });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sb.control.traedeInvoice(1001 + 999_999)).toMatchObject({ id: 1001 + 999_999 });
    expect(sb.control.traedeInvoice(1001 + 1_000_000)).toBeUndefined();

    sb.control.reset({ size: { traedeInvoices: 3000 } });
    const added = sb.control.addTraedeInvoice({ status: 'booked' });
    expect(added['id']).toBe(1001 + 3000);
    const res = await traede<Export>(sb, '/v10/invoices/export?system_id=big&include_non_booked=1');
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.body.invoices.map((i) => i['id'])).toEqual(Array.from({ length: 3001 }, (_, n) => 1001 + n));
    expect(res.body.invoices[5]).toEqual(Object.fromEntries(Object.entries(sb.control.traedeInvoice(1006) ?? {}).filter(([k]) => k !== 'lines')));
    // A filter value only the matching finds wrong is still refused before anything is streamed.
    expect((await traede(sb, `/v10/invoices/export?system_id=big&${fg(0, 0, 'created_at', 'gt', 'yesterday')}`)).status).toBe(400);
    sb.control.reset();
  });

  it('a touched invoice gets a fresh updated_at', async () => {
    const sb = sandbox();
    const id = 1003;
    sb.control.modify('traedeInvoices', id, { notes: 'changed' });
    const now = new Date().toISOString().slice(0, 10);
    expect(String(sb.control.traedeInvoice(id)?.['updated_at'])).toContain(now);
  });
});
