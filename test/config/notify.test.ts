// The notify.* section: validated at load with messages that name the key, "env:" secrets resolved and
// registered for redaction, defaults filled in.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { NOTIFY_EVENTS } from '../../src/config/notify.js';
import { DropwiseError } from '../../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-notify-config-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function load(notify: unknown, env: NodeJS.ProcessEnv = {}) {
  const file = path.join(dir, 'dropwise.json');
  fs.writeFileSync(file, JSON.stringify({ notify }));
  return loadConfig({ file, env });
}

function loadError(notify: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    load(notify, env);
  } catch (err) {
    expect(err).toBeInstanceOf(DropwiseError);
    expect((err as DropwiseError).code).toBe('DW_CONFIG_INVALID');
    return (err as DropwiseError).message;
  }
  throw new Error('expected a configuration error');
}

const email = { to: ['ops@example.com'], from: 'dropwise <dropwise@example.com>', smtp: { host: 'smtp.example.com', user: 'mailer', password: 'env:SMTP_PASSWORD' } };
const teams = { url: 'env:TEAMS_URL', format: 'teams', events: ['file-failed', 'outage-began'] };
const json = { url: 'https://hooks.example.com/dropwise', format: 'json', headers: { Authorization: 'env:HOOK_AUTH' } };
const env = { SMTP_PASSWORD: 'smtp-secret-1', TEAMS_URL: 'https://example.webhook.office.com/webhookb2/abc-secret', HOOK_AUTH: 'Bearer hook-secret-2' };

describe('notify config', () => {
  it('is off by default: no destinations, a 15-minute throttle, no daily summary', () => {
    expect(loadConfig({ env: {}, cwd: dir }).notify).toEqual({ email: [], webhooks: [], throttleMinutes: 15, stuckMinutes: 60, dailySummary: '' });
  });

  it('fills in defaults, resolves env: values and registers them as secrets', () => {
    const config = load({ email: [email], webhooks: [teams, json], throttleMinutes: 5, dailySummary: '07:00' }, env);
    expect(config.notify.email).toEqual([
      { to: ['ops@example.com'], from: 'dropwise <dropwise@example.com>', events: [...NOTIFY_EVENTS], smtp: { host: 'smtp.example.com', port: 587, secure: false, requireTLS: false, user: 'mailer', password: 'smtp-secret-1' } },
    ]);
    expect(config.notify.webhooks).toEqual([
      { url: env.TEAMS_URL, format: 'teams', events: ['file-failed', 'outage-began'], headers: {} },
      { url: json.url, format: 'json', events: [...NOTIFY_EVENTS], headers: { Authorization: 'Bearer hook-secret-2' } },
    ]);
    expect(config.notify).toMatchObject({ throttleMinutes: 5, dailySummary: '07:00' });
    expect(config.secrets).toEqual(expect.arrayContaining(['smtp-secret-1', env.TEAMS_URL, 'Bearer hook-secret-2', json.url]));
  });

  it('loads without the secrets for read-only verbs (status, pause): an env: webhook URL is left as it is', () => {
    const file = path.join(dir, 'dropwise.json');
    fs.writeFileSync(file, JSON.stringify({ notify: { email: [email], webhooks: [teams, json] } }));
    const config = loadConfig({ file, env: {}, resolveSecrets: false });
    expect(config.notify.webhooks.map((w) => w.url)).toEqual(['env:TEAMS_URL', 'https://hooks.example.com/dropwise']);
    expect(config.secrets).toEqual([]);
  });

  it('accepts the README example', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /## Notifications[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const example = (JSON.parse(block!) as { notify: unknown }).notify;
    const config = load(example, { SMTP_PASSWORD: 's1-pass', TEAMS_WEBHOOK_URL: 'https://t.example.com/x', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x', MONITOR_AUTH: 'Bearer m-1234' });
    expect(config.notify.webhooks.map((w) => w.format)).toEqual(['teams', 'slack', 'json']);
    expect(config.notify.email[0]!.smtp).toMatchObject({ requireTLS: true, password: 's1-pass' });
  });

  it('takes port 465 for implicit TLS', () => {
    expect(load({ email: [{ ...email, smtp: { host: 'smtp.example.com', secure: true } }] }).notify.email[0]!.smtp).toMatchObject({ port: 465, secure: true });
  });

  it.each([
    [{ email: [{ ...email, events: ['file-failed', 'file-exploded'] }] }, /notify\.email: entry 1: unknown event "file-exploded" \(known: file-failed, run-partial/],
    [{ email: [{ ...email, to: ['not an address'] }] }, /notify\.email: entry 1: to holds "not an address", which is not an e-mail address/],
    [{ email: [{ ...email, smtp: { host: 'h', port: 70000 } }] }, /notify\.email: entry 1: smtp\.port must be a port number/],
    [{ email: [{ ...email, smtp: { host: 'h', password: 'x' } }] }, /notify\.email: entry 1: smtp\.user and smtp\.password go together/],
    [{ email: [{ ...email, smtp: { host: 'h', tls: true } }] }, /notify\.email: entry 1: smtp: unknown field "tls"/],
    [{ webhooks: [{ ...json, format: 'xml' }] }, /notify\.webhooks: entry 1: format must be one of json, teams, slack/],
    [{ webhooks: [{ ...json, url: 'ftp://example.com/x' }] }, /notify\.webhooks: entry 1: url must be an http\(s\) URL/],
    [{ webhooks: [{ ...json, url: 'not a url' }] }, /notify\.webhooks: entry 1: url must be an http\(s\) URL/],
    [{ webhooks: [json, { ...json, events: [] }] }, /notify\.webhooks: entry 2: events must be a non-empty list/],
    [{ dailySummary: '7am' }, /notify\.dailySummary: must be a time of day "HH:MM"/],
    [{ dailySummary: '24:00' }, /notify\.dailySummary: must be a time of day/],
    [{ throttleMinutes: 0 }, /notify\.throttleMinutes: must be a whole number of 1 or more/],
  ])('refuses %j with a message naming the key', (notify, message) => {
    expect(loadError(notify, env)).toMatch(message);
  });

  it('never echoes a destination value in an error (they hold secrets)', () => {
    const message = loadError({ email: [{ ...email, smtp: { host: 'h', user: 'u', password: 'literal-pass-123' }, events: ['nope'] }] });
    expect(message).not.toContain('literal-pass-123');
  });

  it('names the key and the variable of an env: reference that is not set', () => {
    expect(loadError({ email: [email] })).toMatch(/notify\.email\[0\]\.smtp\.password refers to the environment variable SMTP_PASSWORD, which is not set/);
    expect(loadError({ webhooks: [teams] }, { TEAMS_URL: 'not-a-url' })).toMatch(/notify\.webhooks\[0\]\.url: the environment variable's value must be an http\(s\) URL/);
  });
});
