// Connections by site: the API base found at /login/companyinfo (the sandbox answers it as an
// on-premise server), the api- host of cloud sites, and what a wrong site or company says.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime } from '../../../src/commands/runtime.js';
import type { Connection } from '../../../src/config/load.js';
import { siteOrigin } from '../../../src/config/site-origin.js';
import { apiBaseUrl, resolveSites } from '../../../src/connectors/connectwise/site.js';
import { openConnectors } from '../../../src/connectors/index.js';
import { isDropwiseError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { startSandbox, type Sandbox } from '../../../src/simulator/index.js';
import { makeTempDir, testConfig } from '../../support/workspace.js';

const http = { timeoutMs: 2000, connectTimeoutMs: 1000, maxAttempts: 1, retryBudgetMs: 1000, baseDelayMs: 1, maxDelayMs: 1, connections: 1 };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3, size: { invoices: 5 } });
});
afterAll(async () => {
  await sandbox.close();
});

const bySite = (site: string, extra: Record<string, unknown> = {}): Connection =>
  ({ type: 'connectwise', site, companyId: sandbox.connectwise.companyId, publicKey: sandbox.connectwise.publicKey, privateKey: sandbox.connectwise.privateKey, clientId: sandbox.connectwise.clientId, apiVersion: '2022.1', ...extra }) as Connection;
const sandboxSite = (): string => new URL(sandbox.connectwise.url).origin;

describe('the API base of a site', () => {
  it('is the api- host with the codebase for a cloud site, the site itself on premise', () => {
    expect(apiBaseUrl(siteOrigin('eu.myconnectwise.net'), { Codebase: 'v2025_1/', IsCloud: 'True' })).toBe('https://api-eu.myconnectwise.net/v2025_1/apis/3.0');
    expect(apiBaseUrl(siteOrigin('api-na.myconnectwise.net'), { Codebase: 'v2017_3/', IsCloud: true })).toBe('https://api-na.myconnectwise.net/v2017_3/apis/3.0');
    expect(apiBaseUrl(siteOrigin('cw.example.com:8443'), { Codebase: 'v4_6_release', IsCloud: 'False' })).toBe('https://cw.example.com:8443/v4_6_release/apis/3.0');
    expect(() => apiBaseUrl(siteOrigin('eu.myconnectwise.net'), { IsCloud: 'True' })).toThrow(/no Codebase/);
  });

  it('takes a host name, and http:// on this machine only', () => {
    expect(siteOrigin('eu.myconnectwise.net').href).toBe('https://eu.myconnectwise.net/');
    expect(siteOrigin('http://127.0.0.1:8080').origin).toBe('http://127.0.0.1:8080');
    expect(() => siteOrigin('http://eu.myconnectwise.net')).toThrow(/http:\/\/ on this machine only/);
    expect(() => siteOrigin('eu.myconnectwise.net/v4_6_release')).toThrow(/without a path/);
    expect(() => siteOrigin('ftp://eu.myconnectwise.net')).toThrow(/host name/);
  });

  it('is found from the sandbox\'s /login/companyinfo at start, and the connection works', async () => {
    sandbox.control.resetRequests();
    const connectors = await openConnectors({ http, connections: { cw: bySite(sandboxSite()) } }, silentLogger());
    try {
      const client = connectors.connectwise();
      expect(client.connection.url).toBe(sandbox.connectwise.url);
      const { data } = await client.request<{ count: number }>('GET', '/finance/invoices/count');
      expect(data.count).toBe(5);
    } finally {
      await connectors.close();
    }
    expect(Object.keys(sandbox.control.requests().byRoute).some((route) => route.includes('/login/companyinfo/{companyId}'))).toBe(true);
  });

  it('says plainly when the site knows no such company, or cannot be reached', async () => {
    const unknown = await resolveSites({ http, connections: { cw: bySite(sandboxSite(), { companyId: 'nosuchco' }) } }, silentLogger()).catch((e: unknown) => e);
    expect(isDropwiseError(unknown, 'DW_CONFIG_INVALID')).toBe(true);
    expect((unknown as Error).message).toMatch(/connection "cw": the site 127\.0\.0\.1:\d+ knows no company "nosuchco"/);
    const down = await resolveSites({ http, connections: { cw: bySite('http://127.0.0.1:1') } }, silentLogger()).catch((e: unknown) => e);
    expect(isDropwiseError(down, 'DW_CW_UNAVAILABLE')).toBe(true);
    expect((down as Error).message).toMatch(/connection "cw": the ConnectWise site 127\.0\.0\.1:1 could not be reached/);
  });
});

describe('a connection by site in the config', () => {
  it('loads with site instead of url, and refuses both, neither or a bad site', async () => {
    const dir = await makeTempDir();
    const keys = { companyId: 'c', publicKey: 'pppp', privateKey: 'qqqq', clientId: 'id' };
    const load = (conn: Record<string, unknown>) => testConfig(dir, { connections: { cw: { type: 'connectwise', ...keys, ...conn } } });
    expect(load({ site: 'eu.myconnectwise.net' }).connections['cw']).toMatchObject({ site: 'eu.myconnectwise.net' });
    expect(() => load({})).toThrow(/give either url .* or site .*, not neither/);
    expect(() => load({ site: 'eu.myconnectwise.net', url: 'https://api-eu.myconnectwise.net/v2025_1/apis/3.0' })).toThrow(/not both/);
    expect(() => load({ site: 'http://eu.myconnectwise.net' })).toThrow(/connection "cw": site may use http:\/\/ on this machine only/);
  });

  it('is resolved when the CLI opens its runtime from a config file', async () => {
    const dir = await makeTempDir();
    const file = path.join(dir, 'dropwise.json');
    const folders = Object.fromEntries(['inbox', 'success', 'fail', 'archive', 'work', 'state'].map((f) => [f, path.join(dir, f)]));
    fs.writeFileSync(file, JSON.stringify({ folders, log: { file: '', console: false }, sandbox: { mode: 'off' }, connections: { cw: bySite(sandboxSite()) } }));
    const runtime = await openRuntime({ config: file }, { quiet: true });
    try {
      expect(runtime.connectors.connectwise('cw').connection.url).toBe(sandbox.connectwise.url);
      expect(runtime.config.connections['cw']).not.toHaveProperty('url');
    } finally {
      await runtime.close();
    }
    fs.writeFileSync(file, JSON.stringify({ folders, log: { file: '', console: false }, sandbox: { mode: 'off' }, connections: { cw: bySite(sandboxSite(), { companyId: 'nosuchco' }) } }));
    await expect(openRuntime({ config: file }, { quiet: true })).rejects.toThrow(/knows no company "nosuchco"/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
