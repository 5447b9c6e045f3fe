// Who may use the API, checked before any handler runs:
// - With api.token set, every request but the public ones carries `Authorization: Bearer <token>`.
//   Without one, the API listens on loopback only (the config refuses anything else) and also refuses
//   a request whose peer is not loopback, or whose Host is not a loopback name: a web page elsewhere
//   cannot reach it by pointing a DNS name at 127.0.0.1 (DNS rebinding).
// - A POST (anything that changes something) must be same-origin: an Origin header, when the client
//   sends one (browsers do), names this server's Host, and Sec-Fetch-Site, when sent, is same-origin.
// - A POST carries the session's CSRF token in X-Dropwise-CSRF, as GET /api/session gives it. A page
//   on another origin can neither read that answer (no CORS headers are ever sent) nor set a custom
//   header on a cross-origin request without a preflight this server never approves.
// - A browser reaching the dashboard from another machine logs in once: POST /api/dashboard/login with
//   the token as a Bearer header gives an HttpOnly, SameSite=Strict session cookie, accepted in place
//   of the header. The cookie never carries the token, and POSTs still need the CSRF header.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../config/api.js';
import { jsonError, type Reply, type Route } from './router.js';

export const CSRF_HEADER = 'x-dropwise-csrf';
export const SESSION_COOKIE = 'dropwise_session';
/** A browser session lasts a working day; then the token is asked for again. */
const SESSION_MS = 12 * 60 * 60_000;

export class Guard {
  /** Issued by GET /api/session; one per agent process. */
  readonly csrfToken = randomBytes(32).toString('base64url');
  /** Browser sessions (cookie value → expiry), in memory: a restart of the agent logs everyone out. */
  private readonly sessions = new Map<string, number>();

  constructor(private readonly token: string) {}

  /** The refusal for this request, or undefined when it may go on. */
  check(req: IncomingMessage, route: Route): Reply | undefined {
    const refused = route.public ? undefined : this.checkCaller(req, route);
    if (refused) return refused;
    if (route.method !== 'POST') return undefined;
    return this.checkSameOrigin(req) ?? (route.bearerOnly ? undefined : this.checkCsrf(req));
  }

  /** Who is calling, for the record of an action: the token's setting, or this machine without one. */
  callerOf(): string {
    return this.token === '' ? 'local' : 'api.token';
  }

  /** A new browser session: the Set-Cookie header value to send back. */
  openSession(): string {
    const now = Date.now();
    for (const [id, until] of this.sessions) if (until <= now) this.sessions.delete(id);
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, now + SESSION_MS);
    return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}`;
  }

  /** Ends the request's session; the Set-Cookie header value that clears the cookie. */
  closeSession(req: IncomingMessage): string {
    const id = sessionOf(req);
    if (id !== undefined) this.sessions.delete(id);
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }

  /** Whether a token is needed at all (the page shows its login form only then). */
  get needsToken(): boolean {
    return this.token !== '';
  }

  private validSession(req: IncomingMessage): boolean {
    const id = sessionOf(req);
    const until = id === undefined ? undefined : this.sessions.get(id);
    return until !== undefined && until > Date.now();
  }

  private checkCaller(req: IncomingMessage, route: Route): Reply | undefined {
    if (this.token !== '') {
      const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
      if (given === undefined && !route.bearerOnly && this.validSession(req)) return undefined;
      if (given === undefined || !sameSecret(given, this.token)) {
        return jsonError(401, 'unauthorized', 'This API needs the token of api.token: send "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer realm="dropwise"' });
      }
      return undefined;
    }
    if (!isLoopbackHost(req.socket.remoteAddress ?? '')) {
      return jsonError(403, 'forbidden', 'Without api.token the API answers this machine only');
    }
    if (!isLoopbackHost(hostName(req.headers.host ?? ''))) {
      return jsonError(403, 'forbidden', 'Without api.token the API answers only requests addressed to localhost or a loopback address');
    }
    return undefined;
  }

  private checkSameOrigin(req: IncomingMessage): Reply | undefined {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
      return jsonError(403, 'cross-origin', 'A change must come from a page of this API itself (the Origin header names another site)');
    }
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return jsonError(403, 'cross-origin', `A change must come from a page of this API itself (Sec-Fetch-Site: ${String(site)})`);
    }
    return undefined;
  }

  private checkCsrf(req: IncomingMessage): Reply | undefined {
    const given = req.headers[CSRF_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, this.csrfToken)) {
      return jsonError(403, 'csrf', `A change needs the ${CSRF_HEADER} header with the csrfToken from GET /api/session`);
    }
    return undefined;
  }
}

/** The session cookie's value, if the request carries one. */
function sessionOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}

/** The host name of a Host header: `127.0.0.1:8470` → `127.0.0.1`, `[::1]:8470` → `::1`. */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(host);
  if (bracketed) return bracketed[1] as string;
  return host.replace(/:\d+$/, '');
}

/** Compares in constant time, so the answer's timing tells nothing about the secret. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
