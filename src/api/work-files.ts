// What is waiting in the inbox and what is claimed in work/processing, with ages: for readiness (stuck
// files), metrics and status. Read-only listings; a folder that does not exist lists as empty.
import fs from 'node:fs/promises';
import path from 'node:path';
import { listClaimed, listFiles } from '../agent/intake/recovery.js';
import { isPartialName } from '../agent/intake/stability.js';
import type { Workspace } from '../agent/workspace.js';

export interface ClaimedAge {
  id: string;
  name: string;
  claimedAt: Date;
  ageMs: number;
}

/** When a claim id (`20261121T120000123-ab12cd`, UTC) was made. */
export function claimTime(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})/.exec(id);
  if (!m) return new Date(Number.NaN);
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms));
}

export async function claimedFiles(ws: Workspace, now = Date.now()): Promise<ClaimedAge[]> {
  return (await listClaimed(ws.processing)).map((f) => {
    const claimedAt = claimTime(f.id);
    return { id: f.id, name: f.name, claimedAt, ageMs: now - claimedAt.getTime() };
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
