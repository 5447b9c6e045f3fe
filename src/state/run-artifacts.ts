// Files a run leaves beside the state store for later (the GL export's entry id list): one per run and
// kind, `<state>/<kind>/<runId>.txt`. An artifact is written to a temp name and appears whole at its
// name only once committed (fsynced, renamed, folder fsynced), as the state's own files do; only the
// newest few of a kind are kept, so a run history of thousands of runs leaves a bounded folder.
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { fsyncDir, fsyncFile } from '../fs/fsync.js';
import { removeIfPresent, renameRetry } from '../fs/retry.js';
import { crashPoint } from '../crash-point.js';

export interface RunArtifact {
  /** Where the artifact is once committed. */
  readonly path: string;
  /** Appends text, waiting when the disk is behind. */
  write(text: string): Promise<void>;
  /** Makes the artifact durable at `path`, drops the oldest of its kind past `keep`; returns `path`. */
  commit(): Promise<string>;
  /** Drops the artifact; nothing appears at `path`. */
  discard(): Promise<void>;
}

export interface RunArtifacts {
  /** Starts this run's artifact of `kind` (a folder name, e.g. `gl-entry-ids`); at most `keep` of that kind stay. */
  create(kind: string, keep: number): Promise<RunArtifact>;
  /** The text of a committed artifact by its `path` (of any run); undefined when it is no longer kept. */
  read(location: string): Promise<string | undefined>;
}

export class FileRunArtifacts implements RunArtifacts {
  constructor(
    private readonly stateDir: string,
    private readonly runId: string,
  ) {}

  async create(kind: string, keep: number): Promise<RunArtifact> {
    const dir = path.join(this.stateDir, kind);
    const final = path.join(dir, `${this.runId}.txt`);
    const tmp = path.join(dir, `.${this.runId}.txt.tmp`);
    await fs.promises.mkdir(dir, { recursive: true });
    const file = fs.createWriteStream(tmp);
    await once(file, 'open');
    let open = true;
    return {
      path: final,
      async write(text) {
        if (!file.write(text)) await once(file, 'drain');
      },
      async commit() {
        open = false;
        file.end();
        await finished(file);
        await fsyncFile(tmp);
        await renameRetry(tmp, final);
        await fsyncDir(dir);
        crashPoint('artifact.committed');
        await dropOldest(dir, final, keep);
        return final;
      },
      async discard() {
        if (open) {
          open = false;
          file.destroy();
          await finished(file).catch(() => undefined);
        }
        await removeIfPresent(tmp);
        await removeIfPresent(final);
      },
    };
  }

  async read(location: string): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

/** Deletes all but the newest `keep` artifacts in `dir` (`newest` counts as one). */
async function dropOldest(dir: string, newest: string, keep: number): Promise<void> {
  const names = (await fs.promises.readdir(dir)).filter((name) => name.endsWith('.txt'));
  if (names.length <= keep) return;
  const files = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      // A file deleted meanwhile (another run pruning) sorts as oldest and is removed again harmlessly.
      const mtime = file === newest ? Infinity : await fs.promises.stat(file).then((st) => st.mtimeMs, () => 0);
      return { file, mtime };
    }),
  );
  files.sort((a, b) => b.mtime - a.mtime);
  await Promise.all(files.slice(keep).map(({ file }) => fs.promises.rm(file, { force: true })));
}
