// The command definitions in-process: help for every verb (the service verb's plans: service.test.ts).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgram } from '../../src/commands/program.js';

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
