// The systemd unit `dropwise service install` writes on Linux, and the systemctl commands around it.
// systemd stops the agent with SIGTERM, which `dropwise start` handles as a clean stop.
import path from 'node:path';
import { DropwiseError } from '../errors.js';
import { hasControlCharacter, RESTART_DELAY_S, STOP_TIMEOUT_S, type ServicePlan, type ServiceStep } from './service-definition.js';

export function systemdUnitPath(name: string): string {
  return `/etc/systemd/system/${name}.service`;
}

/** The optional file of environment variables (the `env:` secrets) the unit reads. */
export function systemdEnvironmentFile(plan: ServicePlan): string {
  return path.join(plan.workingDirectory, `${plan.name}.env`);
}

function refuseControlCharacters(value: string): void {
  // A unit file is line-based: a newline in a path would end the setting. No real path has one.
  if (hasControlCharacter(value)) {
    throw new DropwiseError('DW_CONFIG_INVALID', `The path ${JSON.stringify(value)} contains a control character, which a systemd unit cannot hold`, { hint: 'Move the file to a folder whose name has none' });
  }
}

/** `%` starts a systemd specifier (%n, %h...) in every setting; `%%` is a literal percent sign. */
const escapeSpecifiers = (value: string) => value.replace(/%/g, '%%');

/**
 * A path setting (WorkingDirectory=, EnvironmentFile=) takes the rest of the line as the path, spaces
 * included; quotes would become part of the path (systemd then refuses it as not absolute).
 */
function pathValue(value: string): string {
  refuseControlCharacters(value);
  return escapeSpecifiers(value);
}

/**
 * One word of a command line (ExecStart=): double-quoted with C escapes for `\` and `"`, `%` doubled
 * (specifiers); in an argument `$` is doubled too (systemd expands $VAR there, not in the executable).
 */
export function systemdWord(value: string, position: 'executable' | 'argument' = 'argument'): string {
  refuseControlCharacters(value);
  const escaped = escapeSpecifiers(value.replace(/[\\"]/g, '\\$&'));
  return `"${position === 'argument' ? escaped.replace(/\$/g, '$$$$') : escaped}"`;
}

/** One Environment= assignment: quoted with C escapes so spaces, quotes and backslashes survive. */
function environmentAssignment(name: string, value: string): string {
  refuseControlCharacters(value);
  return `"${name}=${escapeSpecifiers(value.replace(/[\\"]/g, '\\$&'))}"`;
}

export function systemdUnit(plan: ServicePlan): string {
  // systemd refuses to run an executable whose path has a quote or a backslash, however escaped.
  if (/["'\\]/.test(plan.node)) {
    throw new DropwiseError('DW_CONFIG_INVALID', `systemd cannot run the node executable ${plan.node}: its path contains a quote or a backslash`, { hint: 'Install node in a folder whose path has neither' });
  }
  return [
    '[Unit]',
    `Description=${plan.description}`,
    'After=network-online.target',
    'Wants=network-online.target',
    // A config that keeps failing at start stops the restarts after 5 tries in 5 minutes.
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${systemdWord(plan.node, 'executable')} ${systemdWord(plan.cli)} ${systemdWord('start')}`,
    `WorkingDirectory=${pathValue(plan.workingDirectory)}`,
    `Environment=${environmentAssignment('DROPWISE_CONFIG', plan.config)}`,
    'Environment=NODE_ENV=production',
    // The `env:` secrets: a service does not see the installing shell's variables. "-": optional.
    `EnvironmentFile=-${pathValue(systemdEnvironmentFile(plan))}`,
    ...(plan.account !== undefined ? [`User=${plan.account}`] : []),
    'Restart=on-failure',
    `RestartSec=${RESTART_DELAY_S}`,
    'KillSignal=SIGTERM',
    // The agent's stop grace plus closing time; after it, systemd sends SIGKILL.
    `TimeoutStopSec=${STOP_TIMEOUT_S}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export type ServiceVerb = 'install' | 'uninstall' | 'status' | 'restart';

/** What each verb takes with systemd, in order. */
export function systemdSteps(plan: ServicePlan, verb: ServiceVerb): ServiceStep[] {
  const unit = systemdUnitPath(plan.name);
  switch (verb) {
    case 'install':
      return [{ write: unit, content: systemdUnit(plan) }, { run: ['systemctl', 'daemon-reload'] }, { run: ['systemctl', 'enable', '--now', plan.name] }];
    case 'uninstall':
      return [{ run: ['systemctl', 'disable', '--now', plan.name], mayFail: true }, { remove: unit }, { run: ['systemctl', 'daemon-reload'] }];
    case 'status':
      return [{ run: ['systemctl', 'status', '--no-pager', plan.name], passExitCode: true }];
    case 'restart':
      return [{ run: ['systemctl', 'restart', plan.name] }];
  }
}

/** A user name systemd accepts for User= (the portable subset of user names). */
export function checkSystemdUser(account: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(account)) {
    throw new DropwiseError('DW_CONFIG_INVALID', `The account "${account}" is not a valid user name for systemd`, { hint: 'Give an existing user name (letters, digits, ".", "-", "_")' });
  }
}
