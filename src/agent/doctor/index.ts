// `dropwise doctor`: every check of the configured connections and folders, as findings (see
// findings.ts). Read-only: one small GET per check, a probe file written and removed per folder.
import type { AppConfig } from '../../config/load.js';
import type { Logger } from '../../log.js';
import { checkConnectWise, endpointsByConnection } from './connections.js';
import type { Finding } from './findings.js';
import { checkFolders } from './folders.js';

export { doctorExitCode, type Finding } from './findings.js';

export async function runDoctor(config: AppConfig, log: Logger): Promise<Finding[]> {
  // One attempt per request: a person waits for the answer, and a retried failure says no more.
  const http = { ...config.http, maxAttempts: 1 };
  const uses = endpointsByConnection(config);
  const connections = await Promise.all(
    Object.entries(config.connections).map(([name, conn]) => (conn.type === 'connectwise' ? checkConnectWise(name, conn, uses.get(name) ?? [], http, log) : Promise.resolve([]))),
  );
  return [...connections.flat(), ...(await checkFolders(config.folders))];
}
