// The Traede checks of `dropwise doctor`, for each Traede connection: DNS, then one small GET of the
// export the Traede task pulls (a filter no invoice matches, so the answer is an empty list), which
// says whether Traede is reachable, takes the token and app key, and lets them read the export.
import type { AppConfig } from '../../config/load.js';
import type { TraedeConnection } from '../../config/entries.js';
import { createConnectors } from '../../connectors/index.js';
import type { TraedeFilterGroup } from '../../connectors/traede/filter-groups.js';
import { toDropwiseError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { checkDns } from './connections.js';
import type { Finding } from './findings.js';

export const TRAEDE_EXPORT_CHECK = 'read /v10/invoices/export';
/** The system id the probe asks for: bookkeeping per system is read, never written. */
const PROBE_SYSTEM = 'dropwise-doctor';
/** Nothing was created before this: the probe's answer is empty whatever the tenant holds. */
const NOTHING: TraedeFilterGroup[] = [{ or: false, filters: [{ key: 'created_at', operator: 'lt', value: '1970-01-02T00:00:00Z', not: false }] }];

export async function checkTraede(name: string, conn: TraedeConnection, http: AppConfig['http'], log: Logger): Promise<Finding[]> {
  const subject = `connection ${name}`;
  const findings: Finding[] = [];
  const dns = await checkDns(subject, conn.url);
  if (dns) findings.push(dns);
  if (dns?.status === 'fail') return findings;
  const connectors = createConnectors({ http, connections: { [name]: conn } }, log);
  const reachable: Finding = { subject, check: 'reachable', status: 'ok', detail: conn.url };
  try {
    const invoices = connectors.traede(name).streamInvoices({ systemId: PROBE_SYSTEM, includeNonBooked: false, includeLines: false, filterGroups: NOTHING });
    // An empty list is expected and read to its end (its shape is checked); should Traede ignore the
    // filter, the first invoice is enough.
    for await (const _invoice of invoices) break;
    return [...findings, reachable, { subject, check: 'token and appKey', status: 'ok', detail: 'accepted' }, { subject, check: TRAEDE_EXPORT_CHECK, status: 'ok', detail: 'allowed' }];
  } catch (err) {
    const e = toDropwiseError(err, 'DW_TRAEDE_UNAVAILABLE');
    if (e.code === 'DW_TRAEDE_UNAVAILABLE') {
      const tls = /certificate|self[- ]signed|SSL|TLS/i.test(e.fullMessage);
      return [...findings, { subject, check: 'reachable', status: 'fail', detail: `${conn.url}: ${e.message}${tls ? ' (TLS)' : ''}`, fix: tls ? "The server's certificate is not trusted: fix the certificate or the proxy in between" : 'Check the address and that this machine can reach it (firewall, proxy)' }];
    }
    if (e.code === 'DW_TRAEDE_AUTH') return [...findings, reachable, { subject, check: 'token and appKey', status: 'fail', detail: e.message, fix: e.hint ?? 'Check the token and appKey of the connection' }];
    return [...findings, reachable, { subject, check: TRAEDE_EXPORT_CHECK, status: 'fail', detail: e.message, fix: e.hint ?? 'Check the connection url: it should be the API root (https://api.traede.com)' }];
  } finally {
    await connectors.close();
  }
}
