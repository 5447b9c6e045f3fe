// Small HTTP helpers for the simulator tests: real requests over loopback with global fetch.
import { connectWiseHeaders, traedeHeaders, type Sandbox } from '../support/sandbox.js';

export interface Res<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

async function read<T>(r: Response): Promise<Res<T>> {
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

export async function cw<T = unknown>(sb: Sandbox, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Res<T>> {
  const r = await fetch(path.startsWith('http') ? path : `${sb.connectwise.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...connectWiseHeaders(sb), ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return read<T>(r);
}

export async function traede<T = unknown>(sb: Sandbox, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Res<T>> {
  const r = await fetch(`${sb.traede.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...traedeHeaders(sb), ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return read<T>(r);
}

export async function control<T = unknown>(sb: Sandbox, path: string, init: { method?: string; body?: unknown } = {}): Promise<Res<T>> {
  const r = await fetch(`${sb.url}/_sandbox${path}`, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return read<T>(r);
}

export const q = (conditions: string): string => encodeURIComponent(conditions);

/** The URL with rel="next" in a Link header, if any. */
export function nextLink(link: string | null): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(link ?? '')?.[1];
}

export type Row = Record<string, unknown>;
