// `dropwise doctor`: every check of the configured connections, folders, state store and notification channels, as
// findings (see findings.ts). Read-only: one small GET per check, a probe file written and removed
// per folder; a test message per notification channel only when asked (`notifyTest`).
import type { AppConfig } from '../../config/load.js';
import type { Logger } from '../../log.js';
import { checkConnectWise, endpointsByConnection } from './connections.js';
import type { Finding } from './findings.js';
import { checkFolders } from './folders.js';
import { checkNotifications } from './notifications.js';
import { checkState } from './state.js';
import { checkTraede } from './traede.js';

export { doctorExitCode, type Finding } from './findings.js';

export interface DoctorOptions {
  /** Send a test message through each notification channel. */
  notifyTest?: boolean;
}

export async function runDoctor(config: AppConfig, log: Logger, options: DoctorOptions = {}): Promise<Finding[]> {
  // One attempt per request: a person waits for the answer, and a retried failure says no more.
  const http = { ...config.http, maxAttempts: 1 };
  const uses = endpointsByConnection(config);
  const connections = await Promise.all(
    Object.entries(config.connections).map(([name, conn]) => (conn.type === 'connectwise' ? checkConnectWise(name, conn, uses.get(name) ?? [], http, log) : checkTraede(name, conn, http, log))),
  );
  // With the state in PostgreSQL the state folder is not used.
  const { state: _stateFolder, ...withoutState } = config.folders;
  const folders = config.state.backend === 'postgres' ? withoutState : config.folders;
  const [folderFindings, state, notifications] = await Promise.all([checkFolders(folders), checkState(config), checkNotifications(config.notify, options.notifyTest === true, config.http.timeoutMs)]);
  return [...connections.flat(), ...folderFindings, ...state, ...notifications];
}
