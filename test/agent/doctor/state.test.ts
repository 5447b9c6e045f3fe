// dropwise doctor's state checks against the run's real PostgreSQL server: a schema not created yet, a
// migrated one with a live agent of the same name, a newer one, and a server that does not answer
// (the password never in a finding).
import { afterEach, describe, expect, it } from 'vitest';
import { checkState } from '../../../src/agent/doctor/state.js';
import type { PostgresStateConfig } from '../../../src/config/state.js';
import { PgCoordination } from '../../../src/state/postgres/coordination.js';
import { migrate } from '../../../src/state/postgres/migrate.js';
import { MIGRATIONS } from '../../../src/state/postgres/migrations.js';
import { openPool } from '../../../src/state/postgres/pool.js';
import { testSchema, type TestSchema } from '../../support/postgres.js';

const schemas: TestSchema[] = [];
afterEach(async () => {
  for (const s of schemas.splice(0)) await s.drop();
});

function configOf(postgres: Pick<PostgresStateConfig, 'url' | 'schema'>, name = 'doctor-agent') {
  return { state: { backend: 'postgres' as const, postgres: { poolSize: 2, leaseSeconds: 30, ...postgres } }, agent: { name, workRoot: '/tmp' } };
}

describe('doctor: the PostgreSQL state', () => {
  it('checks nothing with the local backend', async () => {
    expect(await checkState({ state: { backend: 'local', postgres: { url: '', poolSize: 1, schema: 'dropwise', leaseSeconds: 30 } }, agent: { name: 'a', workRoot: '/tmp' } })).toEqual([]);
  });

  it('reports a schema not created yet, then the latest version and the agents running on it', async () => {
    const schema = await testSchema('doc');
    schemas.push(schema);
    const before = await checkState(configOf(schema));
    expect(before.map((f) => [f.check, f.status])).toEqual([['reachable', 'ok'], ['schema', 'warn']]);
    expect(before[1]?.detail).toContain('no dropwise tables yet');

    const pool = openPool({ url: schema.url, poolSize: 2, schema: schema.schema }, { applicationName: 'test' });
    try {
      await migrate(pool, schema.schema, MIGRATIONS);
      const other = new PgCoordination(pool, 30);
      await other.register({ name: 'agent-7', host: 'host-7', pid: 7, version: '1', workDir: '/w/agent-7' });
      const after = await checkState(configOf(schema));
      expect(after.map((f) => [f.check, f.status])).toEqual([['reachable', 'ok'], ['schema', 'ok'], ['agents', 'ok']]);
      expect(after[2]?.detail).toBe('running now: agent-7 on host-7');
      // The same name as an agent running now: two processes with one name are refused.
      const same = await checkState(configOf(schema, 'agent-7'));
      expect(same[2]).toMatchObject({ check: 'agents', status: 'warn' });

      await schema.query(`INSERT INTO ${schema.schema}.schema_migrations (version, name) VALUES (99, 'from the future')`);
      const newer = await checkState(configOf(schema));
      expect(newer[1]).toMatchObject({ check: 'schema', status: 'fail', detail: `version 99, newer than this dropwise knows (${MIGRATIONS.length})` });
    } finally {
      await pool.end();
    }
  });

  it('reports a server that does not answer, without the password', async () => {
    const findings = await checkState(configOf({ url: 'postgres://dw:hunter2-secret@127.0.0.1:1/db', schema: 'dropwise' }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'reachable', status: 'fail' });
    expect(JSON.stringify(findings)).not.toContain('hunter2-secret');
  });
});
