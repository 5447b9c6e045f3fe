// The Traede REST client: Bearer token and X-Traede-App-Key headers, JSON in and out, and Traede's
// error answers turned into DropwiseErrors.
import type { TraedeConnection } from '../../config/load.js';
import { DropwiseError, isDropwiseError, type DwCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { pathOnly, type HttpClient, type HttpMethod } from '../http.js';

export interface TraedeRequestOptions {
  /** A ready query string (Traede's bracketed array syntax is built by the caller). */
  query?: string;
  body?: unknown;
  idempotent?: boolean;
  signal?: AbortSignal;
}

function traedeError(status: number, text: string, method: string, path: string): DropwiseError {
  let message = text.trim().slice(0, 300);
  try {
    const body = JSON.parse(text) as { message?: string; error?: string | { message?: string } };
    message = body.message ?? (typeof body.error === 'string' ? body.error : body.error?.message) ?? message;
  } catch {
    // Not JSON: keep the start of the text.
  }
  const code: DwCode = status === 401 || status === 403 ? 'DW_TRAEDE_AUTH' : status >= 500 || status === 429 ? 'DW_TRAEDE_UNAVAILABLE' : 'DW_TRAEDE_REQUEST';
  return new DropwiseError(code, `Traede answered ${status} to ${method} ${pathOnly(path)}: ${message || `HTTP ${status}`}`, {
    httpStatus: status,
    retryable: code === 'DW_TRAEDE_UNAVAILABLE',
    hint: code === 'DW_TRAEDE_AUTH' ? 'Check the token and appKey of the Traede connection' : undefined,
  });
}

export class TraedeClient {
  private readonly basePath: string;
  private readonly headers: Record<string, string>;

  constructor(
    readonly connection: TraedeConnection,
    private readonly http: HttpClient,
    private readonly log: Logger,
  ) {
    this.basePath = new URL(connection.url).pathname.replace(/\/+$/, '');
    this.headers = {
      authorization: `Bearer ${connection.token}`,
      'x-traede-app-key': connection.appKey,
      accept: 'application/json',
    };
  }

  async request<T>(method: HttpMethod, resource: string, options: TraedeRequestOptions = {}): Promise<T> {
    const path = `${this.basePath}${resource}${options.query ? `?${options.query}` : ''}`;
    let res;
    try {
      res = await this.http.requestText({
        method,
        path,
        headers: options.body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        idempotent: options.idempotent,
        signal: options.signal,
      });
    } catch (err) {
      if (isDropwiseError(err, 'DW_HTTP_NETWORK') || isDropwiseError(err, 'DW_HTTP_TIMEOUT')) {
        this.log.warn('Traede unreachable', { url: this.connection.url, error: err.message });
        throw new DropwiseError('DW_TRAEDE_UNAVAILABLE', `Traede could not be reached: ${err.message}`, { retryable: true, cause: err });
      }
      throw err;
    }
    if (res.statusCode < 200 || res.statusCode > 299) throw traedeError(res.statusCode, res.text, method, path);
    if (res.text === '') return undefined as T;
    try {
      return JSON.parse(res.text) as T;
    } catch {
      throw new DropwiseError('DW_TRAEDE_RESPONSE', `Traede sent a response that is not JSON to ${method} ${resource}`, { httpStatus: res.statusCode });
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
