// dropwise service install|uninstall: registers the agent as a systemd service (Linux) or a Windows
// service (node-windows). --dry-run prints what would be written and run, and changes nothing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { DropwiseError } from '../errors.js';
import { CLI_SCRIPT, systemdSteps, windowsServiceOptions, type ServicePlan } from './service-definition.js';
import { action, withConfigOption } from './runtime.js';

interface ServiceOptions {
  config?: string;
  dryRun?: boolean;
  name: string;
  platform: NodeJS.Platform;
}

type Verb = 'install' | 'uninstall';

export function register(program: Command): void {
  withConfigOption(
    program
      .command('service')
      .argument('<action>', 'install or uninstall')
      .description('install or uninstall dropwise as a service: a systemd unit on Linux, a Windows service (node-windows) on Windows')
      .option('--dry-run', 'print what would be written and run, change nothing')
      .option('--name <name>', 'the service name', 'dropwise')
      .addOption(new Option('--platform <platform>', 'the platform to install for').choices(['linux', 'win32']).default(process.platform).hideHelp()),
  ).action(action((verb: string, options: ServiceOptions) => service(verb, options)));
}

export async function service(verb: string, options: ServiceOptions): Promise<number> {
  if (verb !== 'install' && verb !== 'uninstall') {
    throw new DropwiseError('DW_CONFIG_INVALID', `Unknown service action "${verb}"`, { hint: 'Use "dropwise service install" or "dropwise service uninstall"' });
  }
  if (!/^[A-Za-z0-9_.@-]+$/.test(options.name)) {
    throw new DropwiseError('DW_CONFIG_INVALID', `The service name "${options.name}" is not allowed`, { hint: 'Use letters, digits, dot, dash, underscore or @' });
  }
  const plan = await planService(options);
  if (options.platform === 'win32') return windowsService(verb, plan, options.dryRun ?? false);
  return linuxService(verb, plan, options.dryRun ?? false);
}

async function planService(options: ServiceOptions): Promise<ServicePlan> {
  const given = options.config ?? process.env['DROPWISE_CONFIG'];
  if (given === undefined) {
    throw new DropwiseError('DW_CONFIG_INVALID', 'The service needs a config file', { hint: 'Give it with --config FILE (an absolute path is stored in the service)' });
  }
  const config = path.resolve(given);
  const { loadConfig } = await import('../config/load.js');
  loadConfig({ file: config });
  return { name: options.name, description: 'dropwise file-drop integration agent (ConnectWise PSA, Traede)', node: process.execPath, cli: CLI_SCRIPT, config };
}

async function linuxService(verb: Verb, plan: ServicePlan, dryRun: boolean): Promise<number> {
  const steps = systemdSteps(plan, verb);
  for (const step of steps) {
    if ('write' in step) {
      if (dryRun) console.log(`Would write ${step.write}:\n\n${step.content}`);
      else await fs.writeFile(step.write, step.content, 'utf8');
    } else if ('remove' in step) {
      if (dryRun) console.log(`Would remove ${step.remove}`);
      else await fs.rm(step.remove, { force: true });
    } else if (dryRun) {
      console.log(`Would run: ${step.run.join(' ')}`);
    } else {
      execFileSync(step.run[0] as string, step.run.slice(1), { stdio: 'inherit' });
    }
  }
  if (!dryRun) {
    console.log(verb === 'install' ? `Installed and started ${plan.name}. Logs: journalctl -u ${plan.name}` : `Removed ${plan.name}`);
  }
  return 0;
}

interface NodeWindowsService {
  on(event: string, listener: () => void): void;
  install(): void;
  uninstall(): void;
  start(): void;
}

async function windowsService(verb: Verb, plan: ServicePlan, dryRun: boolean): Promise<number> {
  const options = windowsServiceOptions(plan);
  if (dryRun) {
    console.log(`Would ${verb} the Windows service ${plan.name} with node-windows:`);
    console.log(JSON.stringify(options, null, 2));
    return 0;
  }
  // node-windows is an optional dependency, present on Windows only.
  const moduleName = 'node-windows';
  const { Service } = (await import(moduleName)) as { Service: new (options: Record<string, unknown>) => NodeWindowsService };
  const svc = new Service(options);
  await new Promise<void>((resolve, reject) => {
    svc.on(verb === 'install' ? 'install' : 'uninstall', () => resolve());
    svc.on('alreadyinstalled', () => reject(new DropwiseError('DW_CONFIG_INVALID', `The service ${plan.name} is already installed`, { hint: 'Uninstall it first' })));
    svc.on('error', () => reject(new DropwiseError('DW_INTERNAL', `node-windows could not ${verb} the service ${plan.name}`, { hint: 'Run the command in an elevated (administrator) prompt' })));
    if (verb === 'install') svc.install();
    else svc.uninstall();
  });
  if (verb === 'install') svc.start();
  console.log(verb === 'install' ? `Installed and started the Windows service ${plan.name}` : `Removed the Windows service ${plan.name}`);
  return 0;
}
