// The truth table, sharded and fronted by a write-ahead log. lowdb rewrites a whole file per write, so
// entries are spread over many small shard files by a hash of their key; and because even a batch of
// a hundred entries touches most shards, a batch is first appended to truth.log (one append + fsync)
// and folded into the shards only once the log holds many entries, or on flush/close. Measured at
// 100,000 entries: ~470 ms per batch of 100 rewriting shards directly, a few ms through the log.
// Only the process that holds the state folder's lock and appended to the log itself folds and empties
// it: a process that only read it (`dropwise status`) knows nothing of what the writer appended since.
import fs from 'node:fs/promises';
import path from 'node:path';
import { DropwiseError } from '../errors.js';
import { fsyncDir } from '../fs/fsync.js';
import { JsonDocument } from './json-document.js';
import type { TruthEntry, TruthTable } from './store.js';
import { crashPoint } from '../crash-point.js';

export const TRUTH_SHARDS = 64;
/** Entries the log may hold before it is folded into the shards. */
export const TRUTH_FOLD_AT = 20_000;

type Shard = JsonDocument<{ entries: Record<string, TruthEntry> }>;

const keyOf = (connection: string, entity: string, externalId: string) => `${connection}\u0000${entity}\u0000${externalId}`;
const entryKey = (e: TruthEntry) => keyOf(e.connection, e.entity, e.externalId);

/** FNV-1a: cheap and stable across runs and platforms. */
function shardIndex(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % TRUTH_SHARDS;
}

