// A JSON document on disk (lowdb) whose writes are coalesced: many changes in a burst cost one write.
// lowdb rewrites the whole file on every write, so callers keep documents small (see the truth table).
// Only changes this process made are written: a process that merely read the document (`dropwise
// status`, a one-shot verb) must never put its stale copy back over what another process wrote since.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { DropwiseError } from '../errors.js';
import { writeFileDurable } from '../fs/fsync.js';
import { errnoCode, retryTransient } from '../fs/retry.js';
import { crashPoint } from '../crash-point.js';

/**
 * lowdb's JSONFile renames its temp file into place without fsync and without retrying the EPERM/EBUSY
 * a scanner causes on Windows; this one writes through the fs floor. Writes run one at a time, in call
 * order, so the last one called is the one left on disk.
 */
class DurableJsonFile<T> implements Adapter<T> {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await retryTransient(() => fs.readFile(this.file, 'utf8'))) as T;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return null;
      throw err;
    }
  }

  write(data: T): Promise<void> {
    const text = JSON.stringify(data, null, 2);
    const written = this.queue.then(() => writeFileDurable(this.file, text));
    this.queue = written.catch(() => undefined);
    return written;
  }
}

export class JsonDocument<T> {
  private readonly low: Low<T>;
  private pending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loaded = false;
  /** Changed in memory since the last write. */
  private dirty = false;

  constructor(
    readonly file: string,
    defaults: T,
    private readonly delayMs = 50,
  ) {
    this.low = new Low<T>(new DurableJsonFile<T>(file), defaults);
  }

  async data(): Promise<T> {
    if (!this.loaded) {
      try {
        await this.low.read();
      } catch (err) {
        // Not retryable: the same file fails the same way until someone repairs it.
        throw new DropwiseError('DW_STATE_READ', `The state file ${this.file} cannot be read: ${(err as Error).message}`, {
          hint: 'Restore it from a backup, or move it away to start with empty state (imports may then repeat)',
          cause: err,
        });
      }
      this.loaded = true;
    }
    return this.low.data;
  }



  /** Marks the document changed and schedules a write soon; returns at once. */
  touch(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pending = this.write();
      this.pending.catch(() => undefined);
    }, this.delayMs);
    this.timer.unref();
  }

  /** Marks the document changed and writes it now. */
  async save(): Promise<void> {
    this.dirty = true;
    await this.flush();
  }

  /** Writes now (after any write in progress) if this process changed the document since its last write. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending) await this.pending.catch(() => undefined);
    // Kept as pending too: a flush that comes while this write is under way waits for it.
    if (this.dirty) await (this.pending = this.write());
  }

  private async write(): Promise<void> {
    // Cleared first: a change made while this write is under way marks the document again.
    this.dirty = false;
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await this.low.write();
      crashPoint('state.document-written');
    } catch (err) {
      this.dirty = true;
      throw new DropwiseError('DW_STATE_WRITE', `The state file ${this.file} cannot be written: ${(err as Error).message}`, {
        hint: 'Check free disk space and permissions of the state folder',
        cause: err,
      });
    }
  }
}
