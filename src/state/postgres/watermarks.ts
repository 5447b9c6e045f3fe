// Watermarks in PostgreSQL: one row per task key. A set locks the row, moves each value forward only
// (advanceWatermarks, the local store's rule) and writes it back in the same transaction, so two agents
// finishing runs of one task in either order leave the later date.
import { advanceWatermarks } from '../watermarks.js';
import type { WatermarkStore } from '../store.js';
import { read, transaction, type PgStateContext } from './transaction.js';

export class PgWatermarks implements WatermarkStore {
  constructor(private readonly ctx: PgStateContext) {}

  async get(taskKey: string): Promise<Record<string, string>> {
    const found = await read<{ values: Record<string, string> }>(this.ctx, 'reading the watermarks', 'SELECT "values" FROM watermarks WHERE task_key = $1', [taskKey]);
    return { ...(found.rows[0]?.values ?? {}) };
  }

  set(taskKey: string, values: Record<string, string>): Promise<void> {
    return transaction(this.ctx, `advancing the watermarks of ${taskKey}`, true, async (client) => {
      // The row exists before it is locked, so two first sets of a key serialise on it too.
      await client.query(`INSERT INTO watermarks (task_key, "values") VALUES ($1, '{}') ON CONFLICT (task_key) DO NOTHING`, [taskKey]);
      const stored = await client.query<{ values: Record<string, string> }>('SELECT "values" FROM watermarks WHERE task_key = $1 FOR UPDATE', [taskKey]);
      const next = advanceWatermarks(stored.rows[0]?.values ?? {}, values);
      await client.query('UPDATE watermarks SET "values" = $2, updated_at = now() WHERE task_key = $1', [taskKey, next]);
    });
  }

  async all(): Promise<Record<string, Record<string, string>>> {
    const found = await read<{ task_key: string; values: Record<string, string> }>(this.ctx, 'reading the watermarks', 'SELECT task_key, "values" FROM watermarks ORDER BY task_key');
    return Object.fromEntries(found.rows.map((r) => [r.task_key, r.values]));
  }
}
