// Connections given by site, as Zynk asks for them (`eu.myconnectwise.net`, the company, the keys):
// the API base is found at start with `GET https://{site}/login/companyinfo/{companyId}` (no auth),
// whose Codebase and IsCloud give `https://{api-host}/{Codebase}apis/3.0`; cloud sites answer the API
// on their `api-` host only. An `http://` site is allowed on loopback, so tests can use the sandbox.
import type { AppConfig } from '../../config/load.js';
import type { ConnectWiseConnection, Connection } from '../../config/entries.js';
import { siteOrigin } from '../../config/site-origin.js';
import { DropwiseError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { callJson } from '../api-call.js';
import { HttpClient } from '../http.js';

export interface CompanyInfo {
  Codebase?: unknown;
  IsCloud?: unknown;
}

/** The API base from the site and its company info: cloud sites answer on their `api-` host. */
export function apiBaseUrl(site: URL, info: CompanyInfo): string {
  const codebase = typeof info.Codebase === 'string' ? info.Codebase.replace(/^\/+/, '').replace(/\/*$/, '/') : '';
  if (codebase === '/' || codebase === '') throw new Error('the company info names no Codebase');
  const cloud = String(info.IsCloud).toLowerCase() === 'true';
  const host = cloud && !site.hostname.startsWith('api-') ? `api-${site.host}` : site.host;
  return `${site.protocol}//${host}/${codebase}apis/3.0`;
}

/** Finds the API base of one site connection (one unauthenticated GET). */
export async function discoverApiUrl(name: string, conn: ConnectWiseConnection & { site: string }, settings: AppConfig['http'], log: Logger): Promise<string> {
  const site = siteOrigin(conn.site);
  const http = new HttpClient({ ...settings, origin: site.origin, name, log });
  const resource = `/login/companyinfo/${encodeURIComponent(conn.companyId)}`;
  const refused = (why: string): DropwiseError =>
    new DropwiseError('DW_CONFIG_INVALID', `connection "${name}": the site ${site.host} ${why}`, { hint: 'Check the connection\'s site and companyId (the company you log in to ConnectWise with)' });
  try {
    const { data } = await callJson<CompanyInfo>(http, { method: 'GET', path: resource, headers: { accept: 'application/json' } }, {
      unreachable: (err) =>
        new DropwiseError('DW_CW_UNAVAILABLE', `connection "${name}": the ConnectWise site ${site.host} could not be reached: ${err.message}`, { retryable: true, cause: err, hint: 'Check the site name and the network; dropwise finds the API address there at start' }),
      status: (status) => refused(status === 404 ? `knows no company "${conn.companyId}"` : `answered ${status} to GET /login/companyinfo`),
      notJson: () => refused('answered GET /login/companyinfo with something that is not JSON'),
    });
    const url = apiBaseUrl(site, data ?? {});
    log.info('ConnectWise API found from the site', { connection: name, site: site.host, url });
    return url;
  } catch (err) {
    if (err instanceof DropwiseError) throw err;
    throw refused(err instanceof Error ? err.message : String(err));
  } finally {
    await http.close();
  }
}

/** The connections with every ConnectWise `site` turned into its API `url` (done once, at start). */
export async function resolveSites(config: Pick<AppConfig, 'connections' | 'http'>, log: Logger): Promise<Record<string, Connection>> {
  const entries = await Promise.all(
    Object.entries(config.connections).map(async ([name, conn]): Promise<[string, Connection]> => {
      if (conn.type !== 'connectwise' || conn.site === undefined || conn.url !== undefined) return [name, conn];
      return [name, { ...conn, url: await discoverApiUrl(name, { ...conn, site: conn.site }, config.http, log) }];
    }),
  );
  return Object.fromEntries(entries);
}