function stateError(file: string, verb: string, err: unknown): DropwiseError {
  const reading = verb === 'read';
  return new DropwiseError(reading ? 'DW_STATE_READ' : 'DW_STATE_WRITE', `The truth log ${file} cannot be ${verb}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
    hint: reading ? `The truth table keeps imports from creating records twice: restore ${file} from a backup (a line torn at its very end is dropped by itself). Only if there is none, move it away; the entries it held are then forgotten, and records imported before may be created again` : 'Check free disk space and permissions of the state folder',
    cause: err,
  });
}

export interface TruthTableOptions {
  /** Entries the log may hold before it is folded (default TRUTH_FOLD_AT). */
  foldAt?: number;
  /** Whether this process holds the state folder's lock now; without it the log is never folded. */
  mayFold?: () => boolean;
}

export class ShardedTruthTable implements TruthTable {
  private readonly shards: Shard[];
  private readonly logFile: string;
  /** Entries in the log and not yet folded into the shards; they win over the shards' copies. */
  private readonly logged = new Map<string, TruthEntry>();
  private opened: Promise<void> | undefined;
  /** Writes (appends and folds) one at a time, in call order. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Where the last whole line of the log ended when it was read, if a torn line follows it. */
  private tornAt: number | undefined;
  /** This process appended to the log. */
  private appended = false;
  private readonly foldAt: number;
  private readonly mayFold: () => boolean;

  constructor(
    private readonly dir: string,
    options: TruthTableOptions = {},
  ) {
    this.foldAt = options.foldAt ?? TRUTH_FOLD_AT;
    this.mayFold = options.mayFold ?? (() => false);
    this.logFile = path.join(dir, 'truth.log');
    this.shards = Array.from(
      { length: TRUTH_SHARDS },
      (_, i) => new JsonDocument<{ entries: Record<string, TruthEntry> }>(path.join(dir, `truth-${String(i).padStart(2, '0')}.json`), { entries: {} }),
    );
  }

  async get(connection: string, entity: string, externalId: string): Promise<TruthEntry | undefined> {
    await this.open();
    const entry = await this.entryAt(keyOf(connection, entity, externalId));
    return entry ? structuredClone(entry) : undefined;
  }

  async getMany(connection: string, entity: string, externalIds: readonly string[]): Promise<Map<string, TruthEntry>> {
    await this.open();
    const found = new Map<string, TruthEntry>();
    for (const externalId of externalIds) {
      const entry = await this.entryAt(keyOf(connection, entity, externalId));
      if (entry) found.set(externalId, structuredClone(entry));
    }
    return found;
  }

  /** Durable when it returns: the batch is appended to the log and fsynced. */
  async putMany(entries: TruthEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.serially(async () => {
      await this.open();
      // An entry given twice in one batch: the last wins, the first created stays.
      const batch = new Map<string, TruthEntry>();
      for (const entry of entries) {
        const key = entryKey(entry);
        const prev = batch.get(key) ?? this.logged.get(key) ?? (await this.shardOf(key).data()).entries[key];
        batch.set(key, { ...entry, created: prev?.created ?? entry.created });
      }
      const merged = [...batch.values()];
      await this.append(merged);
      for (const entry of merged) this.logged.set(entryKey(entry), entry);
      if (this.logged.size >= this.foldAt) await this.foldOwnLog();
    });
  }

  async count(): Promise<number> {
    await this.open();
    let n = 0;
    for (const shard of this.shards) n += Object.keys((await shard.data()).entries).length;
    for (const key of this.logged.keys()) if (!(key in (await this.shardOf(key).data()).entries)) n++;
    return n;
  }

  /** Every entry, a shard at a time (`dropwise state copy`); the log's copies win over the shards'. */
  async *batches(): AsyncGenerator<TruthEntry[]> {
    await this.open();
    const fromLog = new Map<Shard, Map<string, TruthEntry>>();
    for (const [key, entry] of this.logged) {
      const shard = this.shardOf(key);
      fromLog.set(shard, (fromLog.get(shard) ?? new Map<string, TruthEntry>()).set(key, entry));
    }
    for (const shard of this.shards) {
      const merged = { ...(await shard.data()).entries, ...Object.fromEntries(fromLog.get(shard) ?? []) };
      const entries = Object.values(merged);
      if (entries.length > 0) yield structuredClone(entries);
    }
  }

  /**
   * Reads the log and every shard, or refuses: never set aside, as it is what keeps an import from
   * creating a record twice (reading all shards now costs what the first imports would anyway).
   */
  async check(): Promise<void> {
    await this.open();
    for (const shard of this.shards) {
      try {
        await shard.data();
      } catch (err) {
        throw new DropwiseError('DW_STATE_READ', (err as Error).message, {
          hint: `The truth table keeps imports from creating records twice: restore ${shard.file} from a backup. Only if there is none, move it away; the entries it held are then forgotten, and records imported before may be created again`,
          cause: err,
        });
      }
    }
  }

  /** Folds the log into the shards, so the shards alone hold everything (when this process may). */
  async flush(): Promise<void> {
    await this.serially(() => this.foldOwnLog());
  }

  /** The log's copy, else the shard's (the caller opened the table). */
  private async entryAt(key: string): Promise<TruthEntry | undefined> {
    return this.logged.get(key) ?? (await this.shardOf(key).data()).entries[key];
  }

  private shardOf(key: string): Shard {
    return this.shards[shardIndex(key)] as Shard;
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.writes.then(work);
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** Replays the log left by the last process (a crash, or a stop before a fold). */
  private open(): Promise<void> {
    this.opened ??= (async () => {
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(this.logFile);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw stateError(this.logFile, 'read', err);
      }
      // A line torn by a crash during its append belongs to a batch never reported durable. It is cut
      // off before this process appends (or the next line would be glued to it), never by a reader:
      // in a reader it may be a line the writer is appending right now.
      const end = bytes.lastIndexOf(0x0a) + 1;
      if (end < bytes.length) this.tornAt = end;
      for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
        if (line === '') continue;
        let entry: TruthEntry;
        try {
          entry = JSON.parse(line) as TruthEntry;
        } catch (err) {
          throw stateError(this.logFile, 'read', err);
        }
        this.logged.set(entryKey(entry), entry);
      }
    })();
    return this.opened;
  }

  private async append(entries: TruthEntry[]): Promise<void> {
    let handle: fs.FileHandle | undefined;
    try {
      await fs.mkdir(this.dir, { recursive: true });
      if (this.tornAt !== undefined) await fs.truncate(this.logFile, this.tornAt);
      this.tornAt = undefined;
      handle = await fs.open(this.logFile, 'a');
      await handle.write(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
      await handle.datasync();
      // The first append may have created the log: its folder entry must be on disk too.
      if (!this.appended) await fsyncDir(this.dir);
      crashPoint('truth.log-appended');
      this.appended = true;
    } catch (err) {
      throw stateError(this.logFile, 'written', err);
    } finally {
      await handle?.close();
    }
  }

  /**
   * Shards first, then the log is emptied: a crash in between only replays the same upserts. Only in
   * the process that holds the lock and wrote the log: its `logged` then has every entry of the log.
   */
  private async foldOwnLog(): Promise<void> {
    if (!this.appended || !this.mayFold() || this.logged.size === 0) return;
    const touched = new Set<Shard>();
    for (const [key, entry] of this.logged) {
      const shard = this.shardOf(key);
      (await shard.data()).entries[key] = entry;
      touched.add(shard);
    }
    // Each save is durable when it returns (file and folder fsynced): only then may the log go.
    await Promise.all([...touched].map((s) => s.save()));
    crashPoint('truth.shards-written');
    try {
      await fs.truncate(this.logFile, 0);
    } catch (err) {
      throw stateError(this.logFile, 'emptied', err);
    }
    crashPoint('truth.log-emptied');
    this.logged.clear();
  }
}
