// A call to a JSON API over the HTTP layer, with the connector's own names for what went wrong: no
// answer at all, a non-2xx answer, or a 2xx answer that is not JSON. Both connectors use it.
import { isDropwiseError, type DropwiseError } from '../errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from './http.js';
import { rawArrayElements, type RawJson } from '../json/record-stream.js';
import { readText } from './transport.js';

export interface ApiErrors {
  /** No answer could be had (network failure or timeout, after the HTTP layer's retries). */
  unreachable(err: DropwiseError): DropwiseError;
  /** A non-2xx answer, with its body text. */
  status(statusCode: number, text: string): DropwiseError;
  /** A 2xx answer whose body is not JSON. */
  notJson(statusCode: number): DropwiseError;
}

export interface JsonResponse<T> {
  data: T;
  status: number;
  headers: HttpResponse['headers'];
}

async function send<R>(errors: ApiErrors, call: () => Promise<R>): Promise<R> {
  try {
    return await call();
  } catch (err) {
    if (isDropwiseError(err, 'DW_HTTP_NETWORK') || isDropwiseError(err, 'DW_HTTP_TIMEOUT')) throw errors.unreachable(err);
    throw err;
  }
}

/** Sends the request, reads the whole body and parses it; an empty 2xx body gives `undefined`. */
export async function callJson<T>(http: HttpClient, req: HttpRequest, errors: ApiErrors): Promise<JsonResponse<T>> {
  const res = await send(errors, () => http.requestText(req));
  if (res.statusCode < 200 || res.statusCode > 299) throw errors.status(res.statusCode, res.text);
  if (res.text === '') return { data: undefined as T, status: res.statusCode, headers: res.headers };
  try {
    return { data: JSON.parse(res.text) as T, status: res.statusCode, headers: res.headers };
  } catch {
    throw errors.notJson(res.statusCode);
  }
}

/**
 * callJson for an answer that is a JSON array, handed over as its elements' bytes (a page of records
 * for a transcoder, never decoded as a whole); an empty 2xx body is an empty array.
 */
export async function callRawArray(http: HttpClient, req: HttpRequest, errors: ApiErrors): Promise<JsonResponse<RawJson[]>> {
  const res = await send(errors, () => http.requestBytes(req));
  if (res.statusCode < 200 || res.statusCode > 299) throw errors.status(res.statusCode, res.bytes.toString('utf8'));
  try {
    return { data: res.bytes.length === 0 ? [] : rawArrayElements(res.bytes), status: res.statusCode, headers: res.headers };
  } catch {
    throw errors.notJson(res.statusCode);
  }
}

/** Sends the request and hands over a 2xx response whose body the caller streams. */
export async function callStream(http: HttpClient, req: HttpRequest, errors: ApiErrors): Promise<HttpResponse> {
  const res = await send(errors, () => http.request(req));
  if (res.statusCode < 200 || res.statusCode > 299) throw errors.status(res.statusCode, await readText(res.body).catch(() => ''));
  return res;
}

/** How much of a streamed body has been read. */
export interface BodyProgress {
  bytes: number;
}

/**
 * A streamed body that counts its bytes into `progress` as they pass; an error reading it (the
 * connection dropped) becomes the connector's own error, from `dropped`.
 */
export async function* countedBody(body: AsyncIterable<Buffer>, progress: BodyProgress, dropped: (err: unknown) => DropwiseError): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) {
      progress.bytes += chunk.length;
      yield chunk;
    }
  } catch (err) {
    if (isDropwiseError(err)) throw err;
    throw dropped(err);
  }
}
