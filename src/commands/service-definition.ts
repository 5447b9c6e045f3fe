// What `dropwise service install` registers: a systemd unit on Linux, a node-windows service on Windows.
// Both run `node <dist/cli.js> start --config <absolute config>` and stop it the agent's clean way.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ServicePlan {
  name: string;
  description: string;
  node: string;
  /** The CLI script the service runs (dist/cli.js). */
  cli: string;
  /** The absolute config file. */
  config: string;
}

/** The running CLI script (dist/cli.js, next to this file's folder). */
export const CLI_SCRIPT = fileURLToPath(new URL('../cli.js', import.meta.url));

/** Seconds systemd waits after SIGTERM: more than the agent's stop grace, so it can finish cleanly. */
const STOP_TIMEOUT_S = 60;

export function systemdUnitPath(name: string): string {
  return `/etc/systemd/system/${name}.service`;
}

const quote = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;

export function systemdUnit(plan: ServicePlan): string {
  return [
    '[Unit]',
    `Description=${plan.description}`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${quote(plan.node)} ${quote(plan.cli)} start --config ${quote(plan.config)}`,
    `WorkingDirectory=${quote(path.dirname(plan.config))}`,
    'Restart=on-failure',
    'RestartSec=5',
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${STOP_TIMEOUT_S}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export type ServiceStep = { write: string; content: string } | { remove: string } | { run: string[] };

/** What installing or uninstalling the systemd unit takes, in order. */
export function systemdSteps(plan: ServicePlan, verb: 'install' | 'uninstall'): ServiceStep[] {
  const unit = systemdUnitPath(plan.name);
  return verb === 'install'
    ? [{ write: unit, content: systemdUnit(plan) }, { run: ['systemctl', 'daemon-reload'] }, { run: ['systemctl', 'enable', '--now', plan.name] }]
    : [{ run: ['systemctl', 'disable', '--now', plan.name] }, { remove: unit }, { run: ['systemctl', 'daemon-reload'] }];
}

/** The options given to node-windows' Service. */
export function windowsServiceOptions(plan: ServicePlan): Record<string, unknown> {
  return { name: plan.name, description: plan.description, script: plan.cli, scriptOptions: `start --config ${quote(plan.config)}`, execPath: plan.node };
}
