// Who did what from the dashboard or the API, and when: retries, runs started by hand, pause and
// resume. One JSON line per action in actions.jsonl, appended; the newest are read back for the page.
import { appendFileDurable } from '../fs/fsync.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { DropwiseError } from '../errors.js';
import { errnoCode } from '../fs/retry.js';
import type { ActionEntry, ActionLog } from './store.js';

/** The newest actions kept in memory for the page; the file keeps them all. */
const KEPT_IN_MEMORY = 500;

export class JsonLinesActionLog implements ActionLog {
  private loaded: Promise<ActionEntry[]> | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  async add(entry: Omit<ActionEntry, 'at'>): Promise<ActionEntry> {
    const entries = await this.entries();
    const full: ActionEntry = { at: new Date().toISOString(), ...entry };
    const write = this.writes.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await appendFileDurable(this.file, `${JSON.stringify(full)}\n`);
    });
    this.writes = write.catch(() => undefined);
    try {
      await write;
    } catch (err) {
      throw new DropwiseError('DW_STATE_WRITE', `The action could not be recorded in ${this.file}: ${errnoCode(err) ?? String(err)}`, { cause: err });
    }
    entries.push(full);
    if (entries.length > KEPT_IN_MEMORY) entries.splice(0, entries.length - KEPT_IN_MEMORY);
    return { ...full };
  }

  async recent(limit: number): Promise<ActionEntry[]> {
    return (await this.entries()).slice(-limit).reverse().map((e) => ({ ...e }));
  }

  /** Every action in the file, oldest first (`dropwise state copy`), not only the newest kept in memory. */
  async all(): Promise<ActionEntry[]> {
    await this.flush();
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw new DropwiseError('DW_STATE_READ', `${this.file} cannot be read: ${errnoCode(err) ?? String(err)}`, { cause: err });
    }
    return parseLines(text.split('\n'));
  }

  async flush(): Promise<void> {
    await this.writes;
  }

  private entries(): Promise<ActionEntry[]> {
    this.loaded ??= fs.readFile(this.file, 'utf8').then(
      (text) => parseLines(text.split('\n').slice(-KEPT_IN_MEMORY - 1)),
      (err: unknown) => {
        if (errnoCode(err) === 'ENOENT') return [];
        throw new DropwiseError('DW_STATE_READ', `${this.file} cannot be read: ${errnoCode(err) ?? String(err)}`, { cause: err });
      },
    );
    return this.loaded;
  }
}

/** The actions of these lines; a line cut off by a crash mid-append is skipped. */
function parseLines(lines: string[]): ActionEntry[] {
  return lines.flatMap((line) => {
    try {
      return line.trim() === '' ? [] : [JSON.parse(line) as ActionEntry];
    } catch {
      return [];
    }
  });
}
