// The HTTP front: picks the API by path prefix, counts the request, applies injected faults and the
// global latency, checks credentials, dispatches to the route and writes JSON (or lets the route
// stream). Control routes under /_sandbox skip faults, latency and auth.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkConnectWiseAuth, checkTraedeAuth } from './auth.js';
import { CONNECTWISE_BASE } from './connectwise/index.js';
import { companyInfo } from './connectwise/login.js';
import { ApiError } from './errors.js';
import { sendQueryStringTooLong } from './quirks.js';
import type { Router, RouteContext } from './router.js';
import type { SandboxState } from './state.js';
import type { FaultSpec } from './types.js';

const MAX_BODY = 16 * 1024 * 1024;

export interface Routers {
  connectwise: Router;
  traede: Router;
  control: Router;
}

export function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  if (status === 204 || body === undefined) {
    res.writeHead(status, { 'Content-Length': '0', ...headers });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache',
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY ? reject(new ApiError(413, { code: 'PayloadTooLarge', message: 'Request body too large' })) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** 'truncate': headers and part of the first body chunk go out, then the socket is destroyed. */
function truncateResponse(res: ServerResponse): void {
  const write = res.write.bind(res) as (chunk: Buffer, cb: () => void) => boolean;
  let cut = false;
  const cutOff = (chunk: unknown): boolean => {
    if (cut) return false;
    cut = true;
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.alloc(0);
    write(data.subarray(0, Math.floor(data.length / 2)), () => res.destroy());
    return false;
  };
  res.write = ((chunk: unknown) => cutOff(chunk)) as ServerResponse['write'];
  res.end = ((chunk?: unknown) => {
    cutOff(typeof chunk === 'function' ? undefined : chunk);
    return res;
  }) as ServerResponse['end'];
}

/** ConnectWise's throttling answer. */
function sendTooManyRequests(res: ServerResponse, retryAfter: number | string | undefined): void {
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) };
  const wait = typeof retryAfter === 'number' ? `${retryAfter} seconds` : 'a moment';
  send(res, 429, { code: 'TooManyRequests', message: `Too many requests. Please try again in ${wait}.` }, headers);
}

function faultReply(fault: FaultSpec, res: ServerResponse): boolean {
  switch (fault.kind) {
    case '403':
      // An API member whose security role lacks this area.
      send(res, 403, { code: 'Forbidden', message: 'You do not have access to this resource (sandbox fault injection).' });
      return true;
    case '429':
      sendTooManyRequests(res, fault.retryAfter);
      return true;
    case '500':
      send(res, 500, { code: 'ConnectWiseApi', message: 'An unexpected error occurred (sandbox fault injection).' });
      return true;
    case '503':
      send(res, 503, { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable (sandbox fault injection).' });
      return true;
    case 'drop':
      res.socket?.destroy();
      return true;
    case 'truncate':
      truncateResponse(res);
      return false;
    case 'slow':
      return false;
  }
}

export function requestHandler(sandbox: SandboxState, routers: Routers) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      // Link headers are built from this URL, so it keeps the scheme the client used.
      const scheme = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
      const url = new URL(req.url ?? '/', `${scheme}://${req.headers.host ?? '127.0.0.1'}`);
      const path = url.pathname;
      const lower = path.toLowerCase();
      const raw = await readBody(req);
      let router: Router;
      let routePath = path;
      let isApi = true;
      if (lower.startsWith('/login/companyinfo/')) {
        // Codebase discovery comes before any credentials exist, so it takes none (API-NOTES §1).
        sandbox.count(method, '/login/companyinfo/{companyId}');
        const reply = companyInfo(method, decodeURIComponent(path.slice('/login/companyinfo/'.length)));
        send(res, reply.status, reply.body);
        return;
      }
      if (lower === '/_sandbox' || lower.startsWith('/_sandbox/')) {
        router = routers.control;
        isApi = false;
      } else if (lower.startsWith(`${CONNECTWISE_BASE.toLowerCase()}/`)) {
        router = routers.connectwise;
        routePath = path.slice(CONNECTWISE_BASE.length);
      } else if (lower.startsWith('/v10/')) {
        router = routers.traede;
      } else {
        throw new ApiError(404, { code: 'NotFound', message: `Nothing at ${path}. ConnectWise is under ${CONNECTWISE_BASE}, Traede under /v10, control under /_sandbox.` });
      }
      if (isApi) {
        sandbox.count(method, routePath);
        // IIS refuses it before ConnectWise sees it: no auth, no JSON.
        if (sandbox.quirks.queryTooLong(req.url ?? '')) {
          sendQueryStringTooLong(res);
          return;
        }
        const fault = sandbox.faults.take(method, routePath === path ? [path] : [routePath, path]);
        const delay = sandbox.latencyMs + (fault?.kind === 'slow' ? (fault.delayMs ?? 2000) : 0);
        if (delay > 0) await sleep(delay);
        if (fault && faultReply(fault, res)) return;
        const retryAfter = router === routers.connectwise ? sandbox.rateLimit.take() : undefined;
        if (retryAfter !== undefined) {
          sendTooManyRequests(res, retryAfter);
          return;
        }
        if (router === routers.connectwise) checkConnectWiseAuth(req.headers);
        else checkTraedeAuth(req.headers, url);
      }
      const match = router.match(method, routePath);
      if (match === undefined) throw new ApiError(404, { code: 'NotFound', message: `No route ${method} ${routePath}` });
      if (match === 'method-not-allowed') throw new ApiError(405, { code: 'MethodNotAllowed', message: `${method} is not allowed on ${routePath}` });
      const ctx: RouteContext = {
        req,
        res,
        url,
        params: match.params,
        state: sandbox,
        body: () => parseJson(raw),
      };
      const reply = await match.handler(ctx);
      if (reply) send(res, reply.status, reply.body, reply.headers);
    } catch (error) {
      if (error instanceof ApiError) send(res, error.status, error.body, error.headers);
      else send(res, 500, { code: 'ConnectWiseApi', message: error instanceof Error ? error.message : String(error) });
    }
  };
}

async function parseJson(raw: Buffer): Promise<unknown> {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new ApiError(400, { code: 'InvalidObject', message: 'The request body is not valid JSON.' });
  }
}

export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** HTTP, or HTTPS with the given key and certificate (https.Server is an http.Server underneath). */
export function newServer(tls?: { key: string; cert: string }): Server {
  const server: Server = tls ? createHttpsServer({ keepAlive: true, key: tls.key, cert: tls.cert }) : createServer({ keepAlive: true });
  server.keepAliveTimeout = 10_000;
  return server;
}
