import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/config/load.js';
import { createConnectors } from '../../src/connectors/index.js';
import { silentLogger } from '../../src/log.js';

const http = { timeoutMs: 1000, connectTimeoutMs: 1000, maxAttempts: 1, retryBudgetMs: 1000, baseDelayMs: 1, maxDelayMs: 1, connections: 1 };
const cw = (extra: Partial<Connection> = {}): Connection => ({ type: 'connectwise', url: 'http://127.0.0.1:1/v4_6_release/apis/3.0', companyId: 'a', publicKey: 'bbbb', privateKey: 'cccc', clientId: 'd', apiVersion: '2022.1', ...extra }) as Connection;
const traede: Connection = { type: 'traede', url: 'http://127.0.0.1:1', token: 'tttt', appKey: 'kkkk' };

describe('createConnectors', () => {
  it('picks the only connection of a kind, or the one marked default', () => {
    expect(createConnectors({ http, connections: { main: cw(), shop: traede } }, silentLogger()).resolve('connectwise')).toBe('main');
    expect(createConnectors({ http, connections: { a: cw(), b: cw({ default: true }) } }, silentLogger()).resolve('connectwise')).toBe('b');
  });

  it('explains what is missing or ambiguous', () => {
    const none = createConnectors({ http, connections: { shop: traede } }, silentLogger());
    expect(() => none.resolve('connectwise')).toThrow(/No connectwise connection/);
    const two = createConnectors({ http, connections: { a: cw(), b: cw() } }, silentLogger());
    expect(() => two.resolve('connectwise')).toThrow(/none is marked "default"/);
    expect(() => two.resolve('connectwise', 'zzz')).toThrow(/no connection named "zzz"/);
    expect(() => createConnectors({ http, connections: { shop: traede } }, silentLogger()).resolve('connectwise', 'shop')).toThrow(/is a traede connection/);
  });

  it('builds one client per connection and reuses it', async () => {
    const connectors = createConnectors({ http, connections: { main: cw(), shop: traede } }, silentLogger());
    expect(connectors.connectwise()).toBe(connectors.connectwise('main'));
    expect(connectors.traede().connection.url).toBe('http://127.0.0.1:1');
    await connectors.close();
  });
});
