// One keep-alive transport per connection (transport.ts), and retries that follow ConnectWise's
// guidance: 429 (honouring Retry-After), 5xx and dropped connections are retried with exponential
// back-off, jitter and a time budget; other 4xx never are. A request that could create something
// twice (a POST) is retried only where the server cannot have acted on it (429, refused connection)
// unless the caller says it is idempotent.
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../async/backoff.js';
import type { AppConfig } from '../config/load.js';
import { DropwiseError } from '../errors.js';
import { events } from '../events.js';
import type { Logger } from '../log.js';
import type { RateBudget } from './rate-budget.js';
import { HttpTransport, TIMEOUT_CODES, discard, readBytes } from './transport.js';

type HttpSettings = AppConfig['http'];

/** The `http` settings of the config, plus what identifies the remote system. */
export interface HttpClientOptions extends HttpSettings {
  origin: string;
  /** The connection name, for log lines. */
  name: string;
  log: Logger;
  /** For tests: a source of randomness for jitter. */
  random?: () => number;
  /**
   * The connection's request budget, shared by every request through this client: each attempt
   * waits for it, and a 429 pauses it (and so the whole connection) for its Retry-After.
   */
  budget?: RateBudget;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Path with query string, e.g. `/v4_6_release/apis/3.0/finance/invoices?page=2`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Safe to repeat even if the server may have acted on it. Defaults to true for GET, PUT, DELETE. */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  /** How many attempts it took. */
  attempts: number;
}

export interface HttpTextResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  attempts: number;
}

