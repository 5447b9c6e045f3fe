// The connection checks of `dropwise doctor`, for each ConnectWise connection: its address (found
// from the site when given so), DNS, an answer over TLS with the server's clock, credentials and
// clientId, the pinned API version (GET /system/info), and read rights on every endpoint the
// configured tasks and routes use (one GET each, pageSize=1).
import { lookup } from 'node:dns/promises';
import { resolveConnection } from '../../config/connections.js';
import type { AppConfig } from '../../config/load.js';
import type { ConnectWiseConnection } from '../../config/entries.js';
import type { ConnectWiseClient } from '../../connectors/connectwise/client.js';
import { discoverApiUrl } from '../../connectors/connectwise/site.js';
import { createConnectors } from '../../connectors/index.js';
import { DropwiseError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Finding } from './findings.js';

/** A clock this far from the server's is a warning: watermarks come from the server, logs and schedules from ours. */
export const CLOCK_SKEW_WARN_MS = 2 * 60_000;

/** The endpoints each ConnectWise task type reads, keyed by type; the GL export's depend on what it exports. */
function endpointsOf(type: string, settings: Record<string, unknown>): string[] {
  const on = (name: string, byDefault: boolean): boolean => (settings[name] === undefined ? byDefault : String(settings[name]).toLowerCase() === 'true');
  switch (type) {
    case 'connectwise.export-invoices':
    case 'connectwise.import-invoice-payments':
      return ['/finance/invoices'];
    case 'connectwise.export-batches':
    case 'connectwise.create-accounting-batch':
      return ['/finance/accounting/batches'];
    case 'connectwise.export-gl-batch':
      return [
        ...(on('exportUnpostedInvoices', true) ? ['/finance/accounting/unpostedinvoices'] : []),
        ...(on('exportUnpostedExpenses', false) ? ['/finance/accounting/unpostedexpenses'] : []),
        ...(on('exportUnpostedProcurement', false) ? ['/finance/accounting/unpostedprocurement'] : []),
      ];
    default:
      return [];
  }
}

/** Connection name → the endpoints its configured tasks and routes read. */
export function endpointsByConnection(config: Pick<AppConfig, 'connections' | 'tasks' | 'routes'>): Map<string, Set<string>> {
  const uses = new Map<string, Set<string>>();
  const add = (type: string, connection: string | undefined, settings: Record<string, unknown>): void => {
    if (!type.startsWith('connectwise.')) return;
    let name: string;
    try {
      name = resolveConnection(config.connections, 'connectwise', connection);
    } catch {
      return; // The config's own check reports a task without its connection.
    }
    const set = uses.get(name) ?? new Set<string>();
    for (const endpoint of endpointsOf(type, settings)) set.add(endpoint);
    uses.set(name, set);
  };
  for (const task of Object.values(config.tasks)) add(task.type, task.connection, task.settings ?? {});
  for (const route of config.routes) {
    const task = config.tasks[route.task];
    add(task?.type ?? route.task, route.connection ?? task?.connection, task?.settings ?? {});
  }
  return uses;
}

const failure = (err: unknown): DropwiseError => (err instanceof DropwiseError ? err : new DropwiseError('DW_CW_UNAVAILABLE', err instanceof Error ? err.message : String(err)));

