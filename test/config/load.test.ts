import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../src/config/load.js';
import { createConvict } from '../../src/config/schema.js';
import { configError } from '../support/config-error.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-config-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeConfig(value: unknown, name = 'dropwise.json'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}


const cw = { type: 'connectwise', url: 'https://api-eu.myconnectwise.net/v4_6_release/apis/3.0', companyId: 'acme', publicKey: 'pubkey123', privateKey: 'privkey-very-secret', clientId: 'c1d2' };

describe('loadConfig', () => {
  it('gives every key a default, and config/default.json matches the schema defaults', () => {
    const defaults = createConvict({}).getProperties();
    const shipped = JSON.parse(fs.readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as unknown;
    expect(shipped).toEqual(defaults);
  });

  it('returns a deep-frozen config: a stray write throws instead of changing a setting', () => {
    const config = loadConfig({ env: {}, overrides: { tasks: { n: { type: 'connectwise.export-invoices', settings: { pageSize: 5 } } } } });
    expect(() => ((config.watch as { concurrency: number }).concurrency = 9)).toThrow(TypeError);
    expect(() => ((config.tasks['n']?.settings as Record<string, unknown>)['pageSize'] = 6)).toThrow(TypeError);
    expect(() => config.routes.push({ pattern: '*', task: 'x' })).toThrow(TypeError);
    expect(config.watch.concurrency).toBe(2);
  });

  it('resolves relative folders against the config file folder, and against cwd without a file', () => {
    const file = writeConfig({ folders: { inbox: 'drop' } });
    const config = loadConfig({ file, env: {}, cwd: '/somewhere/else' });
    expect(config.folders.inbox).toBe(path.join(dir, 'drop'));
    expect(config.folders.success).toBe(path.join(dir, 'outbox/success'));
    expect(config.source.file).toBe(file);
    const noFile = loadConfig({ env: {}, cwd: dir });
    expect(noFile.folders.inbox).toBe(path.join(dir, 'inbox'));
  });

  it('reads the file from DROPWISE_CONFIG and lets environment variables override it', () => {
    const file = writeConfig({ watch: { stabilityMs: 1000 } });
    const config = loadConfig({ env: { DROPWISE_CONFIG: file, DROPWISE_STABILITY_MS: '250', DROPWISE_LOG_LEVEL: 'debug' }, cwd: dir });
    expect(config.watch.stabilityMs).toBe(250);
    expect(config.log.level).toBe('debug');
  });

  it('refuses a bad value naming the key, the value and the file', () => {
    const file = writeConfig({ watch: { stabilityMs: -5 } });
    const err = configError(() => loadConfig({ file, env: {} }));
    expect(err.message).toContain('watch.stabilityMs');
    expect(err.message).toContain('-5');
    expect(err.message).toContain(file);
  });

  it('refuses unknown keys, malformed JSON and a missing file', () => {
    expect(configError(() => loadConfig({ file: writeConfig({ watch: { stabiltyMs: 5 } }), env: {} })).message).toContain('stabiltyMs');
    const bad = writeConfig('{ "watch": ', 'bad.json');
    expect(configError(() => loadConfig({ file: bad, env: {} })).message).toContain(bad);
    expect(configError(() => loadConfig({ file: path.join(dir, 'nope.json'), env: {} })).message).toContain('nope.json');
  });

  it('takes secrets from environment variables without ever printing them', () => {
    const file = writeConfig({ connections: { main: { ...cw, privateKey: 'env:CW_PRIVATE' } } });
    const config = loadConfig({ file, env: { CW_PRIVATE: 'from-the-environment' } });
    expect(config.connections['main']).toMatchObject({ privateKey: 'from-the-environment' });
    expect(config.secrets).toEqual(expect.arrayContaining(['from-the-environment', 'pubkey123']));

    const missing = configError(() => loadConfig({ file, env: {} }));
    expect(missing.message).toContain('connections.main.privateKey');
    expect(missing.message).toContain('CW_PRIVATE');
  });

  it('overrides one connection field with DROPWISE_CONNECTION_<NAME>_<FIELD>', () => {
    const file = writeConfig({ connections: { main: cw } });
    const config = loadConfig({ file, env: { DROPWISE_CONNECTION_MAIN_PRIVATEKEY: 'rotated-key' } });
    expect(config.connections['main']).toMatchObject({ privateKey: 'rotated-key' });
  });

  it('takes a per-connection request budget, a whole number from 0 (none)', () => {
    const file = writeConfig({ connections: { main: { ...cw, requestsPerMinute: 600 } } });
    expect(loadConfig({ file, env: {} }).connections['main']).toMatchObject({ requestsPerMinute: 600 });
    const bad = writeConfig({ connections: { main: { ...cw, requestsPerMinute: 12.5 } } }, 'rpm.json');
    expect(configError(() => loadConfig({ file: bad, env: {} })).message).toContain('connection "main": requestsPerMinute must be a whole number from 0 (no budget) to 100000');
  });

  it('checks connections without echoing their values', () => {
    const file = writeConfig({ connections: { main: { ...cw, url: 'not a url' } } });
    const err = configError(() => loadConfig({ file, env: {} }));
    expect(err.message).toContain('connection "main": url');
    expect(err.message).not.toContain('privkey-very-secret');
    const noKey = writeConfig({ connections: { main: { ...cw, privateKey: undefined } } }, 'b.json');
    expect(configError(() => loadConfig({ file: noKey, env: {} })).message).toContain('privateKey is required');
  });

  it('checks tasks and routes', () => {
    const badCron = writeConfig({ tasks: { nightly: { type: 'connectwise.export-invoices', schedule: 'every night' } } });
    expect(configError(() => loadConfig({ file: badCron, env: {} })).message).toContain('task "nightly": schedule');
    const badRoute = writeConfig({ routes: [{ pattern: '*.xml' }] }, 'r.json');
    expect(configError(() => loadConfig({ file: badRoute, env: {} })).message).toContain('route 1: task is required');
    const ok = writeConfig({ tasks: { nightly: { type: 'connectwise.export-invoices', schedule: '0 2 * * *' } }, routes: [{ pattern: 'pay*.xml', task: 'connectwise.import-invoice-payments' }] }, 'ok.json');
    const config = loadConfig({ file: ok, env: {} });
    expect(config.tasks['nightly']).toEqual({ type: 'connectwise.export-invoices', schedule: '0 2 * * *', settings: {} });
    expect(config.routes).toHaveLength(1);
  });

  it("takes a schedule's catchUp and time zone, and refuses a zone that does not exist, naming the task and key", () => {
    const ok = writeConfig({ tasks: { nightly: { type: 'connectwise.export-invoices', schedule: '0 2 * * *', catchUp: true, timezone: 'Europe/Copenhagen' } } }, 'tz.json');
    expect(loadConfig({ file: ok, env: {} }).tasks['nightly']).toMatchObject({ catchUp: true, timezone: 'Europe/Copenhagen' });
    const badZone = writeConfig({ tasks: { nightly: { type: 'connectwise.export-invoices', schedule: '0 2 * * *', timezone: 'Europe/Kobenhavn' } } }, 'tz-bad.json');
    expect(configError(() => loadConfig({ file: badZone, env: {} })).message).toContain('tasks: task "nightly": timezone "Europe/Kobenhavn" is not an IANA time zone name');
    const noSchedule = writeConfig({ tasks: { manual: { type: 'connectwise.export-invoices', catchUp: true } } }, 'tz-none.json');
    expect(configError(() => loadConfig({ file: noSchedule, env: {} })).message).toContain('task "manual": catchUp applies to a schedule, and the task has none');
    const notBoolean = writeConfig({ tasks: { nightly: { type: 'connectwise.export-invoices', schedule: '0 2 * * *', catchUp: 'yes' } } }, 'tz-bool.json');
    expect(configError(() => loadConfig({ file: notBoolean, env: {} })).message).toContain('task "nightly": catchUp must be true or false');
  });
});
