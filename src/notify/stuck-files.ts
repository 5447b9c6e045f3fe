// Files that stay in work/processing past a threshold: a run that hangs, or an outage that lasts.
// The claim is a rename into the folder, which sets the file's change time (ctime), on Windows too.
import fs from 'node:fs/promises';
import path from 'node:path';

export interface StuckFile {
  /** The name in work/processing (`<claim id>__<dropped name>`). */
  name: string;
  path: string;
  since: Date;
}

export async function findStuckFiles(processingDir: string, olderThanMs: number, now: Date): Promise<StuckFile[]> {
  let names: string[];
  try {
    names = (await fs.readdir(processingDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch {
    // Not there yet (before the agent's first start) or unreadable: the agent reports that itself.
    return [];
  }
  const stuck: StuckFile[] = [];
  for (const name of names) {
    const file = path.join(processingDir, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && now.getTime() - stat.ctimeMs >= olderThanMs) stuck.push({ name, path: file, since: stat.ctime });
  }
  return stuck;
}
