import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { judgeProcess, observeProcess, processState, startTicksOf, thisProcess, type ProcessIdentity } from '../../src/state/process-identity.js';

const recorded: ProcessIdentity = { pid: 4242, hostname: 'box', bootId: 'boot-1', startTicks: '1000' };
const linux = fs.existsSync('/proc/self/stat');

describe('judgeProcess', () => {
  it.each([
    ['the same process', { hostname: 'box', bootId: 'boot-1', exists: true, startTicks: '1000' }, 'alive'],
    ['its pid, now another process (started later)', { hostname: 'box', bootId: 'boot-1', exists: true, startTicks: '2000' }, 'gone'],
    ['its pid after a reboot', { hostname: 'box', bootId: 'boot-2', exists: true, startTicks: '1000' }, 'gone'],
    ['no process with its pid', { hostname: 'box', bootId: 'boot-1', exists: false }, 'gone'],
    ['another host', { hostname: 'other', bootId: 'boot-9', exists: false }, 'unknown'],
    ['no /proc here: the pid alone decides', { hostname: 'box', exists: true }, 'alive'],
  ] as const)('%s', (_, now, expected) => {
    expect(judgeProcess(recorded, now)).toBe(expected);
  });

  it('judges an older record (pid and host only) by the pid alone', () => {
    const old = { pid: 4242, hostname: 'box' };
    expect(judgeProcess(old, { hostname: 'box', bootId: 'b', exists: true, startTicks: '5' })).toBe('alive');
    expect(judgeProcess(old, { hostname: 'box', bootId: 'b', exists: false })).toBe('gone');
  });
});

describe('startTicksOf', () => {
  it('reads field 22 even when the command name holds spaces and parentheses', () => {
    const tail = ['S', ...Array.from({ length: 18 }, (_, i) => String(i + 4)), '987654', '0', '0'];
    expect(startTicksOf(`123 (node (x) y) ${tail.join(' ')}`)).toBe('987654');
    expect(startTicksOf('garbage')).toBeUndefined();
  });
});

describe.runIf(linux)('on this Linux host', () => {
  it('knows itself, and tells a live other process from a reused pid', async () => {
    const me = await thisProcess();
    expect(me).toMatchObject({ pid: process.pid, hostname: os.hostname(), bootId: expect.any(String), startTicks: expect.stringMatching(/^\d+$/) });
    expect(await processState(me)).toBe('alive');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    await once(child, 'spawn');
    try {
      const seen = await observeProcess(child.pid as number);
      const identity = { pid: child.pid as number, hostname: os.hostname(), bootId: seen.bootId as string, startTicks: seen.startTicks as string };
      expect(await processState(identity)).toBe('alive');
      expect(await processState({ ...identity, startTicks: String(Number(identity.startTicks) - 1) })).toBe('gone');
      expect(await processState({ ...identity, bootId: 'a-boot-before-the-last-reboot' })).toBe('gone');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
