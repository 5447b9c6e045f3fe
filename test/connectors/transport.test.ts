// The transport's waits and its keep-alive, against real servers on loopback.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/connectors/http.js';
import { HttpTransport, discard, readText } from '../../src/connectors/transport.js';
import { silentLogger } from '../../src/log.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Last in, first out: what a test opened last (its sockets, its client) goes before its server.
  for (const close of closers.splice(0).reverse()) await close();
});

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function transport(origin: string, timeouts: { connectTimeoutMs?: number; timeoutMs?: number } = {}): HttpTransport {
  const t = new HttpTransport({ origin, connections: 2, connectTimeoutMs: timeouts.connectTimeoutMs ?? 1000, timeoutMs: timeouts.timeoutMs ?? 1000 });
  closers.push(async () => t.close());
  return t;
}

describe('HttpTransport', () => {
  it('sends the body with its length and reads the answer', async () => {
    let received = '';
    let length: string | undefined;
    const host = await listen(
      http.createServer((req, res) => {
        length = req.headers['content-length'];
        req.setEncoding('utf8');
        req.on('data', (c: string) => (received += c));
        req.on('end', () => res.writeHead(201, { 'x-id': '7' }).end('créé'));
      }),
    );
    const res = await transport(`http://${host}`).request({ method: 'POST', path: '/p?q=1', headers: { 'content-type': 'application/json' }, body: '{"name":"Zoë"}' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-id']).toBe('7');
    expect(await readText(res.body)).toBe('créé');
    expect(received).toBe('{"name":"Zoë"}');
    expect(length).toBe(String(Buffer.byteLength('{"name":"Zoë"}')));
  });

  it('keeps the connection for the next request, and a connection idle longer than the timeout is not a failure', async () => {
    const sockets = new Set<net.Socket>();
    const server = http.createServer((_req, res) => res.end('ok'));
    server.on('connection', (s) => sockets.add(s));
    const t = transport(`http://${await listen(server)}`, { timeoutMs: 100 });
    await discard((await t.request({ method: 'GET', path: '/1' })).body);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await readText((await t.request({ method: 'GET', path: '/2' })).body)).toBe('ok');
    expect(sockets.size).toBe(1);
  });

  it('times out a server that sends no response, and one whose body stops', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/stall') res.writeHead(200, { 'content-length': '100' }).write('{"partial":');
    });
    const t = transport(`http://${await listen(server)}`, { timeoutMs: 150 });
    await expect(t.request({ method: 'GET', path: '/silent' })).rejects.toMatchObject({ code: 'RESPONSE_TIMEOUT', message: 'no response within 150 ms' });
    const res = await t.request({ method: 'GET', path: '/stall' });
    await expect(readText(res.body)).rejects.toMatchObject({ code: 'BODY_TIMEOUT', message: 'the body stopped for 150 ms' });
  });

  it('times out a connection that does not open (a TLS handshake nobody answers)', async () => {
    const held: net.Socket[] = [];
    const host = await listen(net.createServer((s) => void held.push(s)));
    closers.push(async () => held.forEach((s) => s.destroy()));
    const started = Date.now();
    await expect(transport(`https://${host}`, { connectTimeoutMs: 150, timeoutMs: 5000 }).request({ method: 'GET', path: '/' })).rejects.toMatchObject({ code: 'CONNECT_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a body cut off by the server as an error while reading it', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' }).write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const res = await transport(`http://${await listen(server)}`).request({ method: 'GET', path: '/' });
    await expect(readText(res.body)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('stops when its signal is aborted', async () => {
    const host = await listen(http.createServer(() => undefined));
    const abort = new AbortController();
    const pending = transport(`http://${host}`).request({ method: 'GET', path: '/', signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('HttpClient over the transport', () => {
  it('turns a body that stops into DW_HTTP_TIMEOUT, saying what ran out', async () => {
    const server = http.createServer((_req, res) => res.writeHead(200, { 'content-length': '100' }).write('{"partial":'));
    const client = new HttpClient({ origin: `http://${await listen(server)}`, name: 'slow', log: silentLogger(), timeoutMs: 150, connectTimeoutMs: 500, maxAttempts: 2, retryBudgetMs: 5000, baseDelayMs: 5, maxDelayMs: 10, connections: 1 });
    closers.push(() => client.close());
    await expect(client.requestText({ method: 'GET', path: '/x' })).rejects.toMatchObject({ code: 'DW_HTTP_TIMEOUT', message: 'slow: GET /x failed after 2 attempts: the body stopped for 150 ms' });
  });
});
