import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/config/api.js';
import { loadConfig } from '../../src/config/load.js';
import { configError } from '../support/config-error.js';


describe('api settings', () => {
  it('default to a loopback address on port 8470 with no token', () => {
    const { api } = loadConfig({ env: {} });
    expect(api).toEqual({ enabled: true, host: '127.0.0.1', port: 8470, token: '', stuckAfterMs: 3_600_000 });
  });

  it('refuse an address other machines can reach without a token, naming both keys', () => {
    const err = configError(() => loadConfig({ env: {}, overrides: { api: { host: '0.0.0.0' } } }));
    expect(err.message).toContain('api.host is "0.0.0.0"');
    expect(err.message).toContain('api.token is not set');
    // Off, the address does not matter.
    expect(loadConfig({ env: {}, overrides: { api: { host: '0.0.0.0', enabled: false } } }).api.enabled).toBe(false);
  });

  it('take the token from the environment, register it as a secret, and refuse an unset variable', () => {
    const config = loadConfig({ env: { DW_TOKEN: 'a-long-api-token' }, overrides: { api: { host: '0.0.0.0', token: 'env:DW_TOKEN' } } });
    expect(config.api.token).toBe('a-long-api-token');
    expect(config.secrets).toContain('a-long-api-token');
    const err = configError(() => loadConfig({ env: {}, overrides: { api: { token: 'env:DW_TOKEN' } } }));
    expect(err.message).toContain('api.token refers to the environment variable DW_TOKEN');
  });

  it('leave "env:" values alone when asked not to resolve secrets (status)', () => {
    const main = { type: 'traede', url: 'https://api.traede.com', token: 'env:TRAEDE_TOKEN', appKey: 'env:TRAEDE_KEY' };
    const config = loadConfig({ env: {}, resolveSecrets: false, overrides: { connections: { main }, api: { host: '0.0.0.0', token: 'env:DW_TOKEN' } } });
    expect(config.connections['main']).toMatchObject({ token: 'env:TRAEDE_TOKEN' });
    expect(config.api.token).toBe('env:DW_TOKEN');
    expect(config.secrets).toEqual([]);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['dropwise.example.com', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
