// Outputs are written to a temp file in work/tmp/, then committed: ended, fsynced and linked into
// outbox/success or outbox/fail under a name nobody else has (see place-file.ts). A reader of the
// outbox sees a whole file or none, and an output not yet collected is never overwritten.
// The run of a claimed file commits through its OutputLog (the claim journal): each output is
// recorded before it is placed and once it stands, so when a crash comes between two commits of one
// run, the resumed run that writes the same output again finds it and does not place it twice.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import { DropwiseError } from '../../errors.js';
import { events } from '../../events.js';
import { fsyncFile } from '../../fs/fsync.js';
import { freeName, placeFile, placeFileAt } from '../../fs/place-file.js';
import { errnoCode, isPresent, removeIfPresent } from '../../fs/retry.js';
import { checkOutputName } from '../../tasks/output-name.js';
import type { Outbox, OutboxFolder, OutputFile } from '../../tasks/types.js';
import { crashPoint } from '../../crash-point.js';
import type { OutputRecord } from './journal.js';

/** The outputs earlier attempts of the same claim committed, and the record of new ones (durable). */
export interface OutputLog {
  previous(): OutputRecord[];
  record(output: OutputRecord): Promise<void>;
}

export interface OutboxDirs {
  tmp: string;
  success: string;
  fail: string;
}

/**
 * Runs an output's placement while this agent still holds its work (with agents sharing a state: under
 * its lease's fence, so an agent that adopted this one's files cannot move them meanwhile, and a
 * fenced agent places nothing: DW_FENCED).
 */
export type PlacementGuard = <T>(place: () => Promise<T>) => Promise<T>;

const unguarded: PlacementGuard = (place) => place();

export function writeError(folder: string, err: unknown): DropwiseError {
  if (err instanceof DropwiseError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new DropwiseError('DW_OUTPUT_WRITE', `An output file could not be written to ${folder}: ${code}`, {
    hint: 'Check that the folder exists, is writable and has free space; the input stays in work/processing and is retried',
    retryable: true,
    cause: err,
  });
}

class TempOutputFile implements OutputFile {
  private state: 'open' | 'committed' | 'aborted' = 'open';
  private streamError: Error | undefined;

  constructor(
    readonly name: string,
    readonly stream: fs.WriteStream,
    private readonly tmpPath: string,
    private readonly folder: OutboxFolder,
    private readonly destDir: string,
    private readonly onCommit: (finalPath: string) => void,
    private readonly log: OutputLog | undefined,
    private readonly guard: PlacementGuard,
  ) {
    // Recorded rather than thrown: commit() reports it; a writer sees it in its write's callback or via once().
    stream.on('error', (err) => (this.streamError = err));
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  async commit(): Promise<string> {
    if (this.state !== 'open') throw new Error(`Output ${this.name} was already ${this.state}`);
    this.state = 'committed';
    try {
      if (this.streamError) throw this.streamError;
      this.stream.end();
      await finished(this.stream);
      await fsyncFile(this.tmpPath);
      const log = this.log;
      const finalPath = await this.guard(() => (log ? this.placeOnce(log) : placeFile(this.tmpPath, this.destDir, this.name)));
      crashPoint('outbox.committed');
      this.onCommit(finalPath);
      if (events.outputCommitted.hasSubscribers) events.outputCommitted.publish({ folder: path.basename(this.destDir), bytes: this.stream.bytesWritten });
      return finalPath;
    } catch (err) {
      await removeIfPresent(this.tmpPath).catch(() => undefined);
      throw writeError(this.destDir, err);
    }
  }

  /** Finds the same output placed by an earlier attempt of the claim, or places it, recorded first. */
  private async placeOnce(log: OutputLog): Promise<string> {
    const sha1 = await fileSha1(this.tmpPath);
    const record = (target: string, placed: boolean) => log.record({ folder: this.folder, name: this.name, target, sha1, placed });
    for (const earlier of log.previous()) {
      if (earlier.folder !== this.folder || earlier.name !== this.name || earlier.sha1 !== sha1) continue;
      // Placed, and still there or collected since: it stands.
      if (earlier.placed) return this.drop(earlier.target);
      // Recorded, and the crash came before or after the link.
      if (!(await isPresent(earlier.target))) {
        await placeFileAt(this.tmpPath, earlier.target);
        await record(earlier.target, true);
        return earlier.target;
      }
      if ((await fileSha1(earlier.target)) === sha1) {
        await record(earlier.target, true);
        return this.drop(earlier.target);
      }
      // Someone else's file took the name in between: this output gets a name of its own.
    }
    for (;;) {
      const target = await freeName(this.destDir, this.name);
      await record(target, false);
      try {
        await placeFileAt(this.tmpPath, target);
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') continue;
        throw err;
      }
      await record(target, true);
      return target;
    }
  }

  private async drop(standing: string): Promise<string> {
    await removeIfPresent(this.tmpPath);
    return standing;
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.stream.destroy();
    await finished(this.stream).catch(() => undefined);
    await removeIfPresent(this.tmpPath);
  }
}

/** The outbox of one run: it knows what was committed and can drop whatever the task left open. */
export class RunOutbox implements Outbox {
  readonly committed: string[] = [];
  private readonly files: TempOutputFile[] = [];

  constructor(
    private readonly dirs: OutboxDirs,
    private readonly runId: string,
    /** The claim's output log, for the run of a claimed file. */
    private readonly log?: OutputLog,
    private readonly guard: PlacementGuard = unguarded,
  ) {}

  async create(folder: OutboxFolder, name: string): Promise<OutputFile> {
    checkOutputName(name);
    const tmpPath = path.join(this.dirs.tmp, `${this.runId}-${randomBytes(4).toString('hex')}.tmp`);
    try {
      await fs.promises.mkdir(this.dirs.tmp, { recursive: true });
      // Room for several of the XML writer's 64 KB chunks, which it keeps in flight while it renders the next.
      const stream = fs.createWriteStream(tmpPath, { flags: 'wx', highWaterMark: 256 * 1024 });
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', reject);
      });
      crashPoint('outbox.tmp-created');
      const file = new TempOutputFile(name, stream, tmpPath, folder, this.dirs[folder], (p) => this.committed.push(p), this.earlierLog(), this.guard);
      this.files.push(file);
      return file;
    } catch (err) {
      throw writeError(this.dirs.tmp, err);
    }
  }

  /** The log as an output sees it: its own run's outputs are not an earlier attempt's. */
  private earlierLog(): OutputLog | undefined {
    const log = this.log;
    if (!log) return undefined;
    return { previous: () => log.previous().filter((o) => !this.committed.includes(o.target)), record: (o) => log.record(o) };
  }

  /** Drops every output the task neither committed nor aborted. */
  async abortOpen(): Promise<void> {
    await Promise.all(this.files.filter((f) => f.isOpen).map((f) => f.abort()));
  }
}

async function fileSha1(file: string): Promise<string> {
  const hash = createHash('sha1');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}
