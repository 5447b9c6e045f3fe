// Who did what from any agent's dashboard or API, in PostgreSQL: one row per action, newest first.
// Not fenced: it records what a person asked for, which stays true whichever agent holds the work.
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ActionEntry, ActionLog } from '../store.js';
import { limitOf, read, transaction, type PgStateContext } from './transaction.js';

/** The id of an action copied from a local actions.jsonl: its content, so a second copy adds nothing. */
export const copiedActionId = (entry: ActionEntry): string => `local-${createHash('sha1').update(JSON.stringify(entry)).digest('hex')}`;

/** Inserts actions with their ids; one already there is left alone. */
export async function insertActions(client: pg.ClientBase, agent: string, actions: readonly { id: string; entry: ActionEntry }[]): Promise<number> {
  if (actions.length === 0) return 0;
  const done = await client.query(
    `INSERT INTO actions (id, at, agent, entry)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::jsonb[]) ORDER BY 2
     ON CONFLICT (id) DO NOTHING`,
    [actions.map((a) => a.id), actions.map((a) => a.entry.at), actions.map(() => agent), actions.map((a) => JSON.stringify(a.entry))],
  );
  return done.rowCount ?? 0;
}

export class PgActionLog implements ActionLog {
  constructor(private readonly ctx: PgStateContext) {}

  async add(entry: Omit<ActionEntry, 'at'>): Promise<ActionEntry> {
    const full: ActionEntry = { at: new Date().toISOString(), ...entry };
    await transaction(this.ctx, 'recording an action', false, (client) => insertActions(client, this.ctx.agent, [{ id: randomUUID(), entry: full }]));
    return { ...full };
  }

  async recent(limit: number): Promise<ActionEntry[]> {
    const found = await read<{ entry: ActionEntry }>(this.ctx, 'reading the action log', 'SELECT entry FROM actions ORDER BY at DESC, seq DESC LIMIT $1', [limitOf(limit)]);
    return found.rows.map((r) => r.entry);
  }
}
