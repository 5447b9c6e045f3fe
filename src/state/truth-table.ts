// The truth table, sharded: lowdb rewrites a whole file per write, so entries are spread over many
// small files by a hash of their key, and a batch of entries rewrites only the shards it touched.
import path from 'node:path';
import { JsonDocument } from './json-document.js';
import type { TruthEntry, TruthTable } from './store.js';

export const TRUTH_SHARDS = 64;

type Shard = JsonDocument<{ entries: Record<string, TruthEntry> }>;

const keyOf = (connection: string, entity: string, externalId: string) => `${connection}\u0000${entity}\u0000${externalId}`;

/** FNV-1a: cheap and stable across runs and platforms. */
function shardIndex(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % TRUTH_SHARDS;
}

export class ShardedTruthTable implements TruthTable {
  private readonly shards: Shard[];

  constructor(dir: string) {
    this.shards = Array.from(
      { length: TRUTH_SHARDS },
      (_, i) => new JsonDocument<{ entries: Record<string, TruthEntry> }>(path.join(dir, `truth-${String(i).padStart(2, '0')}.json`), { entries: {} }),
    );
  }

  async get(connection: string, entity: string, externalId: string): Promise<TruthEntry | undefined> {
    const key = keyOf(connection, entity, externalId);
    const data = await (this.shards[shardIndex(key)] as Shard).data();
    const entry = data.entries[key];
    return entry ? { ...entry } : undefined;
  }

  /** Durable when it returns: the touched shards are written at once. */
  async putMany(entries: TruthEntry[]): Promise<void> {
    const touched = new Set<Shard>();
    for (const entry of entries) {
      const key = keyOf(entry.connection, entry.entity, entry.externalId);
      const shard = this.shards[shardIndex(key)] as Shard;
      const data = await shard.data();
      const prev = data.entries[key];
      data.entries[key] = { ...entry, created: prev?.created ?? entry.created };
      touched.add(shard);
    }
    await Promise.all([...touched].map((s) => s.flush()));
  }

  async count(): Promise<number> {
    let n = 0;
    for (const shard of this.shards) n += Object.keys((await shard.data()).entries).length;
    return n;
  }

  async flush(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.flush()));
  }
}
