import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { configError } from '../support/config-error.js';


const PG = 'postgres://dropwise:pg-pass-1234@db.example.com:5432/dropwise';

describe('agent and state settings', () => {
  it('default to the local files, this host\'s name, and folders.work as the work folder', () => {
    const config = loadConfig({ env: {}, cwd: '/srv/dw' });
    expect(config.state.backend).toBe('local');
    expect(config.agent).toEqual({ name: os.hostname(), workRoot: path.resolve('/srv/dw/work') });
    expect(config.folders.work).toBe(path.resolve('/srv/dw/work'));
  });

  it('with postgres: resolve the URL from the environment, redact it and its password, and give the agent its own work folder', () => {
    const config = loadConfig({ env: { DW_PG: PG }, cwd: '/srv/dw', overrides: { agent: { name: 'agent-2' }, state: { backend: 'postgres', postgres: { url: 'env:DW_PG' } } } });
    expect(config.state.postgres).toEqual({ url: PG, poolSize: 10, schema: 'dropwise', leaseSeconds: 30 });
    expect(config.secrets).toEqual(expect.arrayContaining([PG, 'pg-pass-1234']));
    expect(config.folders.work).toBe(path.resolve('/srv/dw/work/agent-2'));
    expect(config.agent.workRoot).toBe(path.resolve('/srv/dw/work'));
  });

  it('read the URL from DROPWISE_STATE_POSTGRES_URL', () => {
    const config = loadConfig({ env: { DROPWISE_STATE_POSTGRES_URL: PG, DROPWISE_STATE_BACKEND: 'postgres' } });
    expect(config.state.postgres.url).toBe(PG);
  });

  it('refuse postgres without a URL, an unset variable, or a URL of another kind, never quoting it', () => {
    expect(configError(() => loadConfig({ env: {}, overrides: { state: { backend: 'postgres' } } })).message).toContain('state.postgres.url is empty');
    expect(configError(() => loadConfig({ env: {}, overrides: { state: { backend: 'postgres', postgres: { url: 'env:NOPE' } } } })).message).toContain('environment variable NOPE');
    const err = configError(() => loadConfig({ env: {}, overrides: { state: { backend: 'postgres', postgres: { url: 'mysql://u:very-secret@h/db' } } } }));
    expect(err.message).toContain('not a postgres:// URL');
    expect(err.message).not.toContain('very-secret');
  });

  it('refuse a schema or agent name that is not a plain name', () => {
    expect(configError(() => loadConfig({ env: {}, overrides: { state: { postgres: { schema: 'drop; wise' } } } })).message).toContain('state.postgres.schema');
    expect(configError(() => loadConfig({ env: {}, overrides: { agent: { name: '../up' } } })).message).toContain('agent.name "../up"');
  });
});
