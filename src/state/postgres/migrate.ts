// Versioned migrations of the PostgreSQL state schema. Each runs in one transaction with its version
// row, so a migration is applied whole or not at all; agents starting together serialise on an
// advisory lock; a schema migrated by a newer dropwise is refused rather than written in a shape this
// version does not know.
import type pg from 'pg';
import { DropwiseError } from '../../errors.js';
import { stateError } from './pool.js';

export interface Migration {
  /** 1, 2, 3…: applied in this order, each once. */
  version: number;
  /** What it does, in a few words (kept in the schema_migrations table). */
  name: string;
  /** The statements, run in one transaction in the state schema. */
  sql: string;
}

export interface MigrationResult {
  /** The schema's version before and after. */
  from: number;
  to: number;
  /** The migrations just applied. */
  applied: Migration[];
}

/** Creates the schema when missing and applies the migrations it lacks. */
export async function migrate(pool: pg.Pool, schema: string, migrations: readonly Migration[]): Promise<MigrationResult> {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw stateError(err, 'connecting to migrate the schema');
  }
  try {
    // One key per schema: agents of other tenants (other schemas) do not wait for each other.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`dropwise.migrate.${schema}`]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const found = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0)::int AS version FROM ${schema}.schema_migrations`);
      const from = found.rows[0]?.version ?? 0;
      if (from > latest) {
        throw new DropwiseError('DW_STATE_SCHEMA', `The state schema "${schema}" is at version ${from}, newer than this dropwise knows (${latest})`, {
          hint: 'Run the same (newest) dropwise version on every agent sharing this state',
        });
      }
      const applied: Migration[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (migration.version <= from) continue;
        try {
          await client.query('BEGIN');
          await client.query(`SET LOCAL search_path TO ${schema}`);
          await client.query(migration.sql);
          await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          if (err instanceof DropwiseError) throw err;
          const failed = stateError(err, `applying migration ${migration.version} (${migration.name})`);
          if (failed.code === 'DW_STATE_UNAVAILABLE') throw failed;
          throw new DropwiseError('DW_STATE_SCHEMA', `Migration ${migration.version} (${migration.name}) of the state schema "${schema}" failed: ${(err as Error).message}`, {
            hint: 'Nothing of it was applied; fix the cause named above (rights to create tables in the schema?) and start again',
            cause: err,
          });
        }
        applied.push(migration);
      }
      return { from, to: Math.max(from, ...applied.map((m) => m.version)), applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`dropwise.migrate.${schema}`]).catch(() => undefined);
    }
  } catch (err) {
    throw stateError(err, 'migrating the schema');
  } finally {
    client.release();
  }
}