export type HttpBytesResponse = Omit<HttpTextResponse, 'text'> & { bytes: Buffer };

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
// Errors where the request never reached the server: always safe to retry.
const NOT_SENT = new Set(['ECONNREFUSED', TIMEOUT_CODES.connect, 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUTS = new Set<string>(Object.values(TIMEOUT_CODES));
const NETWORK = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', ...TIMEOUTS, ...NOT_SENT]);

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export class HttpClient {
  private readonly transport: HttpTransport;
  private readonly random: () => number;

  constructor(private readonly options: HttpClientOptions) {
    this.transport = new HttpTransport(options);
    this.random = options.random ?? Math.random;
  }

  get origin(): string {
    return this.options.origin;
  }

  /**
   * Sends a request, retrying as described above. Resolves with the final response, whatever its
   * status (the connector maps statuses to its own errors); rejects with DW_HTTP_NETWORK or
   * DW_HTTP_TIMEOUT when no response could be had.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    return this.attempt(req, async (res) => res);
  }

  /**
   * Like request(), and reads the whole body too. A body cut off mid-way counts as a failed attempt
   * (retried for idempotent requests), so callers get a complete body or an error.
   */
  async requestText(req: HttpRequest): Promise<HttpTextResponse> {
    const { bytes, ...res } = await this.requestBytes(req);
    return { ...res, text: bytes.toString('utf8') };
  }

  /** requestText with the body as its bytes (a page read without decoding it, json/record-stream.ts). */
  async requestBytes(req: HttpRequest): Promise<HttpBytesResponse> {
    return this.attempt(req, async (res) => ({ statusCode: res.statusCode, headers: res.headers, bytes: await readBytes(res.body), attempts: res.attempts }));
  }

  private async attempt<T>(req: HttpRequest, read: (res: HttpResponse) => Promise<T>): Promise<T> {
    const { log, name, maxAttempts, retryBudgetMs } = this.options;
    const idempotent = req.idempotent ?? (req.method !== 'POST' && req.method !== 'PATCH');
    const started = Date.now();
    let waitedMs = 0;
    const reasons: string[] = [];
    for (let attempt = 1; ; attempt++) {
      const t0 = Date.now();
      let delay: number | undefined;
      let retryAfter: number | undefined;
      let reason: string;
      try {
        await this.options.budget?.take(req.signal);
        const res = await this.transport.request({
          method: req.method,
          path: req.path,
          headers: req.headers,
          body: req.body,
          signal: req.signal,
        });
        log.debug('http', { connection: name, method: req.method, path: req.path, status: res.statusCode, ms: Date.now() - t0, attempt });
        if (events.httpAttempt.hasSubscribers) events.httpAttempt.publish({ connection: name, method: req.method, path: pathOnly(req.path), status: res.statusCode, durationMs: Date.now() - t0 });
        const retryable = RETRY_STATUS.has(res.statusCode) && (idempotent || res.statusCode === 429);
        retryAfter = res.statusCode === 429 ? parseRetryAfter(res.headers['retry-after']) : undefined;
        delay = retryAfter ?? this.backoff(attempt);
        // Every request of the connection holds off, not only this one.
        if (res.statusCode === 429) this.options.budget?.pause(delay);
        const outOfBudget = Date.now() - started + delay > retryBudgetMs;
        // The last answer is returned as it is: the connector turns its status into an error.
        if (!retryable || attempt >= maxAttempts || outOfBudget) {
          if (attempt > 1) this.summarise(req, attempt, waitedMs, reasons, res.statusCode < 400 ? undefined : `HTTP ${res.statusCode}`);
          return await read({ statusCode: res.statusCode, headers: res.headers, body: res.body, attempts: attempt });
        }
        reason = `HTTP ${res.statusCode}`;
        // The body is not needed; read it so the connection can be reused.
        await discard(res.body);
      } catch (err) {
        if (req.signal?.aborted) throw err;
        const code = errorCode(err);
        const timeout = code !== undefined && TIMEOUTS.has(code);
        const retryable = code !== undefined && NETWORK.has(code) && (idempotent || NOT_SENT.has(code));
        log.debug('http failed', { connection: name, method: req.method, path: req.path, error: code ?? (err as Error).message, attempt });
        if (events.httpAttempt.hasSubscribers) events.httpAttempt.publish({ connection: name, method: req.method, path: pathOnly(req.path), error: code ?? 'network error', durationMs: Date.now() - t0 });
        if (!retryable || attempt >= maxAttempts || Date.now() - started > retryBudgetMs) {
          if (attempt > 1) this.summarise(req, attempt, waitedMs, reasons, code ?? 'network error');
          throw new DropwiseError(
            timeout ? 'DW_HTTP_TIMEOUT' : 'DW_HTTP_NETWORK',
            `${name}: ${req.method} ${pathOnly(req.path)} failed after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${timeout ? (err as Error).message : (code ?? (err as Error).message)}`,
            {
              retryable: true,
              cause: err,
              hint: timeout ? 'The remote system is slow or unreachable; it will be tried again on the next run' : 'Check the network and the connection URL',
            },
          );
        }
        reason = code ?? 'network error';
      }
      const wait = Math.min(delay ?? this.backoff(attempt), Math.max(0, retryBudgetMs - (Date.now() - started)));
      // One line per attempt only at debug: an outage would otherwise fill the log (summarise() says it once).
      log.debug('retrying request', { connection: name, method: req.method, path: pathOnly(req.path), reason, attempt, waitMs: wait });
      reasons.push(reason);
      waitedMs += reason === 'HTTP 429' && this.options.budget ? this.options.budget.pausedFor() : wait;
      if (events.httpRetryWait.hasSubscribers) events.httpRetryWait.publish({ connection: name, waitMs: wait, retryAfter: retryAfter !== undefined });
      // After a 429 the budget holds the next attempt back (and resumes with jitter); otherwise wait here.
      if (reason !== 'HTTP 429' || !this.options.budget) await sleep(wait, undefined, { signal: req.signal });
    }
  }

  /**
   * The one line a retried request leaves at info (warn when it finally failed): how many attempts,
   * how long it waited in all, and why it was retried.
   */
  private summarise(req: HttpRequest, attempts: number, waitedMs: number, reasons: string[], failure: string | undefined): void {
    const counts: Record<string, number> = {};
    for (const reason of reasons) counts[reason] = (counts[reason] ?? 0) + 1;
    const fields = { connection: this.options.name, method: req.method, path: pathOnly(req.path), attempts, waitedMs, retriedFor: counts };
    if (failure === undefined) this.options.log.info('request succeeded after retries', fields);
    else this.options.log.warn('request failed after retries', { ...fields, failure });
  }

  /** Exponential back-off with jitter. */
  private backoff(attempt: number): number {
    return backoffDelay(attempt, this.options, this.random);
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** A path without its query string, for messages (queries can be long). */
export function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}
