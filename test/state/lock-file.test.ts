import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME, acquireLock } from '../../src/state/lock-file.js';
import { thisProcess } from '../../src/state/process-identity.js';
import { makeTempDirSync } from '../support/temp-dir.js';

const tmp = () => makeTempDirSync('dw-lock-');
const holderOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE_NAME), 'utf8')) as Record<string, unknown>;
/** The pid of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

describe('acquireLock', () => {
  it('writes who holds it, refuses a second taker saying who and what to do, and is released', async () => {
    const dir = tmp();
    const lock = await acquireLock(dir, 'start');
    expect(holderOf(dir)).toMatchObject({ pid: process.pid, hostname: os.hostname(), purpose: 'start' });
    const refused = acquireLock(dir, 'run');
    await expect(refused).rejects.toMatchObject({ code: 'DW_LOCKED', message: expect.stringContaining(`in use by dropwise start (pid ${process.pid} on ${os.hostname()}`) });
    await expect(refused).rejects.toMatchObject({ hint: expect.stringContaining('Drop the file into the inbox instead, or stop the agent') });
    await lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE_NAME))).toBe(false);
    await (await acquireLock(dir, 'run')).release();
  });

  it('takes over a lock whose process is gone, and says from whom', async () => {
    const dir = tmp();
    const pid = deadPid();
    fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), JSON.stringify({ pid, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00Z', purpose: 'start', token: 'old' }));
    const lock = await acquireLock(dir, 'start');
    expect(lock.tookOverFrom).toContain(`pid ${pid}`);
    expect(holderOf(dir)).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('refuses a lock held on another host (its pid cannot be checked from here)', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), JSON.stringify({ pid: deadPid(), hostname: 'elsewhere', startedAt: '2026-01-01T00:00:00Z', purpose: 'start', token: 'x' }));
    await expect(acquireLock(dir, 'run')).rejects.toMatchObject({ code: 'DW_LOCKED', message: expect.stringContaining('on elsewhere') });
  });

  it('takes over a lock of another host when told its holder is gone, never a live one of this host', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), JSON.stringify({ pid: deadPid(), hostname: 'elsewhere', startedAt: '2026-01-01T00:00:00Z', purpose: 'start', token: 'x' }));
    const lock = await acquireLock(dir, 'run', { otherHostsGone: true });
    expect(lock.tookOverFrom).toContain('on elsewhere');
    expect(holderOf(dir)).toMatchObject({ pid: process.pid, purpose: 'run' });
    await lock.release();
    fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), JSON.stringify({ ...(await thisProcess()), startedAt: 'now', purpose: 'start', token: 'live' }));
    await expect(acquireLock(dir, 'run', { otherHostsGone: true })).rejects.toMatchObject({ code: 'DW_LOCKED' });
  });

  it('a release never removes a lock someone else took since', async () => {
    const dir = tmp();
    const lock = await acquireLock(dir, 'run');
    fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: 'now', purpose: 'start', token: 'other' }));
    await lock.release();
    expect(holderOf(dir)).toMatchObject({ token: 'other' });
  });
});

describe('acquireLock: a pid that now belongs to another process', () => {
  const live = { hostname: os.hostname(), startedAt: '2026-01-01T00:00:00Z', purpose: 'start', token: 'old' };

  it.runIf(fs.existsSync('/proc/self/stat'))('takes over a lock whose pid is alive but started at another time or in another boot', async () => {
    const me = await thisProcess();
    for (const other of [{ startTicks: String(Number(me.startTicks) + 1) }, { bootId: 'boot-before-the-reboot' }]) {
      const dir = tmp();
      // This test's own pid is alive: by pid alone the lock would look held for ever.
      fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), JSON.stringify({ ...live, ...me, ...other }));
      const lock = await acquireLock(dir, 'start');
      expect(lock.tookOverFrom).toContain(`pid ${process.pid}`);
      expect(holderOf(dir)).toMatchObject({ pid: process.pid, bootId: me.bootId, startTicks: me.startTicks });
      await lock.release();
    }
  });

  it('still refuses a lock of a live process that is the one that took it', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), JSON.stringify({ ...live, ...(await thisProcess()) }));
    await expect(acquireLock(dir, 'run')).rejects.toMatchObject({ code: 'DW_LOCKED' });
  });
});
