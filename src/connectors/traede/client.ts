// The Traede REST client: Bearer token and X-Traede-App-Key headers, JSON in and out, and Traede's
// error answers turned into DropwiseErrors; plus the invoice Export API (a streamed pull, then mark as
// exported).
import type { TraedeConnection } from '../../config/load.js';
import { DropwiseError, isDropwiseError, type DwCode } from '../../errors.js';
import { readTopLevelRecords } from '../../json/record-stream.js';
import { callJson, callStream, countedBody, type ApiErrors, type BodyProgress } from '../api-call.js';
import type { Logger } from '../../log.js';
import { pathOnly, type HttpClient, type HttpMethod, type HttpRequest } from '../http.js';
import { filterGroupParams, traedeDateTime, type TraedeFilterGroup } from './filter-groups.js';

/** Traede accepts at most this many invoices per mark-as-exported call. */
export const MARK_BATCH_MAX = 10;

/** An invoice as the export gives it: snake_case fields, kept as they are. */
export interface TraedeInvoice {
  id: number;
  [field: string]: unknown;
}

export interface ExportInvoicesQuery {
  /** Which target system's exported/not-exported bookkeeping to use. */
  systemId: string;
  /** Re-include invoices marked as exported since this datetime (ISO 8601, or Traede's UTC form). */
  notExportedSince?: string;
  /** Include draft (not booked) invoices. */
  includeNonBooked: boolean;
  filterGroups: readonly TraedeFilterGroup[];
  includeLines: boolean;
  signal?: AbortSignal;
}

export interface MarkAsExportedItem {
  invoice_id: number;
  system_id: string;
  note?: string;
}

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

const EXPORT_PATH = '/v10/invoices/export';

/** The export's query string (Traede's bracketed filter syntax); a bad notExportedSince is refused here. */
function exportQuery(q: ExportInvoicesQuery): string {
  const params = new URLSearchParams([['system_id', q.systemId]]);
  if (q.notExportedSince !== undefined) {
    const since = traedeDateTime(q.notExportedSince);
    if (since === undefined) throw new DropwiseError('DW_SETTINGS_INVALID', `notExportedSince "${q.notExportedSince}" is not a datetime`, { field: 'notExportedSince' });
    params.append('not_exported_since', since);
  }
  params.append('include_non_booked', q.includeNonBooked ? '1' : '0');
  if (q.includeLines) params.append('includes[]', 'lines');
  for (const [key, value] of filterGroupParams(q.filterGroups)) params.append(key, value);
  return params.toString();
}

function badShape(): DropwiseError {
  return new DropwiseError('DW_TRAEDE_RESPONSE', `Traede answered GET ${EXPORT_PATH} without an "invoices" list of invoices with ids`);
}

function errorName(err: unknown): string {
  return (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
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
    const { req, errors } = this.call(method, resource, options);
    const { data } = await callJson<T>(this.http, req, errors);
    return data;
  }

  /** The HTTP request and the error mapping of one call, shared by whole and streamed reads. */
  private call(method: HttpMethod, resource: string, options: TraedeRequestOptions): { req: HttpRequest; errors: ApiErrors } {
    const path = `${this.basePath}${resource}${options.query ? `?${options.query}` : ''}`;
    const req: HttpRequest = {
      method,
      path,
      headers: options.body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      idempotent: options.idempotent,
      signal: options.signal,
    };
    const errors: ApiErrors = {
      unreachable: (err) => {
        this.log.warn('Traede unreachable', { url: this.connection.url, error: err.message });
        return new DropwiseError('DW_TRAEDE_UNAVAILABLE', `Traede could not be reached: ${err.message}`, { retryable: true, cause: err });
      },
      status: (status, text) => traedeError(status, text, method, path),
      notJson: (status) => new DropwiseError('DW_TRAEDE_RESPONSE', `Traede sent a response that is not JSON to ${method} ${resource}`, { httpStatus: status }),
    };
    return { req, errors };
  }

  /**
   * `GET /v10/invoices/export`: the invoices not yet marked as exported for `systemId`, one at a time
   * as the body arrives (it is never held whole). One call, no paging: Traede documents none for
   * exports, and whatever a server-side cap leaves out is still unmarked, so it comes with the next
   * run. `progress.bytes` counts the body read so far: a failure after the first byte is a cut-off
   * answer, which only a new pull from the start can mend.
   */
  async *streamInvoices(q: ExportInvoicesQuery, progress: BodyProgress = { bytes: 0 }): AsyncGenerator<TraedeInvoice, void, undefined> {
    const { req, errors } = this.call('GET', EXPORT_PATH, { query: exportQuery(q), signal: q.signal });
    const res = await callStream(this.http, req, errors);
    const dropped = (err: unknown) => new DropwiseError('DW_TRAEDE_UNAVAILABLE', `The connection to Traede dropped while GET ${EXPORT_PATH} was read (${errorName(err)})`, { retryable: true, cause: err });
    let listed = false;
    try {
      for await (const events of readTopLevelRecords(countedBody(res.body, progress, dropped))) {
        for (const event of events) {
          if (event.container !== 'invoices') continue;
          if (event.kind === 'value') throw badShape();
          if (event.kind === 'end') listed = true;
          else if (Number.isInteger((event.record as { id?: unknown } | null)?.id)) yield event.record as TraedeInvoice;
          else throw badShape();
        }
      }
    } catch (err) {
      if (!isDropwiseError(err, 'DW_JSON_MALFORMED')) throw err;
      // Cut off: Traede did not answer properly. Otherwise the body is simply not JSON.
      if (err.retryable) throw new DropwiseError('DW_TRAEDE_UNAVAILABLE', `Traede's answer to GET ${EXPORT_PATH} was cut off: ${err.message}`, { retryable: true, cause: err });
      throw new DropwiseError('DW_TRAEDE_RESPONSE', `Traede sent a response that is not JSON to GET ${EXPORT_PATH}: ${err.message}`, { httpStatus: res.statusCode, cause: err });
    } finally {
      // A consumer that stops early (or a failure) leaves the rest unread: let the connection go.
      if (!res.body.destroyed) res.body.destroy();
    }
    if (!listed) throw badShape();
  }

  /**
   * `POST /v10/invoices/mark-as-exported` for at most MARK_BATCH_MAX invoices. Marking twice is
   * harmless, so the call is retried like a GET.
   */
  async markAsExported(items: readonly MarkAsExportedItem[], signal?: AbortSignal): Promise<void> {
    if (items.length > MARK_BATCH_MAX) throw new DropwiseError('DW_INTERNAL', `Traede marks at most ${MARK_BATCH_MAX} invoices per call, not ${items.length}`);
    if (items.length === 0) return;
    await this.request('POST', '/v10/invoices/mark-as-exported', { body: { invoices: items }, idempotent: true, signal });
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
