// The truth table in PostgreSQL: the externalId → payment mapping, unique per connection and entity
// (the primary key). A batch is one statement in one transaction (durable when it returns) that keeps
// the first `created` of an entry; reads come in batches (getMany), one request per window of records.
import type pg from 'pg';
import type { TruthEntry, TruthTable } from '../store.js';
import { read, transaction, type PgStateContext } from './transaction.js';

interface TruthRow {
  connection: string;
  entity: string;
  external_id: string;
  id: string;
  hash: string;
  created: string;
  modified: string;
  source: TruthEntry['source'] | null;
}

const COLUMNS = 'connection, entity, external_id, id, hash, created, modified, source';

const entryOf = (row: TruthRow): TruthEntry => ({
  connection: row.connection,
  entity: row.entity,
  externalId: row.external_id,
  id: Number(row.id),
  hash: row.hash,
  created: row.created,
  modified: row.modified,
  ...(row.source ? { source: row.source } : {}),
});

/** Entries per statement: well under PostgreSQL's limits, and a batch of the import is 200. */
const ROWS_PER_STATEMENT = 5000;

/** Upserts `entries` on `client` (inside the caller's transaction), keeping the first `created` of each. */
export async function upsertTruth(client: pg.ClientBase, entries: readonly TruthEntry[]): Promise<void> {
  // One statement may not touch a row twice: within a batch the last entry wins, the first `created` stays.
  const byKey = new Map<string, TruthEntry>();
  for (const e of entries) {
    const key = JSON.stringify([e.connection, e.entity, e.externalId]);
    const prev = byKey.get(key);
    byKey.set(key, prev ? { ...e, created: prev.created } : e);
  }
  const unique = [...byKey.values()];
  for (let i = 0; i < unique.length; i += ROWS_PER_STATEMENT) {
    const chunk = unique.slice(i, i + ROWS_PER_STATEMENT);
    await client.query(
      `INSERT INTO truth (${COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
       ON CONFLICT (connection, entity, external_id) DO UPDATE
         SET id = EXCLUDED.id, hash = EXCLUDED.hash, modified = EXCLUDED.modified, source = EXCLUDED.source`,
      [
        chunk.map((e) => e.connection),
        chunk.map((e) => e.entity),
        chunk.map((e) => e.externalId),
        chunk.map((e) => e.id),
        chunk.map((e) => e.hash),
        chunk.map((e) => e.created),
        chunk.map((e) => e.modified),
        chunk.map((e) => (e.source ? JSON.stringify(e.source) : null)),
      ],
    );
  }
}

export class PgTruthTable implements TruthTable {
  constructor(private readonly ctx: PgStateContext) {}

  async get(connection: string, entity: string, externalId: string): Promise<TruthEntry | undefined> {
    const found = await read<TruthRow>(this.ctx, 'reading the truth table', `SELECT ${COLUMNS} FROM truth WHERE connection = $1 AND entity = $2 AND external_id = $3`, [connection, entity, externalId]);
    const row = found.rows[0];
    return row ? entryOf(row) : undefined;
  }

  async getMany(connection: string, entity: string, externalIds: readonly string[]): Promise<Map<string, TruthEntry>> {
    if (externalIds.length === 0) return new Map();
    const found = await read<TruthRow>(this.ctx, 'reading the truth table', `SELECT ${COLUMNS} FROM truth WHERE connection = $1 AND entity = $2 AND external_id = ANY($3::text[])`, [connection, entity, [...new Set(externalIds)]]);
    return new Map(found.rows.map((row) => [row.external_id, entryOf(row)]));
  }

  async putMany(entries: TruthEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await transaction(this.ctx, `writing ${entries.length} truth table entries`, true, (client) => upsertTruth(client, entries));
  }

  async count(): Promise<number> {
    const found = await read<{ n: string }>(this.ctx, 'counting the truth table', 'SELECT count(*) AS n FROM truth');
    return Number(found.rows[0]?.n ?? 0);
  }
}
