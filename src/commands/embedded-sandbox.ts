// The sandbox as the connections dropwise uses: started in this process for verbs that call an API
// when no real connection is configured (sandbox.mode), and printed by `dropwise simulate` as the
// block to paste into a config. One place builds those connections.
import type { AppConfig, Connection, ConnectWiseConnection, TraedeConnection } from '../config/load.js';
import { redactor } from '../secrets.js';
import type { Sandbox } from '../simulator/index.js';

export function wantsSandbox(config: Pick<AppConfig, 'sandbox' | 'connections'>): boolean {
  return config.sandbox.mode === 'on' || (config.sandbox.mode === 'auto' && Object.keys(config.connections).length === 0);
}

/** The connections `sandbox` (ConnectWise) and `sandbox-traede` that reach a running sandbox. */
export function sandboxConnections(sandbox: Pick<Sandbox, 'connectwise' | 'traede'>): { sandbox: ConnectWiseConnection; 'sandbox-traede': TraedeConnection } {
  const cw = sandbox.connectwise;
  const traede = sandbox.traede;
  return {
    sandbox: { type: 'connectwise', url: cw.url, companyId: cw.companyId, publicKey: cw.publicKey, privateKey: cw.privateKey, clientId: cw.clientId, apiVersion: '2022.1' },
    'sandbox-traede': { type: 'traede', url: traede.url, token: traede.token, appKey: traede.appKey },
  };
}

/** Starts the ConnectWise + Traede sandbox in this process and adds its connections, as the defaults of their kinds. */
export async function startEmbeddedSandbox(config: AppConfig): Promise<{ config: AppConfig; close: () => Promise<void> }> {
  const { startSandbox } = await import('../simulator/index.js');
  const sandbox = await startSandbox({ port: config.sandbox.port, seed: config.sandbox.seed });
  const cw = sandbox.connectwise;
  const traede = sandbox.traede;
  const own = sandboxConnections(sandbox);
  const connections: Record<string, Connection> = {
    ...config.connections,
    sandbox: { ...own.sandbox, default: true },
    'sandbox-traede': { ...own['sandbox-traede'], default: true },
  };
  const secrets = [cw.publicKey, cw.privateKey, `${cw.companyId}+${cw.publicKey}:${cw.privateKey}`, traede.token, traede.appKey];
  redactor.add(...secrets);
  // On stderr with the log lines: stdout carries the verbs' summaries, which scripts may read.
  console.error(`Sandbox: ConnectWise at ${cw.url}, Traede at ${traede.url} (made-up data, seed ${config.sandbox.seed}).`);
  const why = config.sandbox.mode === 'on' ? 'sandbox.mode is "on"' : 'no connection is configured and sandbox.mode is "auto"';
  console.error(`  It stands in for the real systems because ${why}; set sandbox.mode to "off" to turn it off.`);
  console.error(`  Try it: copy examples/payments.xml or examples/export-invoices.xml into ${config.folders.inbox}`);
  return { config: { ...config, connections, secrets: [...config.secrets, ...secrets] }, close: () => sandbox.close() };
}
