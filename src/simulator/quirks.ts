// Ways real tenants differ that a client must cope with, switched on through the control API:
// endpoints that ignore forward-only paging (they answer navigable pages and send no forward-only
// Link), and IIS's request filtering, which refuses a query string longer than its limit (2,048
// characters by default, measured encoded) with a 404.15 HTML page instead of ConnectWise's JSON.
import type { ServerResponse } from 'node:http';
import { pathPattern } from './faults.js';

export interface QuirkSettings {
  /** Paths (globs or RegExp sources, as for faults) whose lists ignore `pagination-type: forward-only` and `pageId`. */
  navigableOnly?: string[];
  /** Longest query string (as sent, encoded) served; a longer one gets IIS's 404.15 page. Unset: no limit. */
  maxQueryString?: number;
}

export class Quirks {
  private navigableOnly: RegExp[] = [];
  private settings: QuirkSettings = {};

  set(settings: QuirkSettings): void {
    if (settings.navigableOnly !== undefined && (!Array.isArray(settings.navigableOnly) || settings.navigableOnly.some((p) => typeof p !== 'string' || p === ''))) {
      throw new Error('navigableOnly must be a list of paths');
    }
    if (settings.maxQueryString !== undefined && (!Number.isInteger(settings.maxQueryString) || settings.maxQueryString < 1)) {
      throw new Error('maxQueryString must be a positive integer');
    }
    this.settings = { ...this.settings, ...settings };
    this.navigableOnly = (this.settings.navigableOnly ?? []).map(pathPattern);
  }

  clear(): void {
    this.settings = {};
    this.navigableOnly = [];
  }

  list(): QuirkSettings {
    return structuredClone(this.settings);
  }

  /** True when the list at one of `paths` (inside the API base, and whole) ignores forward-only paging. */
  ignoresForwardOnly(paths: string[]): boolean {
    return this.navigableOnly.some((p) => paths.some((path) => p.test(path)));
  }

  /** True when IIS would refuse the request line's query string as too long. */
  queryTooLong(rawUrl: string): boolean {
    const limit = this.settings.maxQueryString;
    const q = rawUrl.indexOf('?');
    return limit !== undefined && q >= 0 && rawUrl.length - q - 1 > limit;
  }
}

/** IIS's answer to a query string over its limit: HTTP 404.15, an HTML page, no JSON. */
export function sendQueryStringTooLong(res: ServerResponse): void {
  const html = [
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>IIS 10.0 Detailed Error - 404.15 - Not Found</title></head>',
    '<body><div id="content"><div class="content-container"><h3>HTTP Error 404.15 - Not Found</h3>',
    '<h4>The request filtering module is configured to deny a request where the query string is too long.</h4></div>',
    '<div class="content-container"><fieldset><h4>Most likely causes:</h4><ul><li>Request filtering is configured on the Web server to deny the request because the query string is too long.</li></ul></fieldset></div>',
    '</div></body></html>',
  ].join('\r\n');
  res.writeHead(404, { 'Content-Type': 'text/html', 'Content-Length': String(Buffer.byteLength(html)), Server: 'Microsoft-IIS/10.0' });
  res.end(html);
}
