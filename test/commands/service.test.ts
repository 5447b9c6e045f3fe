// The service verb: --dry-run on both platforms prints what it would do and changes nothing; bad
// options are refused with DW_CONFIG_INVALID; a password is read from an env: variable, never printed.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLI_SCRIPT } from '../../src/commands/service-definition.js';
import type { ServiceOptions } from '../../src/commands/service.js';
import { service } from '../../src/commands/service-run.js';
import { CLI, runCli } from '../support/cli.js';
import { makeTempDir } from '../support/workspace.js';

let printed: string[];
beforeEach(() => {
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function configFile(content: unknown, dirName = 'dropwise config'): Promise<string> {
  const dir = path.join(await makeTempDir(), dirName);
  await fs.mkdir(dir);
  const file = path.join(dir, 'dropwise.json');
  await fs.writeFile(file, JSON.stringify(content));
  return file;
}

const withSecrets = {
  log: { file: 'logs/dw.log' },
  connections: { main: { type: 'connectwise', url: 'https://cw.example.com', companyId: 'acme', publicKey: 'env:DW_TEST_PUB', privateKey: 'env:DW_TEST_PRIV', clientId: 'client-id' } },
};

const dryRun = (platform: 'linux' | 'windows', extra: Partial<ServiceOptions> = {}): ServiceOptions => ({ dryRun: true, name: 'dropwise', platform, ...extra });

describe('service install --dry-run', () => {
  it('on Linux prints the unit, where it goes, the commands and where the secrets go', async () => {
    const file = await configFile(withSecrets);
    expect(await service('install', dryRun('linux', { config: file, account: 'dropwise' }))).toBe(0);
    const out = printed.join('\n');
    expect(printed[0]).toBe('Would install the systemd service dropwise:');
    expect(out).toContain('Would write /etc/systemd/system/dropwise.service:');
    expect(out).toContain(`WorkingDirectory=${path.dirname(file)}\n`);
    expect(out).toContain(`Environment="DROPWISE_CONFIG=${file}"`);
    expect(out).toContain(`ExecStart="${process.execPath}" "${CLI_SCRIPT}" "start"`);
    expect(out).toContain('User=dropwise');
    expect(out).toContain('Would run: systemctl daemon-reload\nWould run: systemctl enable --now dropwise');
    expect(out).toContain(`put the env: secrets as NAME=value lines in ${path.join(path.dirname(file), 'dropwise.env')}`);
    // The secrets need not be set in the installing shell: the service has its own environment.
    expect(out).toContain('The config reads these variables: DW_TEST_PRIV (not set here), DW_TEST_PUB (not set here)');
    await expect(fs.access('/etc/systemd/system/dropwise.service')).rejects.toThrow();
  });

  it('on Windows prints the WinSW definition, the files and commands, the account and the UNC note, never the password', async () => {
    const file = await configFile(withSecrets);
    vi.stubEnv('DW_TEST_SERVICE_PASSWORD', 'Hunter2-not-shown');
    expect(await service('install', dryRun('windows', { config: file, account: 'CORP\\svc-dropwise', password: 'env:DW_TEST_SERVICE_PASSWORD' }))).toBe(0);
    const out = printed.join('\n');
    expect(out).not.toContain('Hunter2-not-shown');
    expect(printed[0]).toBe('Would install the Windows service (WinSW via node-windows) dropwise:');
    const daemon = path.join(path.dirname(CLI_SCRIPT), 'daemon');
    expect(out).toContain(`Would write ${path.join(daemon, 'dropwise.xml')}:`);
    expect(out).toContain('<password>********</password>');
    expect(out).toContain(`<env name="DROPWISE_CONFIG" value="${file}"/>`);
    expect(out).toContain(`<logpath>${path.join(path.dirname(file), 'logs')}</logpath>`);
    expect(out).toContain(`Would run: ${path.join(daemon, 'dropwise.exe')} install`);
    expect(out).toContain('The service runs as CORP\\svc-dropwise');
    expect(out).toContain("env: secrets must be in that account's environment");
    expect(out).toContain('mapped drive letters do not exist for a service');
  });

  it('uninstall, status and restart need no config', async () => {
    expect(await service('uninstall', dryRun('linux'))).toBe(0);
    expect(printed.slice(1)).toEqual(['Would run: systemctl disable --now dropwise', 'Would remove /etc/systemd/system/dropwise.service', 'Would run: systemctl daemon-reload']);
    printed = [];
    expect(await service('status', dryRun('linux'))).toBe(0);
    expect(printed[1]).toBe('Would run: systemctl status --no-pager dropwise');
    printed = [];
    expect(await service('restart', dryRun('windows'))).toBe(0);
    expect(printed[1]).toBe(`Would run: ${path.join(path.dirname(CLI_SCRIPT), 'daemon', 'dropwise.exe')} restart`);
    printed = [];
    expect(await service('status', dryRun('windows'))).toBe(0);
    expect(printed[1]).toBe('Would run: sc.exe query dropwise.exe');
  });
});

describe('service refuses', () => {
  it('without a config, with a bad config, a bad name or a bad action', async () => {
    vi.stubEnv('DROPWISE_CONFIG', undefined);
    await expect(service('install', dryRun('linux'))).rejects.toMatchObject({ code: 'DW_CONFIG_INVALID', hint: expect.stringContaining('--config') as string });
    const bad = await configFile({ watch: { concurrency: 0 } });
    await expect(service('install', dryRun('linux', { config: bad }))).rejects.toThrow(/watch\.concurrency/);
    const good = await configFile({});
    await expect(service('install', dryRun('linux', { config: good, name: 'a b' }))).rejects.toThrow(/not allowed/);
    await expect(service('reinstall', dryRun('linux', { config: good }))).rejects.toThrow(/Unknown service action/);
  });

  it('a literal password, an unset password variable, a password on Linux, a bad Linux user', async () => {
    const file = await configFile({});
    const win = (extra: Partial<ServiceOptions>) => service('install', dryRun('windows', { config: file, account: 'CORP\\svc', ...extra }));
    await expect(win({ password: 'Hunter2' })).rejects.toMatchObject({ code: 'DW_CONFIG_INVALID', message: expect.not.stringContaining('Hunter2') as string });
    vi.stubEnv('DW_TEST_UNSET', undefined);
    await expect(win({ password: 'env:DW_TEST_UNSET' })).rejects.toThrow(/DW_TEST_UNSET, which is not set/);
    await expect(service('install', dryRun('linux', { config: file, account: 'dw', password: 'env:X' }))).rejects.toThrow(/--password goes with --account, for a Windows service/);
    await expect(service('install', dryRun('linux', { config: file, account: 'bad user' }))).rejects.toThrow(/not a valid user name/);
  });

  it('to manage the other platform without --dry-run', async () => {
    await expect(service('status', { name: 'dropwise', platform: process.platform === 'win32' ? 'linux' : 'windows' })).rejects.toMatchObject({ message: expect.stringMatching(/cannot be managed from/) as string, hint: expect.stringContaining('--dry-run') as string });
  });
});

describe('the built CLI', () => {
  it('documents --platform linux|windows and the actions in --help', async () => {
    const r = await runCli(['service', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('install, uninstall, status or restart');
    expect(help).toContain('--platform <platform>');
    expect(help).toContain('"linux", "windows"');
    expect(help).toContain('--account <account>');
    expect(help).toContain('--password <env:VAR>');
  });

  it('service install --dry-run prints the unit for the built CLI and changes nothing', async () => {
    const file = await configFile({ log: { file: '' } });
    const r = await runCli(['service', 'install', '--dry-run', '--config', file, '--name', 'dropwise-test']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Would write /etc/systemd/system/dropwise-test.service');
    expect(r.stdout).toContain(`ExecStart="${process.execPath}" "${CLI}" "start"`);
    await expect(fs.access('/etc/systemd/system/dropwise-test.service')).rejects.toThrow();
    const w = await runCli(['service', 'install', '--dry-run', '--platform', 'windows', '--config', file, '--name', 'dropwise-test']);
    expect(w.code).toBe(0);
    expect(w.stdout).toContain('<stopparentprocessfirst>true</stopparentprocessfirst>');
    // node-windows' generator prints its input; that must not reach the output.
    expect(w.stdout).not.toContain('winsw.js ~line 77');
  });
});
