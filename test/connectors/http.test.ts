// The retry policy against a real HTTP server on loopback whose answers each test scripts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, parseRetryAfter } from '../../src/connectors/http.js';
import { createConnectors } from '../../src/connectors/index.js';
import { silentLogger } from '../../src/log.js';
import { startSandbox } from '../../src/simulator/index.js';
import { captureLogger } from '../support/capture-log.js';

type Step = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let steps: Step[] = [];
let seen: { method: string; at: number }[] = [];
let server: http.Server;
let origin: string;

const ok: Step = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
const status = (code: number, headers: Record<string, string> = {}): Step => (_req, res) => res.writeHead(code, headers).end('{"code":"x","message":"m"}');
const drop: Step = (req) => req.socket.destroy();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', at: Date.now() });
    req.resume();
    const step = steps.shift() ?? ok;
    req.on('end', () => step(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  steps = [];
  seen = [];
});

function client(overrides: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({
    origin,
    name: 'test',
    log: silentLogger(),
    timeoutMs: 2000,
    connectTimeoutMs: 1000,
    maxAttempts: 4,
    retryBudgetMs: 5000,
    baseDelayMs: 5,
    maxDelayMs: 50,
    connections: 2,
    random: () => 1,
    ...overrides,
  });
}

describe('HttpClient retries', () => {
  it('retries 500 and 503 for a GET, then answers', async () => {
    steps = [status(500), status(503)];
    const res = await client().requestText({ method: 'GET', path: '/x' });
    expect(res).toMatchObject({ statusCode: 200, attempts: 3, text: '{"ok":true}' });
  });

  it('honours Retry-After in seconds on a 429', async () => {
    steps = [status(429, { 'retry-after': '1' })];
    const res = await client().requestText({ method: 'GET', path: '/x' });
    expect(res.statusCode).toBe(200);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('retries a 429 even for a POST (the server did not act on it), but never a 500', async () => {
    steps = [status(429, { 'retry-after': '0' })];
    expect((await client().requestText({ method: 'POST', path: '/x', body: '{}' })).statusCode).toBe(200);
    steps = [status(500)];
    const res = await client().requestText({ method: 'POST', path: '/x', body: '{}' });
    expect(res).toMatchObject({ statusCode: 500, attempts: 1 });
  });

  it('retries a POST marked idempotent', async () => {
    steps = [status(503)];
    expect((await client().requestText({ method: 'POST', path: '/x', body: '{}', idempotent: true })).attempts).toBe(2);
  });

  it('does not retry other 4xx', async () => {
    steps = [status(400)];
    expect(await client().requestText({ method: 'GET', path: '/x' })).toMatchObject({ statusCode: 400, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it('returns the last answer once the attempts are used up', async () => {
    steps = [status(503), status(503), status(503), status(503), status(503)];
    expect(await client().requestText({ method: 'GET', path: '/x' })).toMatchObject({ statusCode: 503, attempts: 4 });
  });

  it('gives up when a Retry-After does not fit the time budget', async () => {
    steps = [status(429, { 'retry-after': '60' })];
    expect(await client().requestText({ method: 'GET', path: '/x' })).toMatchObject({ statusCode: 429, attempts: 1 });
  });

  it('retries a dropped connection for a GET, and fails a POST with a clear error', async () => {
    steps = [drop];
    expect((await client().requestText({ method: 'GET', path: '/x' })).statusCode).toBe(200);
    steps = [drop];
    await expect(client().requestText({ method: 'POST', path: '/x', body: '{}' })).rejects.toMatchObject({ code: 'DW_HTTP_NETWORK', retryable: true });
  });

  it('retries a body cut off mid-way', async () => {
    steps = [
      (_req, res) => {
        res.writeHead(200, { 'content-length': '100' });
        res.write('{"partial":');
        setTimeout(() => res.socket?.destroy(), 10);
      },
    ];
    expect(await client().requestText({ method: 'GET', path: '/x' })).toMatchObject({ statusCode: 200, attempts: 2, text: '{"ok":true}' });
  });

  it('times out a server that never answers', async () => {
    steps = [() => undefined, () => undefined];
    await expect(client({ timeoutMs: 200, maxAttempts: 2 }).requestText({ method: 'GET', path: '/x' })).rejects.toMatchObject({ code: 'DW_HTTP_TIMEOUT' });
  });

  it('reports a refused connection', async () => {
    const c = new HttpClient({ ...{ origin: 'http://127.0.0.1:1', name: 'nowhere', log: silentLogger(), timeoutMs: 500, connectTimeoutMs: 200, maxAttempts: 2, retryBudgetMs: 1000, baseDelayMs: 5, maxDelayMs: 10, connections: 1 } });
    await expect(c.requestText({ method: 'GET', path: '/x' })).rejects.toMatchObject({ code: 'DW_HTTP_NETWORK', message: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('retry log lines (an outage must not fill the log)', () => {
  it('leaves one line per retried request, at info when it finally succeeds and warn when it fails; each attempt only at debug', async () => {
    const sandbox = await startSandbox({ seed: 2 });
    const captured = captureLogger();
    const c = sandbox.connectwise;
    const connectors = createConnectors(
      {
        http: { timeoutMs: 2000, connectTimeoutMs: 1000, maxAttempts: 4, retryBudgetMs: 10_000, baseDelayMs: 5, maxDelayMs: 20, connections: 2 },
        connections: { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', requestsPerMinute: 0 } },
      },
      captured.log,
    );
    try {
      const cw = connectors.connectwise();
      sandbox.control.injectFault({ path: '/finance/invoices/1', kind: '503', count: 3 });
      await cw.get('/finance/invoices/1');
      sandbox.control.injectFault({ path: '/finance/invoices/2', kind: '503', count: 10 });
      await expect(cw.get('/finance/invoices/2')).rejects.toMatchObject({ code: 'DW_CW_UNAVAILABLE' });
      await cw.get('/finance/invoices/3');
      const above = captured.lines.filter((l) => l.level !== 'debug');
      expect(above).toEqual([
        { level: 'info', message: 'request succeeded after retries' },
        { level: 'warn', message: 'request failed after retries' },
      ]);
      expect(captured.lines.filter((l) => l.message === 'retrying request').every((l) => l.level === 'debug')).toBe(true);
      expect(captured.lines.filter((l) => l.message === 'retrying request')).toHaveLength(3 + 3);
    } finally {
      await connectors.close();
      await sandbox.close();
    }
  });
});
