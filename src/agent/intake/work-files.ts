// What is waiting in the inbox and what is claimed in work/processing, with ages: for readiness and
// the notifier (stuck files), metrics and status. Read-only listings; a folder that does not exist
// lists as empty. A claimed file's age counts from its claim id: the claiming agent's clock, kept in the
// name, so the readiness check, the notifier and status agree on it.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Workspace } from '../workspace.js';
import { claimTime } from './claim.js';
import { listClaimed, listFiles } from './recovery.js';
import { isPartialName } from './stability.js';

export interface ClaimedAge {
  id: string;
  /** The name it was dropped with. */
  name: string;
  /** Where it is: work/processing/<id>__<name>. */
  path: string;
  claimedAt: Date;
  ageMs: number;
}

export async function claimedFiles(ws: Workspace, now = Date.now()): Promise<ClaimedAge[]> {
  return (await listClaimed(ws.processing)).map((f) => {
    const claimedAt = claimTime(f.id);
    return { id: f.id, name: f.name, path: f.path, claimedAt, ageMs: now - claimedAt.getTime() };
  });
}

/**
 * The files waiting in the inbox (partial and temp names left out) and the age of the oldest. Its age
 * counts from the later of its last change and its arrival (ctime moves on a rename into the inbox),
 * because copies keep their source's mtime.
 */
export async function waitingFiles(ws: Workspace, now = Date.now()): Promise<{ count: number; oldestAgeMs: number }> {
  const names = (await listFiles(ws.inbox)).filter((n) => !isPartialName(n));
  let oldest = now;
  for (const name of names) {
    const stat = await fs.stat(path.join(ws.inbox, name)).catch(() => undefined);
    if (stat) oldest = Math.min(oldest, Math.max(stat.mtimeMs, stat.ctimeMs));
  }
  return { count: names.length, oldestAgeMs: Math.max(0, now - oldest) };
}
