// Strict where ConnectWise is strict, over HTTP: unknown names and wrong-typed literals are refused
// with ConnectWise's body, and query parameter names are read case-insensitively.
import { describe, expect, it } from 'vitest';
import { withSandbox } from '../../support/sandbox.js';
import { cw, q, type Row } from '../helpers.js';

describe('list queries refuse what ConnectWise refuses', () => {
  const sandbox = withSandbox({ size: { invoices: 40 } });

  const refused = async (url: string, message: string): Promise<void> => {
    const r = await cw<Row>(sandbox(), url);
    expect(r.status, url).toBe(400);
    expect(r.body).toEqual({ code: 'ApiFindCondition', message });
  };

  it.each([
    ['noSuchField = 1', 'noSuchField is not a recognized name.'],
    ['noSuchField = null', 'noSuchField is not a recognized name.'],
    ['compnay/identifier = "X"', 'compnay is not a recognized name.'],
    ['company/nickname = "X"', 'company/nickname is not a recognized name.'],
    ['and = 1', 'and is not a recognized name.'],
    ['taxableFlag = 1', 'Expected a boolean value, not a numeric.'],
    ['taxableFlag = "true"', 'Expected a boolean value, not a string.'],
    ['total = "12"', 'Expected a numeric value, not a string.'],
    ['id in (1, "2")', 'Expected a numeric value, not a string.'],
    ['invoiceNumber like 5', 'Expected a string value, not a numeric.'],
    ['total contains "1"', 'Expected a numeric value, not a string.'],
    ['date > 5', 'Expected a datetime value, not a numeric.'],
    ['company = 5', 'company is an object, not a value; name one of its fields, such as company/id.'],
  ])('conditions=%s', async (conditions, message) => {
    await refused(`/finance/invoices?conditions=${q(conditions)}`, message);
    await refused(`/finance/invoices/count?conditions=${q(conditions)}`, message);
  });

  it('refuses unknown names in orderBy, fields, childConditions and customFieldConditions', async () => {
    await refused('/finance/invoices?orderBy=nosuch%20desc', 'nosuch is not a recognized name.');
    await refused('/finance/invoices?orderBy=company', 'company is an object, not a value; name one of its fields, such as company/id.');
    await refused('/finance/invoices?fields=id,nosuch', 'nosuch is not a recognized name.');
    await refused('/finance/invoices/1?fields=company/nickname', 'company/nickname is not a recognized name.');
    await refused(`/finance/invoices?childConditions=${q('customFields/nosuch = 1')}`, 'customFields/nosuch is not a recognized name.');
    await refused(`/finance/invoices?customFieldConditions=${q('label = "x"')}`, 'label is not a recognized name.');
    // Entities the reference schemas lack are held to their own records' fields.
    await refused(`/company/contacts?conditions=${q('nickname = "x"')}`, 'nickname is not a recognized name.');
  });

  it('accepts every real field, in any case, with literals of its type', async () => {
    const sb = sandbox();
    const ok = async (url: string): Promise<Row[]> => {
      const r = await cw<Row[]>(sb, url);
      expect(r.status, `${url}: ${JSON.stringify(r.body)}`).toBe(200);
      return r.body;
    };
    const taxable = await ok(`/finance/invoices?pageSize=1000&conditions=${q('TaxableFlag = true and Company/Identifier != null and _info/lastUpdated < [2100-01-01T00:00:00Z]')}`);
    expect(taxable.length).toBe(sb.control.invoices().filter((i) => i['taxableFlag'] === true).length);
    await ok(`/finance/invoices?conditions=${q('date > "2000-01-01" and invoiceNumber like "1000*" and status/name in ("New","Closed")')}&orderBy=${q('company/name desc, _info/lastUpdated asc')}&fields=id,company/name`);
    await ok(`/finance/invoices?customFieldConditions=${q('caption = "Priority" and value = 3')}`);
    await ok(`/finance/accounting/unpostedinvoices?conditions=${q('invoiceDate <= [2100-01-01T00:00:00Z] and locationId = 2')}`);
    await ok(`/company/contacts?conditions=${q('firstName != null')}`);
  });

  it('reads query parameter names case-insensitively, as ASP.NET does', async () => {
    const sb = sandbox();
    const lower = await cw<Row[]>(sb, `/finance/invoices?Conditions=${q('id <= 3')}&pagesize=2&ORDERBY=${q('id desc')}&Fields=id`);
    expect(lower.status).toBe(200);
    expect(lower.body).toEqual([{ id: 3 }, { id: 2 }]);
    const next = /<([^>]+)>;\s*rel="next"/.exec(lower.headers.get('link') ?? '')?.[1] ?? '';
    expect(new URL(next).searchParams.getAll('page')).toEqual(['2']);
    const second = await cw<Row[]>(sb, `${next.replace(/([?&])pagesize=/, '$1PageSize=')}`);
    expect(second.body).toEqual([{ id: 1 }]);
    const count = await cw<Row>(sb, `/finance/invoices/count?CONDITIONS=${q('id <= 3')}`);
    expect(count.body).toEqual({ count: 3 });
    expect((await cw<Row>(sb, `/finance/invoices?conditions=${q('nosuch = 1')}`)).status).toBe(400);
    expect((await cw<Row>(sb, `/finance/invoices?Conditions=${q('nosuch = 1')}`)).status).toBe(400);
  });
});
