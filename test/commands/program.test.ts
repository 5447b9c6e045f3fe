// The command definitions in-process: help for every verb, and the service verb's plans.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgram } from '../../src/commands/program.js';
import { CLI_SCRIPT } from '../../src/commands/service-definition.js';
import { service } from '../../src/commands/service.js';
import { makeTempDir } from '../support/workspace.js';

let printed: string[];
beforeEach(() => {
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

function helpOf(verb: string): string {
  let out = '';
  const program = createProgram().exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  expect(() => program.parse(['node', 'dropwise', verb, '--help'])).toThrow();
  return out;
}

describe('each verb has --help', () => {
  it.each([
    ['start', 'SIGINT/SIGTERM/SIGBREAK'],
    ['run', 'exit 0 all ok, 1 some records failed, 2 the file failed'],
    ['task', '<name>'],
    ['validate', 'without calling any API'],
    ['status', '--json'],
    ['pause', 'stop taking files from the inbox'],
    ['resume', 'take files from the inbox again'],
    ['service', '--dry-run'],
  ])('%s', (verb, mentions) => {
    const help = helpOf(verb);
    expect(help).toContain(`Usage: dropwise ${verb}`);
    expect(help).toContain('--config <file>');
    expect(help.replace(/\s+/g, ' ')).toContain(mentions);
  });

  it('simulate (the sandbox verb) is registered too', () => {
    expect(helpOf('simulate')).toContain('Usage: dropwise simulate');
  });
});

async function configFile(content: unknown): Promise<string> {
  const file = path.join(await makeTempDir(), 'dropwise.json');
  await fs.writeFile(file, JSON.stringify(content));
  return file;
}

describe('service', () => {
  it('install --dry-run for Windows prints the node-windows registration', async () => {
    const file = await configFile({ log: { file: '' } });
    expect(await service('install', { dryRun: true, name: 'dropwise', platform: 'win32', config: file })).toBe(0);
    expect(printed[0]).toBe('Would install the Windows service dropwise with node-windows:');
    expect(JSON.parse(printed[1] ?? '')).toMatchObject({ name: 'dropwise', script: CLI_SCRIPT, scriptOptions: `start --config "${file}"`, execPath: process.execPath });
  });

  it('refuses without a config, with a bad config, a bad name or a bad action', async () => {
    const env = process.env['DROPWISE_CONFIG'];
    delete process.env['DROPWISE_CONFIG'];
    try {
      await expect(service('install', { dryRun: true, name: 'dropwise', platform: 'linux' })).rejects.toMatchObject({ code: 'DW_CONFIG_INVALID', hint: expect.stringContaining('--config') as string });
    } finally {
      if (env !== undefined) process.env['DROPWISE_CONFIG'] = env;
    }
    const bad = await configFile({ watch: { concurrency: 0 } });
    await expect(service('install', { dryRun: true, name: 'dropwise', platform: 'linux', config: bad })).rejects.toThrow(/watch\.concurrency/);
    const good = await configFile({});
    await expect(service('install', { dryRun: true, name: 'a b', platform: 'linux', config: good })).rejects.toThrow(/not allowed/);
    await expect(service('reinstall', { dryRun: true, name: 'x', platform: 'linux', config: good })).rejects.toThrow(/Unknown service action/);
  });
});
