// Retention by age of the folders that otherwise grow without end: archive/, outbox/success, outbox/fail
// and the files runs leave in the state folder for later (state/gl-entry-ids). Each has its own number
// of days (config retention.*; 0 keeps everything, the default). Applied when the agent starts and once
// a day while it runs. A file's age is its modification time; a failed file and its `<name>.error.xml`
// go together, judged by the newer of the two. Hidden names (a `.partial` or `.tmp` being written) are
// never touched, and a sub-folder a pass emptied (archive/<an old date>/) is removed.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppConfig } from '../config/load.js';
import { errnoCode, removeIfPresent } from '../fs/retry.js';
import type { Logger } from '../log.js';
import { SIDECAR_KIND } from '../tasks/connectwise/gl/entry-ids.js';

const DAY_MS = 86_400_000;
const ERROR_SUFFIX = '.error.xml';

export interface RetentionTarget {
  /** The config key, for the log. */
  key: keyof AppConfig['retention'];
  dir: string;
  days: number;
}

/** The folders retention looks after, with their days (0: kept forever, left out). */
export function retentionTargets(config: Pick<AppConfig, 'folders' | 'retention'>): RetentionTarget[] {
  const { folders, retention } = config;
  const all: RetentionTarget[] = [
    { key: 'archiveDays', dir: folders.archive, days: retention.archiveDays },
    { key: 'successDays', dir: folders.success, days: retention.successDays },
    { key: 'failDays', dir: folders.fail, days: retention.failDays },
    { key: 'artifactDays', dir: path.join(folders.state, SIDECAR_KIND), days: retention.artifactDays },
  ];
  return all.filter((t) => t.days > 0);
}

/** One pass over every target: deletes what is older than its days; returns the count per folder. */
export async function applyRetention(config: Pick<AppConfig, 'folders' | 'retention'>, log: Logger, now = Date.now()): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const target of retentionTargets(config)) {
    try {
      const deleted = await pruneFolder(target.dir, now - target.days * DAY_MS, log);
      counts.set(target.dir, deleted);
      if (deleted > 0) log.info(`Retention: deleted ${deleted} file(s) older than ${target.days} day(s) (retention.${target.key}) from ${target.dir}`);
    } catch (err) {
      log.warn(`Retention of ${target.dir} (retention.${target.key}) failed this time: ${(err as Error).message}`);
    }
  }
  return counts;
}

/** Deletes the files of `root` (and below) last modified before `cutoffMs`; returns how many. */
async function pruneFolder(root: string, cutoffMs: number, log: Logger): Promise<number> {
  let entries;
  try {
    entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 0;
    throw err;
  }
  const files = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => path.join(e.parentPath, e.name));
  const present = new Set(files);
  // A failed file and its .error.xml are one group, kept or deleted together.
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const owner = file.endsWith(ERROR_SUFFIX) && present.has(file.slice(0, -ERROR_SUFFIX.length)) ? file.slice(0, -ERROR_SUFFIX.length) : file;
    groups.set(owner, [...(groups.get(owner) ?? []), file]);
  }
  let deleted = 0;
  const emptied = new Set<string>();
  for (const group of groups.values()) {
    const mtimes = await Promise.all(group.map((file) => fs.stat(file).then((st) => st.mtimeMs, () => Infinity)));
    if (Math.max(...mtimes) >= cutoffMs) continue;
    for (const file of group) {
      await removeIfPresent(file);
      log.debug(`Retention: deleted ${file}`);
      deleted++;
      if (path.dirname(file) !== root) emptied.add(path.dirname(file));
    }
  }
  // Only folders this pass took files from: a dated archive folder of an old day gets no new files.
  // ENOTEMPTY: something newer is still there; it stays.
  for (const dir of [...emptied].sort((a, b) => b.length - a.length)) await fs.rmdir(dir).catch(() => undefined);
  return deleted;
}

/** Applies retention now and every 24 hours until stopped. */
export class RetentionTimer {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: Pick<AppConfig, 'folders' | 'retention'>,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (retentionTargets(this.config).length === 0) return;
    const run = () => {
      this.pass = applyRetention(this.config, this.log);
    };
    run();
    this.timer = setInterval(run, DAY_MS);
    this.timer.unref();
  }

  /** Stops the daily pass and waits for one under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pass;
  }
}
