// The run history in PostgreSQL, shared by every agent on the state: one row per run, its record as
// JSON beside the columns a filter looks at. A run is written when it starts and when it ends; the
// finish is fenced (a run of an agent whose work was adopted is not closed by it any more).
import type pg from 'pg';
import { crashPoint } from '../../crash-point.js';
import type { NewRun, RunHistory, RunOutcome, RunPage, RunQuery, RunRecord } from '../store.js';
import { startedRun } from '../run-history.js';
import { limitOf, read, transaction, type PgStateContext } from './transaction.js';

export interface PgRunHistoryOptions {
  /** Runs older than this many days are deleted when a run of a new day starts; 0 or absent keeps every run. */
  keepDays?: number;
}

/** The WHERE clause and its values for a filter (the local store's matchesRun, in SQL). */
function whereOf(query: RunQuery): { where: string; values: unknown[] } {
  const values: unknown[] = [];
  const terms: string[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (query.task !== undefined) {
    const p = param(query.task);
    terms.push(`(task = ${p} OR task_name = ${p})`);
  }
  if (query.result !== undefined) terms.push(`result = ANY(${param(Array.isArray(query.result) ? query.result : [query.result])}::text[])`);
  if (query.since !== undefined) terms.push(`started_at >= ${param(query.since)}::timestamptz`);
  if (query.until !== undefined) terms.push(`started_at < ${param(query.until)}::timestamptz`);
  if (query.file !== undefined) terms.push(`strpos(lower(coalesce(file, '')), lower(${param(query.file)})) > 0`);
  if (query.agent !== undefined) terms.push(`agent = ${param(query.agent)}`);
  return { where: terms.length > 0 ? `WHERE ${terms.join(' AND ')}` : '', values };
}

/** Inserts whole run records as they are (start, and `state copy`); a run already there is left alone. */
export async function insertRuns(client: pg.ClientBase, agent: string, runs: readonly RunRecord[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < runs.length; i += 1000) {
    const chunk = runs.slice(i, i + 1000);
    const done = await client.query(
      `INSERT INTO runs (id, agent, task, task_name, file, result, started_at, record)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::jsonb[])
       ON CONFLICT (id) DO NOTHING`,
      [
        chunk.map((r) => r.id),
        chunk.map((r) => r.agent ?? agent),
        chunk.map((r) => r.task),
        chunk.map((r) => r.taskName ?? null),
        chunk.map((r) => r.file ?? null),
        chunk.map((r) => r.result),
        chunk.map((r) => r.startedAt),
        chunk.map((r) => JSON.stringify({ ...r, agent: r.agent ?? agent })),
      ],
    );
    added += done.rowCount ?? 0;
  }
  return added;
}

export class PgRunHistory implements RunHistory {
  private readonly keepDays: number;
  /** The day of the last run started here: a new day runs the retention pass again. */
  private lastDay: string | undefined;

  constructor(
    private readonly ctx: PgStateContext,
    options: PgRunHistoryOptions = {},
  ) {
    this.keepDays = options.keepDays ?? 0;
  }

  async start(run: NewRun): Promise<RunRecord> {
    const record = startedRun(run, this.ctx.agent);
    const day = record.startedAt.slice(0, 10);
    await transaction(this.ctx, 'recording the start of a run', false, async (client) => {
      if (day !== this.lastDay && this.keepDays > 0) {
        const cutoff = new Date(Date.parse(`${day}T00:00:00Z`) - this.keepDays * 86_400_000).toISOString();
        await client.query('DELETE FROM runs WHERE started_at < $1::timestamptz', [cutoff]);
      }
      await insertRuns(client, this.ctx.agent, [record]);
    });
    this.lastDay = day;
    return { ...record };
  }

  async finish(id: string, outcome: RunOutcome): Promise<void> {
    const finished = { endedAt: new Date().toISOString(), ...outcome };
    await transaction(this.ctx, 'recording the end of a run', true, (client) =>
      client.query('UPDATE runs SET result = coalesce($2, result), record = record || $3::jsonb WHERE id = $1', [id, finished.result ?? null, JSON.stringify(finished)]),
    );
    crashPoint('history.finished');
  }

  async recent(limit: number): Promise<RunRecord[]> {
    return (await this.query({ limit })).runs;
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const found = await read<{ record: RunRecord }>(this.ctx, 'reading a run', 'SELECT record FROM runs WHERE id = $1', [id]);
    return found.rows[0]?.record;
  }

  async query(query: RunQuery): Promise<RunPage> {
    const { where, values } = whereOf(query);
    const limit = limitOf(query.limit ?? 50);
    const offset = query.offset ?? 0;
    const [page, total] = await Promise.all([
      read<{ record: RunRecord }>(this.ctx, 'reading the run history', `SELECT record FROM runs ${where} ORDER BY started_at DESC, seq DESC LIMIT $${values.length + 1} OFFSET $${values.length + 2}`, [...values, limit, offset]),
      read<{ n: string }>(this.ctx, 'counting the run history', `SELECT count(*) AS n FROM runs ${where}`, values),
    ]);
    return { runs: page.rows.map((r) => r.record), total: Number(total.rows[0]?.n ?? 0) };
  }

  /** Nothing to set aside: the server keeps the rows whole. */
  setAsideIfDamaged(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
}
