// What `dropwise service` does once it runs: plans the service from the config, then writes and runs
// (or, with --dry-run, prints) the platform's steps.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DropwiseError } from '../errors.js';
import { redactor } from '../secrets.js';
import { CLI_SCRIPT, serviceLogDirectory, type ServicePlan, type ServicePlatform, type ServiceStep } from './service-definition.js';
import { checkSystemdUser, systemdEnvironmentFile, systemdSteps, type ServiceVerb } from './service-systemd.js';
import { driveLetterWarnings, fixedLocalDrives, windowsArgument, windowsSteps, winswFiles } from './service-windows.js';
import { currentPlatform, type ServiceOptions } from './service.js';

const VERBS: readonly ServiceVerb[] = ['install', 'uninstall', 'status', 'restart'];

export async function service(verb: string, options: ServiceOptions): Promise<number> {
  if (!(VERBS as readonly string[]).includes(verb)) {
    throw new DropwiseError('DW_CONFIG_INVALID', `Unknown service action "${verb}"`, { hint: `Use one of: ${VERBS.join(', ')}` });
  }
  if (!/^[A-Za-z0-9_.@-]+$/.test(options.name)) {
    throw new DropwiseError('DW_CONFIG_INVALID', `The service name "${options.name}" is not allowed`, { hint: 'Use letters, digits, dot, dash, underscore or @' });
  }
  if (options.dryRun !== true && options.platform !== currentPlatform()) {
    throw new DropwiseError('DW_CONFIG_INVALID', `A ${options.platform} service cannot be managed from ${currentPlatform()}`, { hint: 'Add --dry-run to see what it would do' });
  }
  const serviceVerb = verb as ServiceVerb;
  const plan = serviceVerb === 'install' ? await installPlan(options) : controlPlan(options);
  const steps = options.platform === 'windows' ? windowsSteps(plan, serviceVerb) : systemdSteps(plan, serviceVerb);
  if (options.dryRun) {
    console.log(`Would ${verb} the ${options.platform === 'windows' ? 'Windows service (WinSW via node-windows)' : 'systemd service'} ${plan.name}:`);
    for (const step of steps) console.log(describe(step, options.platform));
  }
  if (serviceVerb === 'install') printInstallNotes(plan, options);
  if (options.dryRun) return 0;
  if (serviceVerb === 'install' && options.platform === 'windows' && fs.existsSync(winswFiles(plan).xmlFile)) {
    throw new DropwiseError('DW_CONFIG_INVALID', `The service ${plan.name} is already installed`, { hint: `Remove it first: dropwise service uninstall --name ${plan.name}` });
  }
  const code = runSteps(steps);
  if (serviceVerb === 'install') console.log(`Installed and started ${plan.name}. Check it with: dropwise service status --name ${plan.name}`);
  if (serviceVerb === 'uninstall') console.log(`Removed ${plan.name}`);
  return code;
}

/** Uninstall, status and restart need only the service's name (and, on Windows, where its files are). */
function controlPlan(options: ServiceOptions): ServicePlan {
  return { name: options.name, description: '', node: process.execPath, cli: CLI_SCRIPT, config: '', workingDirectory: '', logDirectory: '' };
}

async function installPlan(options: ServiceOptions): Promise<ServicePlan> {
  const given = options.config ?? process.env['DROPWISE_CONFIG'];
  if (given === undefined) {
    throw new DropwiseError('DW_CONFIG_INVALID', 'The service needs a config file', { hint: 'Give it with --config FILE (an absolute path is stored in the service)' });
  }
  const file = path.resolve(given);
  // The env: secrets live in the service's environment, not necessarily in this shell's.
  const placeholders = Object.fromEntries(secretVariables(file).filter((v) => !process.env[v]).map((v) => [v, 'set-in-the-service-environment']));
  const { loadConfig } = await import('../config/load.js');
  const config = loadConfig({ file, env: { ...process.env, ...placeholders } });
  const plan: ServicePlan = {
    name: options.name,
    description: 'dropwise file-drop integration agent (ConnectWise PSA, Traede)',
    node: process.execPath,
    cli: CLI_SCRIPT,
    config: file,
    workingDirectory: path.dirname(file),
    logDirectory: serviceLogDirectory(file, config.log.file),
  };
  if (options.account !== undefined) {
    if (options.platform === 'linux') checkSystemdUser(options.account);
    plan.account = options.account;
  }
  if (options.password !== undefined) {
    if (options.platform !== 'windows' || options.account === undefined) {
      throw new DropwiseError('DW_CONFIG_INVALID', '--password goes with --account, for a Windows service', { hint: 'On Linux the service runs as the User= account and needs no password' });
    }
    plan.password = readPassword(options.password);
  }
  if (options.platform === 'windows' && process.platform === 'win32') {
    const folders = { ...config.folders, ...(config.log.file !== '' ? { 'log file': config.log.file } : {}) };
    let fixed: Set<string> | undefined;
    try {
      fixed = fixedLocalDrives();
    } catch {
      console.log('Warning: could not list the fixed disks (PowerShell); make sure no folder is on a mapped drive letter.');
    }
    if (fixed !== undefined) for (const warning of driveLetterWarnings(process.platform, folders, fixed)) console.log(`Warning: ${warning}`);
  }
  return plan;
}

