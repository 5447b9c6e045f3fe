// Adoption's file step: the claimed files a dead agent left in its work/processing, moved into this
// agent's by atomic renames (every agent's work folder is on the inbox's volume), each with its claim
// log and journal entries, so that they resume here as they would have at that agent's restart.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from '../../fs/fsync.js';
import { errnoCode, renameRetry } from '../../fs/retry.js';
import { readJournal, type Journal, type JournalEntry } from '../pipeline/journal.js';
import type { Workspace } from '../workspace.js';
import { listClaimed } from './recovery.js';
import type { ClaimedFile } from './claim.js';

/**
 * Moves the claims in `deadWork`/processing into `own`, journalling each (its dead agent's entries,
 * durably) before its file appears here; returns them with the names they were dropped with.
 */
export async function moveClaims(deadWork: string, own: Workspace, journal: Journal): Promise<ClaimedFile[]> {
  const from = path.join(deadWork, 'processing');
  const claimed = await listClaimed(from);
  if (claimed.length === 0) return [];
  const byId = new Map<string, JournalEntry[]>();
  for (const entry of await readJournal(path.join(deadWork, 'journal.log'))) {
    const list = byId.get(entry.id) ?? [];
    list.push(entry);
    byId.set(entry.id, list);
  }
  const ownClaims = path.join(own.work, 'claims');
  await fs.mkdir(ownClaims, { recursive: true });
  const moved: ClaimedFile[] = [];
  for (const file of claimed) {
    const entries = byId.get(file.id) ?? [];
    const name = entries.find((e) => e.event === 'claimed')?.name ?? file.name;
    await journal.adopt(entries.length > 0 ? entries : [{ event: 'claimed', id: file.id, name, at: new Date().toISOString() }]);
    await moveIfPresent(path.join(deadWork, 'claims', `${file.id}.log`), path.join(ownClaims, `${file.id}.log`));
    const target = path.join(own.processing, path.basename(file.path));
    if (await moveIfPresent(file.path, target)) moved.push({ id: file.id, name, path: target });
  }
  await fsyncDir(ownClaims);
  await fsyncDir(own.processing);
  await fsyncDir(from);
  return moved;
}

/** Renames `from` to `to`; false when `from` is gone. */
async function moveIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await renameRetry(from, to);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}
