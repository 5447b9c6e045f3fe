// Fault injection, request counting and latency, in process and over /_sandbox.
import { describe, expect, it } from 'vitest';
import { connectWiseHeaders, withSandbox } from '../support/sandbox.js';
import { control, cw } from './helpers.js';

describe('faults', () => {
  const sandbox = withSandbox();

  it('429 with and without Retry-After, then back to normal', async () => {
    const sb = sandbox();
    sb.control.injectFault({ path: '/finance/invoices*', kind: '429', count: 1, retryAfter: 2 });
    sb.control.injectFault({ path: '/finance/invoices*', kind: '429', count: 1 });
    const first = await cw(sb, '/finance/invoices');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    const second = await cw(sb, '/finance/invoices/3');
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBeNull();
    expect((await cw(sb, '/finance/invoices')).status).toBe(200);
  });

  it('500 and 503 only for the matching method and path, for N requests', async () => {
    const sb = sandbox();
    sb.control.injectFault({ method: 'GET', path: '/system/info', kind: '503', count: 2 });
    sb.control.injectFault({ method: 'POST', path: '^/finance/invoices/\\d+/payments$', kind: '500', count: 1 });
    expect((await cw(sb, '/finance/invoices/1')).status).toBe(200);
    expect((await cw(sb, '/system/info')).status).toBe(503);
    expect((await cw(sb, '/system/info')).status).toBe(503);
    expect((await cw(sb, '/system/info')).status).toBe(200);
    expect((await cw(sb, '/finance/invoices/2/payments')).status).toBe(200);
    expect((await cw(sb, '/finance/invoices/2/payments', { method: 'POST', body: { amount: 1 } })).status).toBe(500);
    expect(sb.control.faults()).toEqual([]);
  });

  it('drop destroys the socket before any response', async () => {
    const sb = sandbox();
    sb.control.injectFault({ path: '/finance/invoices', kind: 'drop', count: 1 });
    await expect(fetch(`${sb.connectwise.url}/finance/invoices`, { headers: connectWiseHeaders(sb) })).rejects.toThrow();
  });

  it('truncate sends headers and part of the body, then cuts the connection', async () => {
    const sb = sandbox();
    sb.control.injectFault({ path: '/finance/invoices', kind: 'truncate', count: 1 });
    const r = await fetch(`${sb.connectwise.url}/finance/invoices`, { headers: connectWiseHeaders(sb) });
    expect(r.status).toBe(200);
    await expect(r.text()).rejects.toThrow();
  });

  it('slow and global latency delay the response', async () => {
    const sb = sandbox();
    sb.control.injectFault({ path: '/system/info', kind: 'slow', count: 1, delayMs: 150 });
    let t = Date.now();
    expect((await cw(sb, '/system/info')).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    sb.control.setLatency(60);
    t = Date.now();
    await cw(sb, '/system/info');
    expect(Date.now() - t).toBeGreaterThanOrEqual(55);
    sb.control.setLatency(0);
  });

  it('counts requests per route with ids normalised, and resets the counts', async () => {
    const sb = sandbox();
    sb.control.resetRequests();
    await cw(sb, '/finance/invoices/1');
    await cw(sb, '/finance/invoices/2');
    await cw(sb, '/finance/invoices/2/payments');
    expect(sb.control.requests()).toEqual({
      total: 3,
      byRoute: { 'GET /finance/invoices/{id}': 2, 'GET /finance/invoices/{id}/payments': 1 },
    });
    const overHttp = await control<{ total: number }>(sb, '/requests');
    expect(overHttp.body.total).toBe(3);
    await control(sb, '/requests', { method: 'DELETE' });
    expect(sb.control.requests().total).toBe(0);
  });

  it('takes faults over HTTP too', async () => {
    const sb = sandbox();
    expect((await control(sb, '/faults', { method: 'POST', body: { path: '/finance/invoices/count', kind: '500', count: 1 } })).status).toBe(201);
    expect((await cw(sb, '/finance/invoices/count')).status).toBe(500);
    expect((await control(sb, '/faults', { method: 'POST', body: { path: '/x', kind: 'nope', count: 1 } })).status).toBe(400);
    await control(sb, '/faults', { method: 'DELETE' });
  });
});
