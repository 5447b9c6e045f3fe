// The claim journal: an append-only JSON-lines record in work/journal.log of what happened to each
// claimed file. The folder work/processing/ is the truth about what is unfinished; the journal adds
// what a restart needs beyond that (a file whose outputs were already committed is only disposed of,
// not run again) and what `dropwise status` shows.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, writeFileDurable } from '../../fs/fsync.js';
import { errnoCode } from '../../fs/retry.js';
import { crashPoint } from '../../crash-point.js';
import type { OutboxFolder } from '../../tasks/types.js';

export type Disposition = 'archived' | 'deleted' | 'failed';
/** Where a disposal puts the original: the archive, or outbox/fail. */
export type DisposalKind = 'archive' | 'fail';

export type JournalEntry =
  | { event: 'claimed'; id: string; name: string; at: string }
  | {
      event: 'committed';
      id: string;
      status: 'success' | 'partial' | 'failed' | 'empty';
      outputs: string[];
      /** Why the run failed, so that a resumed disposal writes the same .error.xml. */
      error?: { code: string; message: string };
      at: string;
    }
  /**
   * An output of the claim's run: recorded with `placed: false` before it is placed in the outbox and
   * again with `placed: true` once it stands, so a resumed run that writes the same output (same
   * folder, name and bytes) finds it instead of placing it a second time.
   */
  | ({ event: 'output'; id: string; at: string } & OutputRecord)
  /** Where the original is about to be placed, recorded before it is: a redo after a crash reuses it. */
  | { event: 'disposing'; id: string; kind: DisposalKind; target: string; at: string }
  | { event: 'finished'; id: string; disposition: Disposition; path?: string; at: string };

export interface OutputRecord {
  folder: OutboxFolder;
  /** The name the task asked for. */
  name: string;
  /** Where it is (or is about to be) placed. */
  target: string;
  sha1: string;
  placed: boolean;
}

type NewEntry = JournalEntry extends infer E ? (E extends JournalEntry ? Omit<E, 'at'> : never) : never;

/** Finished files kept through a compaction, for `status`. */
const KEEP_FINISHED = 200;

export class Journal {
  private readonly latest = new Map<string, JournalEntry>();
  private readonly targets = new Map<string, { kind: DisposalKind; target: string }>();
  /** Claim id → target → the latest record of that output. */
  private readonly outputs = new Map<string, Map<string, OutputRecord>>();
  /** The name each claim was dropped with: its path in work/processing may carry a shortened one. */
  private readonly names = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly handle: fs.FileHandle,
  ) {}

  /**
   * Opens the journal for appending; `compact` rewrites it first (only the agent that owns work/
   * should), keeping unfinished claims only while their file is still among `inProcessing`.
   */
  static async open(file: string, options: { compact: boolean; inProcessing?: ReadonlySet<string> }): Promise<Journal> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const entries = await readJournal(file);
    if (options.compact) await rewrite(file, compactEntries(entries, KEEP_FINISHED, options.inProcessing));
    const journal = new Journal(file, await fs.open(file, 'a'));
    // The open may have created the file: its folder entry must be on disk before an entry counts as durable.
    await fsyncDir(path.dirname(file));
    for (const entry of entries) journal.remember(entry);
    return journal;
  }

  /**
   * Appends an entry; `durable` fsyncs it before returning. Remembered only once written: what the
   * journal answers must be what a restart would read back.
   */
  record(entry: NewEntry, options: { durable?: boolean } = {}): Promise<void> {
    const full = { ...entry, at: new Date().toISOString() } as JournalEntry;
    const line = `${JSON.stringify(full)}\n`;
    const write = this.chain.then(async () => {
      await this.handle.appendFile(line, 'utf8');
      if (options.durable) await this.handle.sync();
      this.remember(full);
      crashPoint(`journal.${full.event}`);
    });
    this.chain = write.catch(() => undefined);
    return write;
  }

  /**
   * Appends another agent's entries of claims adopted from it, as they were written, durably: what its
   * runs placed or planned is known here before the files resume.
   */
  adopt(entries: JournalEntry[]): Promise<void> {
    const text = entries.map((e) => `${JSON.stringify(e)}\n`).join('');
    const write = this.chain.then(async () => {
      await this.handle.appendFile(text, 'utf8');
      await this.handle.sync();
      for (const entry of entries) this.remember(entry);
    });
    this.chain = write.catch(() => undefined);
    return write;
  }

  /** The last thing recorded about a claim id (disposal targets aside: see plannedTarget). */
  latestFor(id: string): JournalEntry | undefined {
    return this.latest.get(id);
  }

  /** The target an earlier disposal of this kind chose for the claim, if any. */
  plannedTarget(id: string, kind: DisposalKind): string | undefined {
    const planned = this.targets.get(id);
    return planned?.kind === kind ? planned.target : undefined;
  }

  /** The outputs earlier attempts of the claim placed or were about to place, oldest first. */
  outputsOf(id: string): OutputRecord[] {
    return [...(this.outputs.get(id)?.values() ?? [])];
  }

  /** The name a claim was dropped with, if its `claimed` entry is known. */
  droppedName(id: string): string | undefined {
    return this.names.get(id);
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.close();
  }

  private remember(entry: JournalEntry): void {
    if (entry.event === 'claimed') this.names.set(entry.id, entry.name);
    if (entry.event === 'disposing') this.targets.set(entry.id, { kind: entry.kind, target: entry.target });
    else if (entry.event === 'output') {
      const { folder, name, target, sha1, placed } = entry;
      const outputs = this.outputs.get(entry.id) ?? new Map<string, OutputRecord>();
      outputs.set(target, { folder, name, target, sha1, placed });
      this.outputs.set(entry.id, outputs);
    } else {
      this.latest.set(entry.id, entry);
      // A finished claim is never resumed: its outputs need not be remembered.
      if (entry.event === 'finished') this.outputs.delete(entry.id);
    }
  }
}

/** Every readable entry of a journal file; a line torn by a crash is skipped. */
export async function readJournal(file: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as JournalEntry;
      if (typeof entry.id === 'string' && typeof entry.event === 'string') entries.push(entry);
    } catch {
      // a torn last line
    }
  }
  return entries;
}

/**
 * Keeps every entry of the newest finished claims and of unfinished ones whose file is still in
 * work/processing (all unfinished ones when `inProcessing` is not given). An unfinished claim whose
 * file is gone was disposed of by a run that stopped before its `finished` entry (not fsynced) was
 * written: nothing is left to resume, and keeping it would keep it forever.
 */
export function compactEntries(entries: JournalEntry[], keepFinished = KEEP_FINISHED, inProcessing?: ReadonlySet<string>): JournalEntry[] {
  const finishedIds = entries.filter((e) => e.event === 'finished').map((e) => e.id);
  const finished = new Set(finishedIds);
  const dropped = new Set(finishedIds.slice(0, Math.max(0, finishedIds.length - keepFinished)));
  return entries.filter((e) => !dropped.has(e.id) && (finished.has(e.id) || !inProcessing || inProcessing.has(e.id)));
}

async function rewrite(file: string, entries: JournalEntry[]): Promise<void> {
  await writeFileDurable(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
}
