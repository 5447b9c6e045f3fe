// What a start finds left over from the last run: claimed files to resume and temp files to drop.
// Every task is safe to re-run (imports find what an earlier attempt created; exports write their
// output again, as a second file beside any the interrupted run committed, since outputs never
// overwrite), so resuming means routing and running the file again.
import fs from 'node:fs/promises';
import path from 'node:path';
import { claimedFile, parseClaimedName, type ClaimedFile } from './claim.js';
import { errnoCode, removeIfPresent } from '../../fs/retry.js';

/** The claimed files in work/processing/, oldest claim first. */
export async function listClaimed(processingDir: string): Promise<ClaimedFile[]> {
  const names = await listFiles(processingDir);
  return names
    .map((n) => parseClaimedName(n))
    .filter((p): p is { id: string; name: string } => p !== undefined)
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((p) => claimedFile(processingDir, p.id, p.name));
}

/** Removes temp outputs and staged copies a stopped run left in work/tmp/. */
export async function removeStaleTemps(tmpDir: string): Promise<number> {
  const names = await listFiles(tmpDir);
  for (const name of names) await removeIfPresent(path.join(tmpDir, name));
  return names.length;
}

/** The plain files in a folder; none when it does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
}
