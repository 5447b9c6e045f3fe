// A schema of its own for a test, on the run's PostgreSQL server (./postgres-server.ts): tests in
// parallel never see each other's tables. Dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function testPgUrl(): string {
  const url = process.env['DROPWISE_TEST_PG_URL'];
  if (!url) throw new Error('DROPWISE_TEST_PG_URL is not set: the global setup (test/support/postgres-server.ts) starts the server');
  return url;
}

export interface TestSchema {
  url: string;
  schema: string;
  /** Runs SQL as the test, outside dropwise (to look at or change the state behind its back). */
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<T>>;
  drop(): Promise<void>;
}

/** A new, empty schema name (not created: dropwise creates it at migration). */
export async function testSchema(prefix = 't'): Promise<TestSchema> {
  const url = testPgUrl();
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  return {
    url,
    schema,
    query: (sql, values) => pool.query(sql, values),
    async drop() {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    },
  };
}
