// The ConnectWise Manage REST client: auth and clientId headers, the pinned API version, pages
// streamed as an async iterator, and ConnectWise's errors turned into DropwiseErrors that keep
// ConnectWise's own message and field.
import type { ConnectWiseConnection } from '../../config/load.js';
import { DropwiseError, type DwCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { pickMembers } from '../../json/pick-members.js';
import type { RawJson } from '../../json/record-stream.js';
import { callJson, callRawArray, callStream, type ApiErrors, type JsonResponse } from '../api-call.js';
import { pathOnly, type HttpClient, type HttpMethod, type HttpRequest, type HttpResponse } from '../http.js';

export interface CwQuery {
  conditions?: string;
  childConditions?: string;
  customFieldConditions?: string;
  orderBy?: string;
  fields?: string;
}

export interface CwRequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Safe to repeat even if ConnectWise may have acted on it (see HttpRequest.idempotent). */
  idempotent?: boolean;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** A record of rawPages(): its bytes, and the members picked from them. */
export interface PickedRecord<P> {
  raw: RawJson;
  picked: P & { id?: number };
}

export interface PageOptions {
  pageSize: number;
  /**
   * Forward-only pagination (ordered by id, `pageId` > last id): stable while records change and
   * cheap for the server. Used unless an orderBy is given.
   */
  forwardOnly?: boolean;
  signal?: AbortSignal;
}

export interface CwErrorBody {
  code?: string;
  message?: string;
  errors?: { code?: string; message?: string; resource?: string; field?: string }[] | null;
}

const STATUS_CODES: Record<number, DwCode> = {
  400: 'DW_CW_VALIDATION',
  401: 'DW_CW_AUTH',
  403: 'DW_CW_FORBIDDEN',
  404: 'DW_CW_NOT_FOUND',
  409: 'DW_CW_CONFLICT',
  429: 'DW_CW_RATE_LIMITED',
};

const HINTS: Partial<Record<DwCode, string>> = {
  DW_CW_AUTH: 'Check companyId, publicKey, privateKey and clientId of the connection (an API member\'s keys, System > Members > API Keys)',
  DW_CW_FORBIDDEN: 'Give the API member\'s security role access to this area in ConnectWise',
  DW_CW_RATE_LIMITED: 'ConnectWise is throttling; the work will be retried on the next run',
  DW_CW_UNAVAILABLE: 'ConnectWise is unavailable or slow; the work will be retried on the next run',
};

/** The heading of an HTML error page (`<title>`, else the first `<h…>`), for the message. */
function htmlHeading(text: string): string | undefined {
  const m = /<title[^>]*>([^<]*)<\/title>/i.exec(text) ?? /<h\d[^>]*>([^<]*)<\/h\d>/i.exec(text);
  return m?.[1]?.trim() || undefined;
}

/**
 * Turns a ConnectWise error response into a DropwiseError carrying ConnectWise's message and field.
 * A 4xx whose body is not ConnectWise's JSON (an HTML page from IIS or a proxy: 404.15 "query
 * string too long") did not come from ConnectWise's API, so it is a DW_CW_RESPONSE, never "not found"
 * (auth refusals and throttling keep their codes).
 */
export function cwError(status: number, text: string, method: string, path: string): DropwiseError {
  let body: CwErrorBody = {};
  let json = true;
  try {
    body = JSON.parse(text) as CwErrorBody;
  } catch {
    json = false;
  }
  // 401, 403 and 429 say enough by their status whoever sent the page.
  if (!json && text.trim() !== '' && status >= 400 && status < 500 && ![401, 403, 429].includes(status)) {
    const what = htmlHeading(text) ?? text.trim().slice(0, 120);
    return new DropwiseError('DW_CW_RESPONSE', `ConnectWise answered ${status} to ${method} ${pathOnly(path)} with a page that is not ConnectWise's JSON: ${what}`, {
      httpStatus: status,
      hint: 'A web server or proxy in front of ConnectWise refused the request (an over-long URL, a blocked path); check what sits between dropwise and ConnectWise',
    });
  }
  const code = STATUS_CODES[status] ?? (status >= 500 ? 'DW_CW_UNAVAILABLE' : 'DW_CW_VALIDATION');
  const detail = body.errors?.find((e) => e.message || e.field);
  const cwMessage = detail?.message ?? body.message ?? (text.trim().slice(0, 200) || `HTTP ${status}`);
  const prefix = code === 'DW_CW_VALIDATION' || code === 'DW_CW_NOT_FOUND' ? 'ConnectWise' : `ConnectWise answered ${status} to ${method} ${pathOnly(path)}`;
  return new DropwiseError(code, `${prefix}: ${cwMessage}`, {
    httpStatus: status,
    field: detail?.field,
    hint: HINTS[code],
    retryable: code === 'DW_CW_UNAVAILABLE' || code === 'DW_CW_RATE_LIMITED',
  });
}

/** The URLs of a Link header by rel: `<url>; rel="next", <url>; rel="last"`. */
export function parseLinkHeader(value: string | string[] | undefined): Record<string, string> {
  const header = Array.isArray(value) ? value.join(',') : value ?? '';
  const links: Record<string, string> = {};
  for (const m of header.matchAll(/<([^>]*)>\s*;\s*rel="?([^",;]+)"?/g)) links[(m[2] as string).toLowerCase()] = m[1] as string;
  return links;
}

/**
 * Why a forward-only answer shows the endpoint did not honour forward-only paging, or undefined
 * when it did: ConnectWise's own clients take a missing Link header, or one with navigable rels,
 * as "not supported"; and every id must be a number past `after`, ascending.
 */
export function forwardOnlyIgnored(records: { id?: number }[], link: string | string[] | undefined, after: number): string | undefined {
  if (link === undefined) return 'no Link header';
  const rels = parseLinkHeader(link);
  if (rels['first'] !== undefined || rels['last'] !== undefined || rels['prev'] !== undefined) return 'a navigable Link header';
  const next = rels['next'];
  if (next !== undefined && !/[?&]pageid=/i.test(next)) return 'a next link without pageId';
  let previous = after;
  for (const record of records) {
    if (typeof record.id !== 'number' || record.id <= previous) return `ids that do not move past ${previous}`;
    previous = record.id;
  }
  return undefined;
}

/** A connection whose API base is known (given as url, or found from its site at start). */
export type ConnectWiseApiConnection = ConnectWiseConnection & { url: string };

export class ConnectWiseClient {
  readonly basePath: string;
  private readonly headers: Record<string, string>;
  /** Endpoints found not to honour forward-only paging; read navigably from then on. */
  private readonly navigableOnly = new Set<string>();

  constructor(
    readonly connection: ConnectWiseApiConnection,
    private readonly http: HttpClient,
    private readonly log: Logger,
  ) {
    this.basePath = new URL(connection.url).pathname.replace(/\/+$/, '');
    const auth = Buffer.from(`${connection.companyId}+${connection.publicKey}:${connection.privateKey}`).toString('base64');
    this.headers = {
      authorization: `Basic ${auth}`,
      clientid: connection.clientId,
      accept: `application/vnd.connectwise.com+json; version=${connection.apiVersion ?? '2022.1'}, application/json`,
    };
  }

  /** `/finance/invoices` + query → the full request path under the connection's base path. */
  path(resource: string, query: Record<string, string | number | undefined> = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
    const qs = params.toString();
    return `${this.basePath}${resource}${qs ? `?${qs}` : ''}`;
  }

  /** Sends a request and parses the JSON answer; non-2xx answers become DropwiseErrors. */
  async request<T>(method: HttpMethod, resource: string, options: CwRequestOptions = {}): Promise<JsonResponse<T>> {
    return callJson<T>(this.http, this.httpRequest(method, resource, options), this.errorsFor(method, resource));
  }

  /** A response whose body the caller streams (large exports). Non-2xx answers are thrown. */
  async stream(method: HttpMethod, resource: string, options: CwRequestOptions = {}): Promise<HttpResponse> {
    return callStream(this.http, this.httpRequest(method, resource, options), this.errorsFor(method, resource));
  }

  async get<T>(resource: string, query?: CwRequestOptions['query'], signal?: AbortSignal): Promise<T> {
    return (await this.request<T>('GET', resource, { query, signal })).data;
  }

  /**
   * Yields the records of a list endpoint page by page; only one page is held at a time.
   * Forward-only mode follows `pageId`; otherwise the Link header's `next`. An endpoint that does
   * not honour forward-only paging (its Link is missing or navigable, or its ids do not move past
   * `pageId`) is detected before its page is used, remembered, and read with navigable pages
   * ordered by id from past the last id yielded: no record twice, none skipped.
   */
  pages<T extends { id?: number }>(resource: string, query: CwQuery, options: PageOptions): AsyncGenerator<T[]> {
    return this.pagesOf(resource, query, options, (req) => callJson<T[]>(this.http, req, this.errorsFor('GET', resource)), (record) => record);
  }

  /**
   * pages() with each record as its bytes, never parsed whole: the members named in `picks` (and its
   * id, which paging needs) are parsed beside it. A record that is not an object has none picked.
   */
  rawPages<P extends Record<string, unknown>>(resource: string, query: CwQuery, options: PageOptions & { picks: ReadonlySet<string> }): AsyncGenerator<PickedRecord<P>[]> {
    const picks = new Set([...options.picks, 'id']);
    return this.pagesOf(
      resource,
      query,
      options,
      async (req) => {
        const res = await callRawArray(this.http, req, this.errorsFor('GET', resource));
        return { ...res, data: res.data.map((raw) => ({ raw, picked: (pickMembers(raw, picks) ?? {}) as P & { id?: number } })) };
      },
      (record) => record.picked,
    );
  }

  /** The paging of pages() over any reading of a page; `keys` gives what paging reads of a record: its id. */
  private async *pagesOf<T>(resource: string, query: CwQuery, options: PageOptions, read: (req: HttpRequest) => Promise<JsonResponse<T[]>>, keys: (record: T) => { id?: number }): AsyncGenerator<T[]> {
    const base = { ...query, pageSize: options.pageSize };
    const forwardOnly = (options.forwardOnly ?? true) && !query.orderBy;
    let after = 0;
    if (forwardOnly && !this.navigableOnly.has(resource)) {
      for (;;) {
        const { data, headers } = await read(this.httpRequest('GET', resource, {
          query: { ...base, pageId: after || undefined },
          signal: options.signal,
          headers: { 'pagination-type': 'forward-only' },
        }));
        // An empty page can have skipped or repeated nothing: no reason to stop trusting forward-only paging.
        if (data.length === 0) return;
        const odd = forwardOnlyIgnored(data.map(keys), headers['link'], after);
        if (odd !== undefined) {
          this.navigableOnly.add(resource);
          this.log.warn('ConnectWise ignored forward-only paging; reading navigable pages ordered by id instead', { resource, reason: odd, after });
          break;
        }
        yield data;
        after = keys(data[data.length - 1] as T).id as number;
        if (parseLinkHeader(headers['link'])['next'] === undefined) return;
      }
    }
    if (forwardOnly) yield* this.navigablePages(resource, { ...base, orderBy: 'id asc' }, options.signal, read, keys, after);
    else yield* this.navigablePages(resource, base, options.signal, read, keys);
  }

  /**
   * Navigable pages by the Link header's `next`. With `after` (the query then orders by id), only
   * records past the last id yielded are kept.
   */
  private async *navigablePages<T>(resource: string, query: CwQuery & { pageSize: number }, signal: AbortSignal | undefined, read: (req: HttpRequest) => Promise<JsonResponse<T[]>>, keys: (record: T) => { id?: number }, after?: number): AsyncGenerator<T[]> {
    const byId = after !== undefined;
    const idOf = (record: T): number | undefined => {
      const id = keys(record).id;
      return typeof id === 'number' ? id : undefined;
    };
    let last = after ?? 0;
    let page = 1;
    for (;;) {
      const { data, headers } = await read(this.httpRequest('GET', resource, { query: { ...query, page }, signal }));
      if (data.length === 0) return;
      // Records shift between pages when others are added or removed: ordered by id, the last id
      // yielded says which ones were already seen (one without a numeric id is kept).
      const fresh = byId ? data.filter((r) => (idOf(r) ?? Infinity) > last) : data;
      if (fresh.length > 0) yield fresh;
      if (byId) for (const r of fresh) last = Math.max(last, idOf(r) ?? last);
      const next = parseLinkHeader(headers['link'])['next'];
      if (!next) return;
      const nextPage = Number(new URL(next).searchParams.get('page'));
      page = Number.isInteger(nextPage) && nextPage > page ? nextPage : page + 1;
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private httpRequest(method: HttpMethod, resource: string, options: CwRequestOptions): HttpRequest {
    return {
      method,
      path: this.path(resource, options.query),
      headers: { ...this.headers, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      idempotent: options.idempotent,
      signal: options.signal,
    };
  }

  private errorsFor(method: HttpMethod, resource: string): ApiErrors {
    return {
      unreachable: (err) => {
        this.log.warn('ConnectWise unreachable', { url: this.connection.url, error: err.message });
        return new DropwiseError('DW_CW_UNAVAILABLE', `ConnectWise could not be reached: ${err.message}`, { hint: HINTS.DW_CW_UNAVAILABLE, retryable: true, cause: err });
      },
      status: (status, text) => cwError(status, text, method, resource),
      notJson: (status) => new DropwiseError('DW_CW_RESPONSE', `ConnectWise sent a response that is not JSON to ${method} ${resource}`, { httpStatus: status }),
    };
  }
}
