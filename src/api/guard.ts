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
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../config/api.js';
import { jsonError, type Reply, type Route } from './router.js';

export const CSRF_HEADER = 'x-dropwise-csrf';

export class Guard {
  /** Issued by GET /api/session; one per agent process. */
  readonly csrfToken = randomBytes(32).toString('base64url');

  constructor(private readonly token: string) {}

  /** The refusal for this request, or undefined when it may go on. */
  check(req: IncomingMessage, route: Route): Reply | undefined {
    const refused = route.public ? undefined : this.checkCaller(req);
    if (refused) return refused;
    if (route.method !== 'POST') return undefined;
    return this.checkSameOrigin(req) ?? this.checkCsrf(req);
  }

  private checkCaller(req: IncomingMessage): Reply | undefined {
    if (this.token !== '') {
      const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
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
