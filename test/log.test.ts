import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { REDACTED, SecretRedactor, redactor } from '../src/secrets.js';
import { makeTempDirSync } from './support/temp-dir.js';

describe('SecretRedactor', () => {
  it('redacts secret-named fields, auth schemes and registered values wherever they appear', () => {
    const r = new SecretRedactor();
    r.add('super-secret-key', 'abc'); // too short to register: would redact ordinary words
    const out = r.redact({
      message: 'login with super-secret-key failed',
      headers: { Authorization: 'Basic dXNlcjpwYXNz', clientId: 'visible-id' },
      nested: [{ privateKey: 'x1', note: 'Bearer eyJhbGciOiJIUzI1NiJ9.payload' }],
      appKey: '',
      count: 3,
    });
    expect(out).toEqual({
      message: `login with ${REDACTED} failed`,
      headers: { Authorization: REDACTED, clientId: 'visible-id' },
      nested: [{ privateKey: REDACTED, note: `Bearer ${REDACTED}` }],
      appKey: '',
      count: 3,
    });
  });

  it('also catches a secret inside a Basic header written as base64', () => {
    const r = new SecretRedactor();
    r.add('acme+pub:priv-key-123');
    const header = Buffer.from('acme+pub:priv-key-123').toString('base64');
    expect(r.redactString(`sent ${header}`)).not.toContain(header.slice(0, 12));
  });

  it('copes with errors and cycles', () => {
    const r = new SecretRedactor();
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = a;
    expect(r.redact(a)).toEqual({ name: 'a', self: '[circular]' });
    expect(r.redact(new Error('token=abc'))).toMatchObject({ name: 'Error', message: 'token=abc' });
  });
});

describe('createLogger', () => {
  it('writes JSON lines to the log file with secrets redacted', async () => {
    const dir = makeTempDirSync('dw-log-');
    const file = path.join(dir, 'logs', 'dropwise.log');
    redactor.add('configured-secret-value');
    const log = createLogger({ level: 'debug', file, maxSizeBytes: 1_000_000, maxFiles: 2, console: false });
    log.info('connecting with configured-secret-value', { token: 'tok-123456', url: 'https://x' });
    log.debug('debug line');
    await new Promise<void>((resolve) => {
      log.on('finish', resolve);
      log.end();
    });
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 'info', message: `connecting with ${REDACTED}`, token: REDACTED, url: 'https://x' });
    expect(lines[1]).toMatchObject({ level: 'debug', message: 'debug line' });
    expect(fs.readFileSync(file, 'utf8')).not.toContain('configured-secret-value');
  });
});