/** The environment variables the config's `env:` values name. */
function secretVariables(file: string): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return []; // loadConfig reports an unreadable or malformed file with its own message
  }
  // Connections, notification destinations and api.token may all name variables.
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string' && value.startsWith('env:')) names.add(value.slice(4));
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(raw);
  return [...names].sort();
}

function readPassword(reference: string): string {
  // A literal password would stay in the shell history and the process list.
  if (!reference.startsWith('env:') || reference.length === 4) {
    throw new DropwiseError('DW_CONFIG_INVALID', '--password takes env:VAR, the name of an environment variable holding the password', { hint: "Set it first, e.g. in PowerShell: $env:DROPWISE_SERVICE_PASSWORD = [Net.NetworkCredential]::new('', (Read-Host -AsSecureString 'Password')).Password" });
  }
  const variable = reference.slice(4);
  const password = process.env[variable];
  if (password === undefined || password === '') {
    throw new DropwiseError('DW_CONFIG_INVALID', `--password names ${variable}, which is not set`, { hint: `Set ${variable} in this prompt, then run the install again` });
  }
  redactor.add(password);
  return password;
}

function printInstallNotes(plan: ServicePlan, options: ServiceOptions): void {
  const needed = secretVariables(plan.config);
  if (options.platform === 'linux') {
    console.log(`The service runs as ${plan.account ?? 'root'}. It does not see this shell's variables: put the env: secrets as NAME=value lines in ${systemdEnvironmentFile(plan)} (chmod 600).`);
  } else {
    console.log(`The service runs as ${plan.account ?? 'LocalSystem'}. It does not see this prompt's variables: env: secrets must be in that account's environment (its user variables) or machine-wide (setx /M NAME value).`);
    console.log('Shares: use UNC paths (\\\\server\\share\\...), reachable with the account\'s rights; mapped drive letters do not exist for a service.');
  }
  if (needed.length > 0) console.log(`The config reads these variables: ${needed.map((v) => `${v}${process.env[v] ? '' : ' (not set here)'}`).join(', ')}`);
}

function display(argv: string[], platform: ServicePlatform): string {
  return argv.map((a) => (platform === 'windows' ? windowsArgument(a) : /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function describe(step: ServiceStep, platform: ServicePlatform): string {
  if ('mkdir' in step) return `Would create the folder ${step.mkdir}`;
  if ('write' in step) return `Would write ${step.write}:\n\n${step.shown ?? step.content}`;
  if ('copy' in step) return `Would copy ${step.copy} to ${step.to}`;
  if ('remove' in step) return `Would remove ${step.remove}`;
  return `Would run: ${display(step.run, platform)}`;
}

/** Runs the steps in order; the exit code is the last command's (`status` reports "not running" so). */
function runSteps(steps: ServiceStep[]): number {
  let code = 0;
  for (const step of steps) {
    if ('mkdir' in step) fs.mkdirSync(step.mkdir, { recursive: true });
    // A definition holding a secret (the WinSW XML before install) is readable by its owner only.
    else if ('write' in step) fs.writeFileSync(step.write, step.content, { encoding: 'utf8', mode: step.shown !== undefined ? 0o600 : 0o644 });
    else if ('copy' in step) fs.copyFileSync(step.copy, step.to);
    else if ('remove' in step) fs.rmSync(step.remove, { force: true });
    else code = runCommand(step);
  }
  return code;
}

function runCommand(step: { run: string[]; mayFail?: boolean; passExitCode?: boolean }): number {
  const [command, ...args] = step.run as [string, ...string[]];
  try {
    execFileSync(command, args, { stdio: 'inherit' });
    return 0;
  } catch (err) {
    const status = (err as { status?: number | null }).status;
    if (step.mayFail) return 0;
    if (step.passExitCode && typeof status === 'number') return status;
    throw new DropwiseError('DW_INTERNAL', `${path.basename(command)} ${args.join(' ')} failed${typeof status === 'number' ? ` (exit ${status})` : ''}`, {
      hint: process.platform === 'win32' ? 'Run it in an administrator prompt' : 'Run it as root (sudo)',
    });
  }
}