/** The host of `url` looked up in DNS; undefined for an IP address (nothing to look up). */
export async function checkDns(subject: string, url: string): Promise<Finding | undefined> {
  const host = new URL(url).hostname;
  if (/^[\d.]+$|^\[/.test(host)) return undefined;
  try {
    await lookup(host);
    return { subject, check: 'DNS', status: 'ok', detail: host };
  } catch (err) {
    return { subject, check: 'DNS', status: 'fail', detail: `${host} is not known to DNS (${(err as NodeJS.ErrnoException).code ?? 'error'})`, fix: 'Check the host name in the connection, and this machine\'s DNS' };
  }
}

export async function checkConnectWise(name: string, conn: ConnectWiseConnection, endpoints: Iterable<string>, http: AppConfig['http'], log: Logger): Promise<Finding[]> {
  const subject = `connection ${name}`;
  const findings: Finding[] = [];
  let url = conn.url;
  if (url === undefined) {
    try {
      url = await discoverApiUrl(name, { ...conn, site: conn.site as string }, http, log);
      findings.push({ subject, check: 'site', status: 'ok', detail: `${conn.site} → ${url}` });
    } catch (err) {
      const e = failure(err);
      return [{ subject, check: 'site', status: 'fail', detail: e.message, fix: e.hint ?? 'Check the site name' }];
    }
  }
  const dns = await checkDns(subject, url);
  if (dns) findings.push(dns);
  if (dns?.status === 'fail') return findings;
  const connectors = createConnectors({ http, connections: { [name]: { ...conn, url } } }, log);
  try {
    const client = connectors.connectwise(name);
    findings.push(...(await checkApi(subject, client, conn)));
    if (findings.some((f) => f.status === 'fail')) return findings;
    for (const endpoint of [...endpoints].sort()) findings.push(await checkReadRight(subject, client, endpoint));
  } finally {
    await connectors.close();
  }
  return findings;
}

/** One GET /system/info: reachability over TLS, the clock, credentials and clientId, and the pinned version. */
async function checkApi(subject: string, client: ConnectWiseClient, conn: ConnectWiseConnection): Promise<Finding[]> {
  const pinned = conn.apiVersion ?? '2022.1';
  try {
    const sentAt = Date.now();
    const { data, headers } = await client.request<{ version?: string }>('GET', '/system/info');
    const findings: Finding[] = [{ subject, check: 'reachable', status: 'ok', detail: client.connection.url }];
    const date = Array.isArray(headers['date']) ? headers['date'][0] : headers['date'];
    const serverMs = date === undefined ? NaN : Date.parse(date);
    if (!Number.isNaN(serverMs)) {
      const skew = serverMs - (sentAt + Date.now()) / 2;
      const seconds = Math.round(skew / 1000);
      findings.push(
        Math.abs(skew) > CLOCK_SKEW_WARN_MS
          ? { subject, check: 'clock', status: 'warn', detail: `this machine's clock is ${Math.abs(seconds)} s ${seconds > 0 ? 'behind' : 'ahead of'} the server's`, fix: 'Set the machine to synchronise its clock (NTP)' }
          : { subject, check: 'clock', status: 'ok', detail: `within ${Math.abs(seconds)} s of the server's` },
      );
    }
    findings.push({ subject, check: 'credentials and clientId', status: 'ok', detail: 'accepted' });
    const current = headers['api-current-version'] ?? data?.version;
    findings.push({ subject, check: 'API version', status: 'ok', detail: `${pinned} accepted${current === undefined ? '' : `; the server runs ${String(current)}`}` });
    return findings;
  } catch (err) {
    const e = failure(err);
    if (e.code === 'DW_CW_UNAVAILABLE' || e.code === 'DW_CW_RESPONSE') {
      const tls = /certificate|self[- ]signed|SSL|TLS/i.test(e.fullMessage) ? ' (TLS)' : '';
      return [{ subject, check: 'reachable', status: 'fail', detail: `${client.connection.url}: ${e.message}${tls}`, fix: tls ? 'The server\'s certificate is not trusted: fix the certificate or the proxy in between' : 'Check the address and that this machine can reach it (firewall, proxy)' }];
    }
    const reachable: Finding = { subject, check: 'reachable', status: 'ok', detail: client.connection.url };
    if (e.code === 'DW_CW_AUTH') {
      return [reachable, { subject, check: 'credentials and clientId', status: 'fail', detail: e.message, fix: e.hint ?? 'Check the keys and the clientId' }];
    }
    return [reachable, { subject, check: 'API version', status: 'fail', detail: `GET /system/info with version ${pinned}: ${e.message}`, fix: 'Pin a version this server supports (apiVersion in the connection)' }];
  }
}

async function checkReadRight(subject: string, client: ConnectWiseClient, endpoint: string): Promise<Finding> {
  const check = `read ${endpoint}`;
  try {
    await client.request('GET', endpoint, { query: { pageSize: 1, fields: 'id' } });
    return { subject, check, status: 'ok', detail: 'allowed' };
  } catch (err) {
    const e = failure(err);
    return e.code === 'DW_CW_FORBIDDEN'
      ? { subject, check, status: 'fail', detail: `refused (403): ${e.message}`, fix: `Give the API member's security role read access to ${endpoint} in ConnectWise` }
      : { subject, check, status: 'fail', detail: e.message, fix: e.hint ?? 'See the message' };
  }
}
