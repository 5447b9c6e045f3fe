// Credentials: ConnectWise Basic + clientId, Traede bearer + app key; wrong or missing → 401.
import { describe, expect, it } from 'vitest';
import { connectWiseHeaders, withSandbox } from '../support/sandbox.js';

describe('auth', () => {
  const sandbox = withSandbox();

  const get = (url: string, headers: Record<string, string>): Promise<Response> => fetch(url, { headers });

  it('accepts the sandbox credentials with any Accept version and a lower-case clientid header', async () => {
    const sb = sandbox();
    const { clientId, ...rest } = connectWiseHeaders(sb);
    const r = await get(`${sb.connectwise.url}/system/info`, { ...rest, clientid: clientId ?? '', Accept: 'application/vnd.connectwise.com+json; version=2025.1, application/json' });
    expect(r.status).toBe(200);
  });

  it('refuses a wrong key, a missing Authorization and a missing clientId with ConnectWise 401 bodies', async () => {
    const sb = sandbox();
    const headers = connectWiseHeaders(sb);
    const wrong = await get(`${sb.connectwise.url}/finance/invoices`, { ...headers, Authorization: `Basic ${Buffer.from('sandbox+x:y').toString('base64')}` });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ code: 'ConnectWiseApi', message: 'UserNotAuthenticated' });
    const none = await get(`${sb.connectwise.url}/finance/invoices`, { clientId: headers['clientId'] ?? '' });
    expect(none.status).toBe(401);
    const { clientId: _omit, ...noClient } = headers;
    const missing = await get(`${sb.connectwise.url}/finance/invoices`, noClient);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { message: string }).message).toMatch(/clientId is required/);
  });

  it('refuses Traede calls without the bearer token or app key', async () => {
    const sb = sandbox();
    const url = `${sb.url}/v10/invoices/export?system_id=x`;
    expect((await get(url, { 'X-Traede-App-Key': sb.traede.appKey })).status).toBe(401);
    expect((await get(url, { Authorization: `Bearer ${sb.traede.token}` })).status).toBe(401);
    expect((await get(`${url}&access_token=${sb.traede.token}`, { 'X-Traede-App-Key': sb.traede.appKey })).status).toBe(200);
  });

  it('serves control routes without auth, and never under the API prefixes', async () => {
    const sb = sandbox();
    expect((await fetch(`${sb.url}/_sandbox/requests`)).status).toBe(200);
    const underApi = await get(`${sb.connectwise.url}/_sandbox/requests`, connectWiseHeaders(sb));
    expect(underApi.status).toBe(404);
  });
});
