// Invoices over HTTP: list, count, by id, the query language end to end, and both paging modes.
import { describe, expect, it } from 'vitest';
import { withSandbox } from '../../support/sandbox.js';
import { cw, nextLink, q, type Row } from '../helpers.js';

describe('GET /finance/invoices', () => {
  const sandbox = withSandbox({ size: { invoices: 10_000, companies: 30 } });

  it('lists 25 by default in id order, counts, and fetches by id', async () => {
    const sb = sandbox();
    const list = await cw<Row[]>(sb, '/finance/invoices');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(list.body.map((r) => r['id'])).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect((await cw(sb, '/finance/invoices/count')).body).toEqual({ count: 10_000 });
    const one = await cw<Row>(sb, '/finance/invoices/42');
    expect(one.body['id']).toBe(42);
    expect(one.body['_info']).toMatchObject({ dateEntered: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    expect(Object.values(one.body).includes(null)).toBe(false);
  });

  it('answers an unknown id with ConnectWise 404', async () => {
    const r = await cw(sandbox(), '/finance/invoices/999999');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ code: 'NotFound', message: 'Invoice recId 999999 not found' });
  });

  it('filters with conditions, nested paths and case-insensitive names, and counts the same', async () => {
    const sb = sandbox();
    const company = (await cw<Row>(sb, '/finance/invoices/7')).body['company'] as Row;
    const conditions = q(`Company/Identifier = "${String(company['identifier'])}" and total >= 0`);
    const list = await cw<Row[]>(sb, `/finance/invoices?pageSize=1000&conditions=${conditions}`);
    expect(list.body.length).toBeGreaterThan(0);
    expect(list.body.every((r) => (r['company'] as Row)['id'] === company['id'])).toBe(true);
    const count = await cw<{ count: number }>(sb, `/finance/invoices/count?conditions=${conditions}`);
    expect(count.body.count).toBe(list.body.length);
  });

  it('supports customFieldConditions, childConditions, orderBy and fields', async () => {
    const sb = sandbox();
    const cf = await cw<Row[]>(sb, `/finance/invoices?pageSize=50&customFieldConditions=${q('caption = "Cost Centre" and value = "CC-103"')}`);
    expect(cf.body.length).toBeGreaterThan(0);
    for (const r of cf.body) expect(r['customFields']).toContainEqual(expect.objectContaining({ caption: 'Cost Centre', value: 'CC-103' }));
    const child = await cw<Row[]>(sb, `/finance/invoices/count?childConditions=${q('customFields/caption = "Priority" and customFields/value = 2')}`);
    expect((child.body as unknown as { count: number }).count).toBeGreaterThan(0);
    const ordered = await cw<Row[]>(sb, `/finance/invoices?orderBy=${q('total desc')}&pageSize=20&fields=id,total,company/name`);
    const totals = ordered.body.map((r) => r['total'] as number);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(Object.keys(ordered.body[0] ?? {}).sort()).toEqual(['company', 'id', 'total']);
    expect(Object.keys((ordered.body[0]?.['company'] as Row) ?? {})).toEqual(['name']);
  });

  it('refuses a malformed condition with a 400 in ConnectWise shape', async () => {
    const r = await cw<Row>(sandbox(), `/finance/invoices?conditions=${q('total >')}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'InvalidObject', errors: [{ code: 'InvalidCondition', field: 'conditions' }] });
  });

  it('refuses pageSize=1001 with ConnectWise 400', async () => {
    const r = await cw(sandbox(), '/finance/invoices?pageSize=1001');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      code: 'InvalidObject',
      message: 'pageSize object is invalid',
      errors: [{ code: 'OutOfRange', message: 'The field pageSize must be between 1 and 1000.', resource: 'pageSize', field: 'pageSize' }],
    });
  });

  it('pages 10,000 invoices by the Link header, each exactly once', async () => {
    const sb = sandbox();
    const seen = new Set<number>();
    let url: string | undefined = `${sb.connectwise.url}/finance/invoices?pageSize=1000&orderBy=${q('id asc')}&fields=id`;
    let pages = 0;
    while (url) {
      const r: { body: Row[]; headers: Headers } = await cw<Row[]>(sb, url);
      for (const row of r.body) {
        expect(seen.has(row['id'] as number)).toBe(false);
        seen.add(row['id'] as number);
      }
      pages++;
      url = nextLink(r.headers.get('link'));
    }
    expect(pages).toBe(10);
    expect(seen.size).toBe(10_000);
  });

  it('has first/prev/next/last links where they exist', async () => {
    const sb = sandbox();
    const links = async (page: number): Promise<string[]> => {
      const r = await cw(sb, `/finance/invoices?pageSize=1000&page=${page}&fields=id`);
      return [...(r.headers.get('link') ?? '').matchAll(/rel="(\w+)"/g)].map((m) => m[1] as string);
    };
    expect(await links(1)).toEqual(['next', 'last']);
    expect(await links(2)).toEqual(['first', 'prev', 'next', 'last']);
    expect(await links(10)).toEqual(['first', 'prev']);
    expect(await links(11)).toEqual(['first', 'prev']);
    const single = await cw(sb, `/finance/invoices?conditions=${q('id = 5')}`);
    expect(single.headers.get('link')).toBeNull();
  });

  it('pages 10,000 invoices forward-only, each exactly once, ending with an empty Link', async () => {
    const sb = sandbox();
    const seen = new Set<number>();
    let url: string | undefined = `${sb.connectwise.url}/finance/invoices?pageSize=1000&fields=id`;
    let lastLink: string | null = null;
    while (url) {
      const r: { body: Row[]; headers: Headers } = await cw<Row[]>(sb, url, { headers: { 'Pagination-Type': 'Forward-Only' } });
      for (const row of r.body) {
        expect(seen.has(row['id'] as number)).toBe(false);
        seen.add(row['id'] as number);
      }
      lastLink = r.headers.get('link');
      url = nextLink(lastLink);
    }
    expect(seen.size).toBe(10_000);
    expect(lastLink).toBe('');
  });

  it('refuses orderBy in forward-only mode', async () => {
    const r = await cw(sandbox(), `/finance/invoices?orderBy=${q('id desc')}`, { headers: { 'pagination-type': 'forward-only' } });
    expect(r.status).toBe(400);
  });
});
