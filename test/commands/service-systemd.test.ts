// The systemd unit, checked by systemd itself: `systemd-analyze verify` parses the unit file and checks
// that ExecStart's executable exists, so a quoting or escaping mistake in a path fails here.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI_SCRIPT, STOP_TIMEOUT_S, type ServicePlan } from '../../src/commands/service-definition.js';
import { systemdSteps, systemdUnit, systemdWord } from '../../src/commands/service-systemd.js';
import { STOP_GRACE_MS } from '../../src/commands/start.js';
import { makeTempDir } from '../support/workspace.js';

const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const hasSystemdAnalyze = await fs.access(SYSTEMD_ANALYZE).then(() => true, () => false);
// The real CLI the unit runs: dist/cli.js, as the built package installs it.
const DIST_CLI = path.resolve('dist', 'cli.js');

async function verify(unit: string, dir: string): Promise<{ code: number; stderr: string }> {
  const file = path.join(dir, 'dropwise-test.service');
  await fs.writeFile(file, unit);
  try {
    const { stderr } = await promisify(execFile)(SYSTEMD_ANALYZE, ['verify', file]);
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

/** A plan whose every path has spaces, specifier and variable characters and non-ASCII. */
async function awkwardPlan(): Promise<{ plan: ServicePlan; dir: string }> {
  const dir = await makeTempDir('dropwise systemd ');
  // node itself, reached through a folder systemd must get the escaping right for.
  const nodeDir = path.join(dir, 'node 100%n $HOME ü');
  await fs.mkdir(nodeDir);
  await fs.symlink(process.execPath, path.join(nodeDir, 'node'));
  const configDir = path.join(dir, 'config dir %i "quoted" back\\slash ü');
  await fs.mkdir(configDir);
  const plan: ServicePlan = {
    name: 'dropwise-test',
    description: 'dropwise test unit',
    node: path.join(nodeDir, 'node'),
    cli: DIST_CLI,
    config: path.join(configDir, 'drop wise.json'),
    workingDirectory: configDir,
    logDirectory: path.join(configDir, 'logs'),
    account: 'dropwise',
  };
  return { plan, dir };
}

describe.skipIf(!hasSystemdAnalyze)('systemd-analyze verify', () => {
  it('passes on the unit for awkward paths', async () => {
    await fs.access(DIST_CLI);
    const { plan, dir } = await awkwardPlan();
    const r = await verify(systemdUnit(plan), dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('passes on the unit for the real node and CLI', async () => {
    const dir = await makeTempDir();
    const unit = systemdUnit({ name: 'dropwise-test', description: 'd', node: process.execPath, cli: CLI_SCRIPT, config: path.join(dir, 'dropwise.json'), workingDirectory: dir, logDirectory: dir });
    expect(await verify(unit, dir)).toEqual({ code: 0, stderr: '' });
  });

  it('fails on what the unit used to contain (a quoted WorkingDirectory), so the check can fail', async () => {
    const { plan, dir } = await awkwardPlan();
    const quoted = systemdUnit(plan).replace(/^WorkingDirectory=(.*)$/m, 'WorkingDirectory="$1"');
    const r = await verify(quoted, dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('WorkingDirectory= path is not absolute');
  });

  it('fails when the executable path is not escaped (the % is read as a specifier)', async () => {
    const { plan, dir } = await awkwardPlan();
    const unescaped = systemdUnit(plan).replace(/^ExecStart=.*$/m, `ExecStart="${plan.node}" start`);
    const r = await verify(unescaped, dir);
    expect(r.code).not.toBe(0);
  });
});

describe('the unit', () => {
  it('runs `cli.js start` with the config in DROPWISE_CONFIG, restarts on failure and stops by SIGTERM after the grace', async () => {
    const { plan } = await awkwardPlan();
    const lines = systemdUnit(plan).split('\n');
    expect(lines).toContain(`ExecStart=${systemdWord(plan.node, 'executable')} ${systemdWord(DIST_CLI)} "start"`);
    expect(systemdWord(plan.node, 'executable')).toContain('$HOME');
    expect(lines).toContain(`WorkingDirectory=${plan.workingDirectory.replace(/%/g, '%%')}`);
    expect(lines).toContain(`Environment="DROPWISE_CONFIG=${plan.config.replace(/%/g, '%%').replace(/[\\"]/g, '\\$&')}"`);
    expect(lines).toContain('User=dropwise');
    expect(lines).toContain('Restart=on-failure');
    expect(lines).toContain('RestartSec=10');
    expect(lines).toContain('KillSignal=SIGTERM');
    expect(lines).toContain(`TimeoutStopSec=${STOP_TIMEOUT_S}`);
    expect(STOP_TIMEOUT_S * 1000).toBeGreaterThan(STOP_GRACE_MS);
    expect(lines.some((l) => l.startsWith('EnvironmentFile=-') && l.endsWith('dropwise-test.env'))).toBe(true);
  });

  it('has no User= without an account (root)', async () => {
    const { plan } = await awkwardPlan();
    delete plan.account;
    expect(systemdUnit(plan)).not.toMatch(/^User=/m);
  });

  it('escapes a command-line word: quotes, backslashes, specifiers and variables', () => {
    expect(systemdWord('/a b/c"d\\e%f$g')).toBe('"/a b/c\\"d\\\\e%%f$$g"');
    expect(systemdWord('/a b/%f$g', 'executable')).toBe('"/a b/%%f$g"');
  });

  it('refuses what systemd cannot hold: a control character, an executable with a quote or backslash', async () => {
    const { plan } = await awkwardPlan();
    expect(() => systemdUnit({ ...plan, config: '/a\nb.json' })).toThrow(/control character/);
    expect(() => systemdUnit({ ...plan, node: '/opt/no"de/node' })).toThrow(/quote or a backslash/);
  });

  it('status and restart are systemctl commands; status passes its exit code on', async () => {
    const { plan } = await awkwardPlan();
    expect(systemdSteps(plan, 'status')).toEqual([{ run: ['systemctl', 'status', '--no-pager', 'dropwise-test'], passExitCode: true }]);
    expect(systemdSteps(plan, 'restart')).toEqual([{ run: ['systemctl', 'restart', 'dropwise-test'] }]);
  });
});
