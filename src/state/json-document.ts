// A JSON document on disk (lowdb) whose writes are coalesced: many changes in a burst cost one write.
// lowdb rewrites the whole file on every write, so callers keep documents small (see the truth table).
import fs from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { DropwiseError } from '../errors.js';

export class JsonDocument<T> {
  private readonly low: Low<T>;
  private pending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loaded = false;

  constructor(
    readonly file: string,
    defaults: T,
    private readonly delayMs = 50,
  ) {
    this.low = new Low<T>(new JSONFile<T>(file), defaults);
  }

  async data(): Promise<T> {
    if (!this.loaded) {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      try {
        await this.low.read();
      } catch (err) {
        throw new DropwiseError('DW_STATE_WRITE', `The state file ${this.file} cannot be read: ${(err as Error).message}`, {
          hint: 'Restore it from a backup, or move it away to start with empty state (imports may then repeat)',
          cause: err,
        });
      }
      this.loaded = true;
    }
    return this.low.data;
  }

  /** Schedules a write soon; returns at once. */
  touch(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pending = this.write();
      this.pending.catch(() => undefined);
    }, this.delayMs);
    this.timer.unref();
  }

  /** Writes now (after any write in progress). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending) await this.pending.catch(() => undefined);
    if (this.loaded) await this.write();
  }

  private async write(): Promise<void> {
    try {
      await this.low.write();
    } catch (err) {
      throw new DropwiseError('DW_STATE_WRITE', `The state file ${this.file} cannot be written: ${(err as Error).message}`, {
        hint: 'Check free disk space and permissions of the state folder',
        cause: err,
      });
    }
  }
}
