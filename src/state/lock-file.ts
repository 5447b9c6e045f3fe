// An exclusive lock on a folder for one process: `<folder>/dropwise.lock`, created with 'wx' (fails
// when it exists) and holding who took it. Processes that change state or move files (`start`, `run`,
// `task`) take the work and state folders' locks; readers (`status`, `validate`) take none. A lock left
// by a process that is gone (killed, crashed, or from before a reboot even when its pid now belongs
// to another process: see process-identity.ts) is taken over; a lock from another host cannot be
// checked and is refused, unless the caller knows its holder is gone (otherHostsGone).
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DropwiseError } from '../errors.js';
import { processState, thisProcess, type ProcessIdentity } from './process-identity.js';

export const LOCK_FILE_NAME = 'dropwise.lock';

export interface LockHolder extends ProcessIdentity {
  startedAt: string;
  /** What took it: `start`, `run`, `task`. */
  purpose: string;
  /** Tells this taking of the lock from any other by the same pid. */
  token: string;
}

export interface AcquiredLock {
  file: string;
  /** Whose stale lock was taken over, if one was (the caller logs it). */
  tookOverFrom?: string;
  release(): Promise<void>;
}

/** A lock being written (created, content not yet in) is left alone for this long before it counts as broken. */
const UNREADABLE_GRACE_MS = 5_000;

/** Whether a process with this pid runs on this host (whichever process it is now). */
export { pidExists as isAlive } from './process-identity.js';

async function readHolder(file: string): Promise<{ holder?: LockHolder; text: string; ageMs: number } | undefined> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    const ageMs = Date.now() - stat.mtimeMs;
    try {
      const holder = JSON.parse(text) as LockHolder;
      return typeof holder.pid === 'number' && typeof holder.hostname === 'string' ? { holder, text, ageMs } : { text, ageMs };
    } catch {
      return { text, ageMs };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const describeHolder = (holder: LockHolder | undefined): string =>
  holder ? `dropwise ${holder.purpose} (pid ${holder.pid} on ${holder.hostname}, since ${holder.startedAt})` : 'another dropwise process';

function lockedError(folder: string, file: string, holder: LockHolder | undefined): DropwiseError {
  const who = describeHolder(holder);
  return new DropwiseError('DW_LOCKED', `The folder ${folder} is in use by ${who}`, {
    hint: `Drop the file into the inbox instead, or stop the agent; each agent needs its own work and state folders. If no dropwise process is running, delete ${file}`,
  });
}

export interface LockOptions {
  /**
   * The caller knows no process of another host holds this folder any more (it holds a lock across
   * hosts that every holder of this folder takes: the PostgreSQL state's lock on the agent's name),
   * so such a lock is stale: the agent's host died and the agent was started on another.
   */
  otherHostsGone?: boolean;
}

/** Takes `<folder>/dropwise.lock` for this process, or throws DW_LOCKED saying who holds it. */
export async function acquireLock(folder: string, purpose: string, options: LockOptions = {}): Promise<AcquiredLock> {
  await fs.mkdir(folder, { recursive: true });
  const file = path.join(folder, LOCK_FILE_NAME);
  const mine: LockHolder = { ...(await thisProcess()), startedAt: new Date().toISOString(), purpose, token: randomBytes(6).toString('hex') };
  let tookOverFrom: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${JSON.stringify(mine)}\n`, { flag: 'wx' });
      return { file, ...(tookOverFrom ? { tookOverFrom } : {}), release: () => releaseLock(file, mine.token) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const found = await readHolder(file);
    if (!found) continue;
    const { holder } = found;
    const stale = holder ? (options.otherHostsGone === true && holder.hostname !== os.hostname()) || (await processState(holder)) === 'gone' : found.ageMs > UNREADABLE_GRACE_MS;
    if (!stale) throw lockedError(folder, file, holder);
    // Removed only if it is still the stale lock just read, not one another process took meanwhile.
    if ((await readHolder(file))?.text === found.text) await fs.rm(file, { force: true });
    tookOverFrom = holder ? describeHolder(holder) : 'a lock file that could not be read';
  }
  throw lockedError(folder, file, (await readHolder(file))?.holder);
}

/** Removes the lock if it is still this taking's own. */
async function releaseLock(file: string, token: string): Promise<void> {
  const found = await readHolder(file).catch(() => undefined);
  if (found?.holder?.token === token) await fs.rm(file, { force: true });
}
