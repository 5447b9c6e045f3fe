// A small router for the agent's API: routes are registered by method and path (`/api/runs/:id`), and
// handlers return a Reply instead of writing to the response, so the server applies the same headers,
// checks and error handling to every route. The dashboard registers its pages the same way.
import type { IncomingMessage } from 'node:http';

export type Method = 'GET' | 'POST';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export interface RouteContext {
  req: IncomingMessage;
  url: URL;
  /** The values of the path's `:name` segments. */
  params: Record<string, string>;
  /** Who is calling, for the record of an action ("api.token" or "local"). */
  caller: string;
}

export type Handler = (ctx: RouteContext) => Reply | Promise<Reply>;

export interface RouteOptions {
  /** Public routes skip the token check (liveness only: they must reveal nothing). Default false. */
  public?: boolean;
  /**
   * Only the Authorization header proves the caller (no session cookie), and then a POST needs no CSRF
   * header: the dashboard's login, which a page elsewhere cannot forge without knowing the token.
   */
  bearerOnly?: boolean;
}

export interface Route extends RouteOptions {
  method: Method;
  path: string;
  handler: Handler;
}

export type Match = { route: Route; params: Record<string, string> } | { allowed: Method[] } | undefined;

/** A JSON reply. */
export function json(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: `${JSON.stringify(value, null, 2)}\n` };
}

/** A JSON error reply: `{ error: { code, message } }`, the form every refusal takes. */
export function jsonError(status: number, code: string, message: string, headers: Record<string, string> = {}): Reply {
  const reply = json(status, { error: { code, message } });
  return { ...reply, headers: { ...reply.headers, ...headers } };
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: Method, path: string, handler: Handler, options: RouteOptions = {}): this {
    if (!path.startsWith('/')) throw new Error(`A route path starts with "/": ${path}`);
    if (this.routes.some((r) => r.method === method && r.path === path)) throw new Error(`Route ${method} ${path} is registered twice`);
    this.routes.push({ method, path, handler, ...options });
    return this;
  }

  get(path: string, handler: Handler, options?: RouteOptions): this {
    return this.add('GET', path, handler, options);
  }

  post(path: string, handler: Handler, options?: RouteOptions): this {
    return this.add('POST', path, handler, options);
  }

  /** The route for this method and path; else the methods the path allows (405), else undefined (404). */
  match(method: string, pathname: string): Match {
    const allowed: Method[] = [];
    for (const route of this.routes) {
      const params = matchPath(route.path, pathname);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { allowed } : undefined;
  }

  list(): { method: Method; path: string }[] {
    return this.routes.map(({ method, path }) => ({ method, path }));
  }
}

function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}
