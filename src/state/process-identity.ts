// Who a process is, beyond its pid: pids are reused (after a reboot almost surely, on a busy host
// sooner or later), so a lock or a run recorded by pid alone could be taken for a live process that
// is not dropwise at all. On Linux the boot id and the process's start time (clock ticks since boot)
// tell them apart; elsewhere only the hostname and whether the pid exists can be checked.
import fs from 'node:fs/promises';
import os from 'node:os';

export interface ProcessIdentity {
  pid: number;
  hostname: string;
  /** Linux: the boot the process ran in (/proc/sys/kernel/random/boot_id). */
  bootId?: string;
  /** Linux: when the process started, in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTicks?: string;
}

/** `unknown`: recorded on another host, which cannot be checked from here. */
export type ProcessState = 'alive' | 'gone' | 'unknown';

/** What this host shows now of the pid a ProcessIdentity names. */
export interface ProcessObservation {
  hostname: string;
  bootId?: string;
  /** Whether a process with that pid exists. */
  exists: boolean;
  startTicks?: string;
}

/**
 * Whether the recorded process still runs. A fact missing on either side (an older record, a platform
 * without /proc) is not held against it: then the pid alone decides, as it did before.
 */
export function judgeProcess(recorded: ProcessIdentity, now: ProcessObservation): ProcessState {
  if (recorded.hostname !== now.hostname) return 'unknown';
  if (recorded.bootId !== undefined && now.bootId !== undefined && recorded.bootId !== now.bootId) return 'gone';
  if (!now.exists) return 'gone';
  if (recorded.startTicks !== undefined && now.startTicks !== undefined && recorded.startTicks !== now.startTicks) return 'gone';
  return 'alive';
}

/** Field 22 (starttime) of a /proc/<pid>/stat line; the name in field 2 may hold spaces and parentheses. */
export function startTicksOf(statLine: string): string | undefined {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  // Fields after the name start at field 3.
  const ticks = fields[22 - 3];
  return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : undefined;
}

async function readProc(file: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists and belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: Promise<string | undefined> | undefined;
const currentBootId = () => (bootId ??= readProc('/proc/sys/kernel/random/boot_id'));

async function startTicksOfPid(pid: number): Promise<string | undefined> {
  const line = await readProc(`/proc/${pid}/stat`);
  return line === undefined ? undefined : startTicksOf(line);
}

const known = (boot: string | undefined, ticks: string | undefined) => ({ ...(boot !== undefined ? { bootId: boot } : {}), ...(ticks !== undefined ? { startTicks: ticks } : {}) });

export async function observeProcess(pid: number): Promise<ProcessObservation> {
  const [boot, ticks] = await Promise.all([currentBootId(), startTicksOfPid(pid)]);
  return { hostname: os.hostname(), exists: pidExists(pid), ...known(boot, ticks) };
}

let self: Promise<ProcessIdentity> | undefined;

/** This process, as a lock or a run records it. */
export function thisProcess(): Promise<ProcessIdentity> {
  self ??= (async () => {
    const [boot, ticks] = await Promise.all([currentBootId(), startTicksOfPid(process.pid)]);
    return { pid: process.pid, hostname: os.hostname(), ...known(boot, ticks) };
  })();
  return self;
}

export async function processState(recorded: ProcessIdentity): Promise<ProcessState> {
  return judgeProcess(recorded, await observeProcess(recorded.pid));
}

/** Whether `recorded` is this very process (same pid, host and, where known, start). */
export async function isThisProcess(recorded: ProcessIdentity): Promise<boolean> {
  const me = await thisProcess();
  return recorded.pid === me.pid && recorded.hostname === me.hostname && recorded.bootId === me.bootId && recorded.startTicks === me.startTicks;
}
