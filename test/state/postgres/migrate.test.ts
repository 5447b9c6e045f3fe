import { afterEach, describe, expect, it } from 'vitest';
import { DropwiseError } from '../../../src/errors.js';
import { migrate, type Migration } from '../../../src/state/postgres/migrate.js';
import { openPool } from '../../../src/state/postgres/pool.js';
import { testSchema, type TestSchema } from '../../support/postgres.js';

const ONE: Migration = { version: 1, name: 'a table', sql: 'CREATE TABLE a (id integer PRIMARY KEY)' };
const TWO: Migration = { version: 2, name: 'a column', sql: 'ALTER TABLE a ADD COLUMN v text' };

describe('migrate', () => {
  const opened: { schema: TestSchema; end: () => Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.end();
      await o.schema.drop();
    }
  });
  async function fresh() {
    const schema = await testSchema('mig');
    const pool = openPool({ url: schema.url, poolSize: 4, schema: schema.schema }, { applicationName: 'test' });
    opened.push({ schema, end: () => pool.end() });
    return { schema, pool };
  }

  it('creates the schema, applies each migration once, in order, and records it', async () => {
    const { schema, pool } = await fresh();
    expect(await migrate(pool, schema.schema, [TWO, ONE])).toMatchObject({ from: 0, to: 2, applied: [ONE, TWO] });
    expect(await migrate(pool, schema.schema, [ONE, TWO])).toEqual({ from: 2, to: 2, applied: [] });
    const rows = await schema.query(`SELECT version, name FROM ${schema.schema}.schema_migrations ORDER BY version`);
    expect(rows.rows).toEqual([{ version: 1, name: 'a table' }, { version: 2, name: 'a column' }]);
    await schema.query(`INSERT INTO ${schema.schema}.a (id, v) VALUES (1, 'x')`);
  });

  it('applies a failing migration not at all and says which one failed', async () => {
    const { schema, pool } = await fresh();
    const bad: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE b (id integer); SELECT * FROM no_such_table' };
    const err = await migrate(pool, schema.schema, [ONE, bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DropwiseError);
    expect((err as DropwiseError).code).toBe('DW_STATE_SCHEMA');
    expect((err as DropwiseError).message).toMatch(/Migration 2 \(broken\).*no_such_table/);
    const tables = await schema.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema.schema]);
    expect(tables.rows.map((r) => r['table_name'])).toEqual(['a', 'schema_migrations']);
  });

  it('refuses a schema migrated by a newer dropwise', async () => {
    const { schema, pool } = await fresh();
    await migrate(pool, schema.schema, [ONE, TWO]);
    const err = await migrate(pool, schema.schema, [ONE]).catch((e: unknown) => e);
    expect((err as DropwiseError).code).toBe('DW_STATE_SCHEMA');
    expect((err as DropwiseError).message).toMatch(/at version 2, newer than this dropwise knows \(1\)/);
  });

  it('lets agents starting together migrate once between them', async () => {
    const { schema, pool } = await fresh();
    const results = await Promise.all([1, 2, 3].map(() => migrate(pool, schema.schema, [ONE, TWO])));
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, 2]);
  });

  it('reports an unreachable server as DW_STATE_UNAVAILABLE, without the password', async () => {
    const pool = openPool({ url: 'postgres://u:s3cret-pw@127.0.0.1:1/db', poolSize: 1, schema: 'x' }, { applicationName: 'test' });
    const err = await migrate(pool, 'x', [ONE]).catch((e: unknown) => e);
    await pool.end();
    expect((err as DropwiseError).code).toBe('DW_STATE_UNAVAILABLE');
    expect((err as DropwiseError).message).not.toContain('s3cret-pw');
  });
});

describe('the state schema', () => {
  it('migrates an empty schema to the latest version', async () => {
    const { MIGRATIONS } = await import('../../../src/state/postgres/migrations.js');
    const schema = await testSchema('mig');
    const pool = openPool({ url: schema.url, poolSize: 2, schema: schema.schema }, { applicationName: 'test' });
    try {
      const result = await migrate(pool, schema.schema, MIGRATIONS);
      expect(result.to).toBe(MIGRATIONS.length);
      const tables = await schema.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema.schema]);
      expect(tables.rows.map((r) => r['table_name'])).toEqual(expect.arrayContaining(['runs', 'truth', 'watermarks', 'agents', 'schedule_fires']));
    } finally {
      await pool.end();
      await schema.drop();
    }
  });
});
