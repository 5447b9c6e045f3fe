// startSandbox({ tls }): HTTPS with a self-signed certificate a client can trust from the written
// file, Link headers in https, and the file removed on close.
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import { connectWiseHeaders, useSandbox } from '../support/sandbox.js';

function get(url: string, ca: string, headers: Record<string, string>): Promise<{ status: number; link: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, link: String(res.headers.link), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sandbox over HTTPS', () => {
  it('serves https with a certificate trusted from its file, and removes the file on close', async () => {
    const sb = await useSandbox({ tls: true, size: { invoices: 30 } });
    const file = sb.certificate?.file ?? '';
    try {
      expect(sb.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const pem = readFileSync(file, 'utf8');
      expect(pem).toBe(sb.certificate?.pem);
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(pem).not.toContain('PRIVATE KEY');
      for (const host of [sb.url, sb.url.replace('127.0.0.1', 'localhost')]) {
        const r = await get(`${host}/v4_6_release/apis/3.0/finance/invoices?pageSize=10`, pem, connectWiseHeaders(sb));
        expect(r.status).toBe(200);
        expect(r.link).toMatch(/^<https:\/\//);
      }
      await expect(get(`${sb.url}/_sandbox`, '', {})).rejects.toThrow(/self-signed|certificate/i);
    } finally {
      await sb.close();
    }
    expect(existsSync(file)).toBe(false);
  });
});
