// One HTTP exchange with a remote system, over Node's own http/https and a keep-alive agent, with
// each of the three waits a remote system can impose bounded: opening the connection, the response,
// and the gap between two chunks of its body. Retries and their policy are the layer above's (http.ts).
//
// Why Node's client and not undici: undici loads 1.2 MB of source, its llhttp compiled to WebAssembly,
// and (its cookie module touches globalThis.Headers) Node's own copy of undici with a second llhttp,
// for nothing dropwise uses. node:http is in Node's start-up snapshot and parses HTTP in C: a task
// run's floor went from 77-81 to 69-71 MB, a 286 MB GL export's peak from 131-137 to 118-121 MB.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** How long an idle keep-alive connection is kept for the next request (ms). */
const KEEP_ALIVE_MS = 30_000;

export interface TransportOptions {
  /** `http(s)://host[:port]`. */
  origin: string;
  /** Most connections open at once; further requests wait for one. */
  connections: number;
  /** Longest wait for a connection to open (TLS included). */
  connectTimeoutMs: number;
  /** Longest silence while waiting for the response's headers, or between two chunks of its body. */
  timeoutMs: number;
}

export interface TransportRequest {
  method: string;
  /** Path with query string. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface TransportResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  /** The body as it arrives; a dropped connection or a timeout is an error while reading it. */
  body: Readable;
}

/** The codes of the waits that ran out: none of them is a DW_ code, the layer above turns them into one. */
export const TIMEOUT_CODES = { connect: 'CONNECT_TIMEOUT', response: 'RESPONSE_TIMEOUT', body: 'BODY_TIMEOUT' } as const;

function timeoutError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class HttpTransport {
  private readonly agent: http.Agent;
  private readonly secure: boolean;
  private readonly url: URL;

  constructor(private readonly options: TransportOptions) {
    this.url = new URL(options.origin);
    this.secure = this.url.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: options.connections, timeout: KEEP_ALIVE_MS };
    this.agent = this.secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /** Sends one request; resolves once the response's headers are in, rejects when none came. */
  request(req: TransportRequest): Promise<TransportResponse> {
    const { connectTimeoutMs, timeoutMs } = this.options;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    return new Promise((resolve, reject) => {
      const send = this.secure ? https.request : http.request;
      const out = send({
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        port: this.url.port,
        path: req.path,
        method: req.method,
        headers,
        agent: this.agent,
        signal: req.signal,
      });
      let response: http.IncomingMessage | undefined;
      // Before the response, a failure rejects; after it, it is the body's error (out's is then ignored).
      out.on('error', reject);
      out.on('socket', (socket) => {
        if (!socket.connecting) return;
        const timer = setTimeout(() => out.destroy(timeoutError(TIMEOUT_CODES.connect, `no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
        socket.once(this.secure ? 'secureConnect' : 'connect', () => clearTimeout(timer));
        socket.once('close', () => clearTimeout(timer));
      });
      // The socket's idle timer: it runs while waiting for the headers and between body chunks, and
      // the agent resets it when the connection goes back to the pool.
      out.setTimeout(timeoutMs, () => {
        if (response) response.destroy(timeoutError(TIMEOUT_CODES.body, `the body stopped for ${timeoutMs} ms`));
        else out.destroy(timeoutError(TIMEOUT_CODES.response, `no response within ${timeoutMs} ms`));
      });
      out.on('response', (res) => {
        response = res;
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      out.end(req.body);
    });
  }

  /** Closes every connection; requests still going fail. */
  close(): void {
    this.agent.destroy();
  }
}

/** A whole body as UTF-8 text. */
export async function readText(body: Readable): Promise<string> {
  return (await readBytes(body)).toString('utf8');
}

/** Reads a body to its end, as bytes. */
export async function readBytes(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/** Reads a body to its end and throws it away, so that its connection can serve the next request. */
export async function discard(body: Readable): Promise<void> {
  body.resume();
  await finished(body).catch(() => undefined);
}
