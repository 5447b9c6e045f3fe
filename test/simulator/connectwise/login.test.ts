// Codebase discovery, `GET /login/companyinfo/{companyId}`: no credentials, ConnectWise's PascalCase
// body, and a Codebase a client can build the API URL from.
import { describe, expect, it } from 'vitest';
import { withSandbox } from '../../support/sandbox.js';
import { cw, type Row } from '../helpers.js';

describe('/login/companyinfo/{companyId}', () => {
  const sandbox = withSandbox({ size: { invoices: 5 } });

  it('answers without credentials, and the API URL built from Codebase works', async () => {
    const sb = sandbox();
    const r = await fetch(`${sb.url}/login/companyinfo/${sb.connectwise.companyId.toUpperCase()}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const info = (await r.json()) as Row;
    expect(info).toEqual({ CompanyName: 'Dropwise Sandbox', Codebase: 'v4_6_release/', VersionCode: 'v2022.1', VersionNumber: expect.stringMatching(/^v4\.6\./), CompanyID: sb.connectwise.companyId, IsCloud: 'False' });
    const apiUrl = `${sb.url}/${String(info['Codebase'])}apis/3.0`;
    expect(apiUrl).toBe(sb.connectwise.url);
    expect((await cw<Row>(sb, `${apiUrl}/system/info`)).body).toMatchObject({ isCloud: false });
  });

  it('answers 404 for another company and 405 for a write', async () => {
    const sb = sandbox();
    expect((await fetch(`${sb.url}/login/companyinfo/someoneelse`)).status).toBe(404);
    expect((await fetch(`${sb.url}/login/companyinfo/${sb.connectwise.companyId}`, { method: 'POST' })).status).toBe(405);
  });
});
