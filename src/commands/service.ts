// dropwise service install|uninstall|status|restart: the agent as a systemd service (Linux) or a Windows
// service (WinSW through node-windows). --dry-run prints what would be written and run, changing nothing.
// This file registers the verb; the work is in ./service-run.ts, loaded when the verb runs (the
// platforms' definitions are not worth loading for --help).
import type * as Commander from 'commander';
import type { Command } from 'commander';
import { requireCommonJs } from '../commonjs.js';
import type { ServicePlatform } from './service-definition.js';
import { withConfigOption } from './runtime.js';
import { action } from './verb-action.js';

const { Option } = requireCommonJs<typeof Commander>('commander');

export interface ServiceOptions {
  config?: string;
  dryRun?: boolean;
  name: string;
  platform: ServicePlatform;
  account?: string;
  /** `env:VAR`: the Windows account's password is read from that variable. */
  password?: string;
}

export const currentPlatform = (): ServicePlatform => (process.platform === 'win32' ? 'windows' : 'linux');

export function register(program: Command): void {
  withConfigOption(
    program
      .command('service')
      .argument('<action>', 'install, uninstall, status or restart')
      .description('run dropwise as a service: a systemd unit on Linux, a Windows service (WinSW via node-windows) on Windows')
      .option('--dry-run', 'print what would be written and run, change nothing')
      .option('--name <name>', 'the service name', 'dropwise')
      .addOption(new Option('--platform <platform>', 'the platform to plan for (with --dry-run, to see the other one)').choices(['linux', 'windows']).default(currentPlatform()))
      .option('--account <account>', 'run as this account: a user name (Linux User=) or DOMAIN\\user (Windows; needed to reach UNC shares)')
      .option('--password <env:VAR>', "the Windows account's password, read from the environment variable VAR (never given literally)"),
  ).action(action(async (verb: string, options: ServiceOptions) => (await import('./service-run.js')).service(verb, options)));
}

