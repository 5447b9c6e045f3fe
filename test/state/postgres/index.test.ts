// The PostgreSQL state store as a whole: one process per agent name (a session advisory lock, freed
// when its connection goes), recover() migrating and closing this agent's own runs a dead process
// left running, and an unreachable server reported as DW_STATE_UNAVAILABLE without the password.
import { describe, expect, it } from 'vitest';
import { openPostgresStateStore } from '../../../src/state/postgres/index.js';
import { MIGRATIONS } from '../../../src/state/postgres/migrations.js';
import { testSchema } from '../../support/postgres.js';
import { postgresState } from '../contract/backends.js';

describe('PostgreSQL state store', () => {
  it('lets one process at a time work as an agent name; other names and a closed lock are free', async () => {
    const { open } = await postgresState();
    const first = open({ agent: 'agent-1' });
    await first.lock('start');
    await expect(open({ agent: 'agent-1' }).lock('run')).rejects.toMatchObject({ code: 'DW_LOCKED', message: expect.stringContaining('"agent-1"') });
    await open({ agent: 'agent-2' }).lock('start');
    expect(await first.lock('start')).toEqual({});
    await first.unlock();
    await open({ agent: 'agent-1' }).lock('run');
  });

  it('frees the lock of a process whose connection dropped (it died)', async () => {
    const { schema, open } = await postgresState();
    await open({ agent: 'agent-1' }).lock('start');
    await schema.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dropwise agent-1 (lock)' AND query ILIKE '%advisory%'`);
    await expect.poll(async () => open({ agent: 'agent-1' }).lock('start').then(() => 'taken', (e: { code?: string }) => e.code), { timeout: 5000 }).toBe('taken');
  });

  it('recover() migrates a new schema and closes only this agent\'s runs left running by a gone process', async () => {
    const schema = await testSchema('store');
    const open = (agent: string) => openPostgresStateStore({ postgres: { url: schema.url, poolSize: 2, schema: schema.schema }, agent });
    const first = open('agent-1');
    try {
      await first.lock('start');
      expect(await first.recover()).toEqual({ interrupted: [], tempsRemoved: 0 });
      const versions = await schema.query(`SELECT max(version)::int AS v FROM ${schema.schema}.schema_migrations`);
      expect(versions.rows[0]?.['v']).toBe(MIGRATIONS.length);
      const gone = { pid: 2 ** 22 + 17, hostname: 'another-host' };
      const mine = await first.runs.start({ task: 't', trigger: 'file', owner: gone });
      const live = await first.runs.start({ task: 't', trigger: 'cli', owner: { pid: process.pid, hostname: (await import('node:os')).hostname() } });
      await first.close();
      const other = open('agent-2');
      const theirs = await other.runs.start({ task: 't', trigger: 'file', owner: gone });

      const second = open('agent-1');
      await second.lock('start');
      const { interrupted } = await second.recover();
      expect(interrupted.map((r) => r.id)).toEqual([mine.id]);
      expect((await second.runs.get(mine.id))?.result).toBe('interrupted');
      expect((await second.runs.get(live.id))?.result).toBe('running');
      expect((await second.runs.get(theirs.id))?.result).toBe('running');
      await second.close();
      await other.close();
    } finally {
      await first.close();
      await schema.drop();
    }
  });

  it('reports an unreachable server as DW_STATE_UNAVAILABLE (kept for retry), never with the password', async () => {
    const store = openPostgresStateStore({ postgres: { url: 'postgres://u:s3cret-pw@127.0.0.1:1/db', poolSize: 1, schema: 'x' }, agent: 'a' });
    try {
      for (const call of [() => store.truth.get('cw', 'e', 'x'), () => store.truth.putMany([{ connection: 'cw', entity: 'e', externalId: 'x', id: 1, hash: 'h', created: 'a', modified: 'a' }]), () => store.runs.query({}), () => store.lock('start')]) {
        const err = (await call().catch((e: unknown) => e)) as { code: string; message: string; retryable: boolean };
        expect(err.code).toBe('DW_STATE_UNAVAILABLE');
        expect(err.message).not.toContain('s3cret-pw');
      }
    } finally {
      await store.close();
    }
  });
});
