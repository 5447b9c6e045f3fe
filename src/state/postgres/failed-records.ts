// The failed records of every agent's imports in PostgreSQL: one row per record, with the lower-cased
// text a search looks in (the local store's searchTextOf), newest first. Adding them is fenced.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { searchTextOf } from '../failed-records.js';
import type { FailedRecord, FailedRecordPage, FailedRecordQuery, FailedRecordStore, NewFailedRecord } from '../store.js';
import { limitOf, read, transaction, type PgStateContext } from './transaction.js';

/** Inserts whole failed records as they are (add, and `state copy`); one already there is left alone. */
export async function insertFailedRecords(client: pg.ClientBase, agent: string, records: readonly FailedRecord[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < records.length; i += 1000) {
    const chunk = records.slice(i, i + 1000);
    const done = await client.query(
      `INSERT INTO failed_records (id, at, agent, run_id, search, record)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) ORDER BY 2
       ON CONFLICT (id) DO NOTHING`,
      [chunk.map((r) => r.id), chunk.map((r) => r.at), chunk.map(() => agent), chunk.map((r) => r.runId), chunk.map((r) => searchTextOf(r)), chunk.map((r) => JSON.stringify(r))],
    );
    added += done.rowCount ?? 0;
  }
  return added;
}

export class PgFailedRecords implements FailedRecordStore {
  constructor(private readonly ctx: PgStateContext) {}

  async add(records: NewFailedRecord[]): Promise<FailedRecord[]> {
    if (records.length === 0) return [];
    const at = new Date().toISOString();
    const added = records.map((r): FailedRecord => ({ id: randomUUID(), at, ...r }));
    await transaction(this.ctx, `adding ${added.length} failed records`, true, (client) => insertFailedRecords(client, this.ctx.agent, added));
    return added.map((r) => structuredClone(r));
  }

  async search(query: FailedRecordQuery = {}): Promise<FailedRecordPage> {
    const values: unknown[] = [];
    const terms: string[] = [];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    const text = query.text?.trim().toLowerCase() ?? '';
    if (query.runId !== undefined) terms.push(`run_id = ${param(query.runId)}`);
    if (query.code !== undefined) terms.push(`record->'errors' @> jsonb_build_array(jsonb_build_object('code', ${param(query.code)}::text))`);
    if (text !== '') terms.push(`strpos(search, ${param(text)}) > 0`);
    const where = terms.length > 0 ? `WHERE ${terms.join(' AND ')}` : '';
    const [page, total] = await Promise.all([
      read<{ record: FailedRecord }>(this.ctx, 'searching the failed records', `SELECT record FROM failed_records ${where} ORDER BY at DESC, seq DESC LIMIT $${values.length + 1} OFFSET $${values.length + 2}`, [...values, limitOf(query.limit ?? 50), query.offset ?? 0]),
      read<{ n: string }>(this.ctx, 'counting the failed records', `SELECT count(*) AS n FROM failed_records ${where}`, values),
    ]);
    return { records: page.rows.map((r) => r.record), total: Number(total.rows[0]?.n ?? 0) };
  }

  async get(id: string): Promise<FailedRecord | undefined> {
    const found = await read<{ record: FailedRecord }>(this.ctx, 'reading a failed record', 'SELECT record FROM failed_records WHERE id = $1', [id]);
    return found.rows[0]?.record;
  }
}
