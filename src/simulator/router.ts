// A small method + path-pattern router. Literal segments match case-insensitively (ConnectWise
// paths do); `{name}` segments match a positive integer and arrive as numbers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxState } from './state.js';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, number>;
  state: SandboxState;
  /** The parsed JSON body (400 when it is not JSON). */
  body(): Promise<unknown>;
}

/** A handler returns a reply, or undefined when it has written the response itself (streams). */
export type Handler = (ctx: RouteContext) => Reply | undefined | Promise<Reply | undefined>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export type Match = { handler: Handler; params: Record<string, number> } | 'method-not-allowed' | undefined;

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: split(pattern).map((s) => (s.startsWith('{') ? s : s.toLowerCase())), handler });
    return this;
  }

  match(method: string, path: string): Match {
    const segments = split(path);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method) return { handler: route.handler, params };
      pathMatched = true;
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], segments: string[]): Record<string, number> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, number> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const s = segments[i] as string;
    if (p.startsWith('{')) {
      if (!/^\d{1,10}$/.test(s)) return undefined;
      params[p.slice(1, -1)] = Number(s);
    } else if (p !== s.toLowerCase()) return undefined;
  }
  return params;
}

/** Route key for request counts: ids become `{id}` so "GET /finance/invoices/{id}" adds up. */
export function routeKey(method: string, path: string): string {
  return `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}').replace(/\/+$/, '') || '/'}`;
}
