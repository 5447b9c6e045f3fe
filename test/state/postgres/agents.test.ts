// The agent registry and PgCoordination against a real PostgreSQL server: generations, leases,
// adoption races, the fence a write in flight holds, schedule fire times claimed once.
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DropwiseError } from '../../../src/errors.js';
import { AgentRegistry } from '../../../src/state/postgres/agents.js';
import { PgCoordination } from '../../../src/state/postgres/coordination.js';
import { migrate } from '../../../src/state/postgres/migrate.js';
import { MIGRATIONS } from '../../../src/state/postgres/migrations.js';
import { openPool } from '../../../src/state/postgres/pool.js';
import type { AgentRegistration } from '../../../src/state/store.js';
import { testSchema, type TestSchema } from '../../support/postgres.js';

const LEASE = 30;

function registration(name: string): AgentRegistration {
  return { name, host: 'host-1', pid: 1234, version: '2.0.0', workDir: `/shared/work/${name}` };
}

describe('agent registry (PostgreSQL)', () => {
  const opened: { schema: TestSchema; pool: pg.Pool }[] = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.pool.end();
      await o.schema.drop();
    }
  });
  async function fresh(): Promise<{ schema: TestSchema; pool: pg.Pool; expire: (name: string) => Promise<void> }> {
    const schema = await testSchema('agents');
    const pool = openPool({ url: schema.url, poolSize: 6, schema: schema.schema }, { applicationName: 'test' });
    opened.push({ schema, pool });
    await migrate(pool, schema.schema, MIGRATIONS);
    // A lease run out, without waiting for it: the server's clock is what every agent measures by.
    const expire = async (name: string) => {
      await schema.query(`UPDATE ${schema.schema}.agents SET lease_until = now() - interval '1 second' WHERE name = $1`, [name]);
    };
    return { schema, pool, expire };
  }

  it('gives a new generation at every registration and renews the lease under it', async () => {
    const { pool } = await fresh();
    const registry = new AgentRegistry(pool);
    const first = await registry.register(registration('a'), LEASE);
    expect(first.generation).toBe(1);
    expect(first.leaseUntil.getTime()).toBeGreaterThan(Date.now() + (LEASE - 5) * 1000);
    expect((await registry.register(registration('a'), LEASE)).generation).toBe(2);
    await registry.register(registration('b'), LEASE);
    const beat = await registry.heartbeat('a', 2, LEASE);
    expect(beat.liveAgents).toBe(2);
    const [a, b] = await registry.list();
    expect(a).toMatchObject({ name: 'a', generation: 2, live: true, host: 'host-1', pid: 1234, workDir: '/shared/work/a', nothingLeft: false });
    expect(b).toMatchObject({ name: 'b', generation: 1, live: true });
    // The old generation is fenced off.
    await expect(registry.heartbeat('a', 1, LEASE)).rejects.toMatchObject({ code: 'DW_FENCED' });
  });

  it('lists an agent whose lease expired as adoptable, unless it stopped cleanly with nothing left', async () => {
    const { pool, expire } = await fresh();
    const registry = new AgentRegistry(pool);
    for (const name of ['a', 'dead', 'clean', 'left-work']) await registry.register(registration(name), LEASE);
    expect(await registry.adoptable('a')).toEqual([]);
    await expire('dead');
    await registry.stop('clean', 1, true);
    await registry.stop('left-work', 1, false);
    expect((await registry.adoptable('a')).map((r) => r.name)).toEqual(['dead', 'left-work']);
    // Never itself.
    expect((await registry.adoptable('dead')).map((r) => r.name)).toEqual(['left-work']);
    const beat = await registry.heartbeat('a', 1, LEASE);
    expect(beat.liveAgents).toBe(1);
    expect((await registry.list()).filter((r) => r.live).map((r) => r.name)).toEqual(['a']);
  });

  it('lets exactly one of several adopters win, and fences the dead agent off', async () => {
    const { pool, expire } = await fresh();
    const coordinations = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const c = new PgCoordination(pool, LEASE);
        await c.register(registration(name));
        return c;
      }),
    );
    const dead = new PgCoordination(pool, LEASE);
    await dead.register(registration('dead'));
    await expire('dead');
    const listed = await Promise.all(coordinations.map((c) => c.adoptable()));
    for (const l of listed) expect(l.map((r) => r.name)).toEqual(['dead']);
    const won = await Promise.all(coordinations.map((c, i) => c.adopt(listed[i]![0]!)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = ['a', 'b', 'c'][won.indexOf(true)];
    const err = await dead.heartbeat().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DropwiseError);
    expect((err as DropwiseError).code).toBe('DW_FENCED');
    expect((err as DropwiseError).message).toContain(`by agent ${winner}`);
    // Adopted by a live agent: no one else takes it; once its files are moved, not even after the adopter dies.
    for (const [i, c] of coordinations.entries()) expect((await c.adoptable()).map((r) => r.name)).toEqual(won[i] ? ['dead'] : []);
    await expire(winner!);
    const others = coordinations.filter((_, i) => !won[i]);
    expect((await others[0]!.adoptable()).map((r) => r.name).sort()).toEqual(['dead', winner].sort());
    await coordinations[won.indexOf(true)]!.adopted((await dead.agents()).find((r) => r.name === 'dead')!);
    expect((await others[0]!.adoptable()).map((r) => r.name)).toEqual([winner]);
    // The dead agent comes back: a new generation, nothing adopted any more.
    const back = await dead.register(registration('dead'));
    expect(back.generation).toBe(3);
    expect((await dead.agents()).find((r) => r.name === 'dead')).toMatchObject({ live: true, nothingLeft: false });
    expect((await dead.agents()).find((r) => r.name === 'dead')?.adoptedBy).toBeUndefined();
  });

  it('refuses an adoption when the dead agent renewed its lease since it was listed', async () => {
    const { pool, expire } = await fresh();
    const adopter = new PgCoordination(pool, LEASE);
    await adopter.register(registration('a'));
    const late = new PgCoordination(pool, LEASE);
    await late.register(registration('late'));
    await expire('late');
    const [listed] = await adopter.adoptable();
    await late.heartbeat();
    expect(await adopter.adopt(listed!)).toBe(false);
    await late.heartbeat();
  });

  it('holds the fence while a placement runs: an adoption waits for it, and a fenced agent places nothing', async () => {
    const { pool, expire } = await fresh();
    const adopter = new PgCoordination(pool, LEASE);
    await adopter.register(registration('a'));
    const dead = new PgCoordination(pool, LEASE);
    await dead.register(registration('dead'));
    await expire('dead');
    const [listed] = await adopter.adoptable();
    const order: string[] = [];
    let release: () => void = () => undefined;
    const placing = dead.holding('placing an output', async () => {
      order.push('placement started');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('placement done');
    });
    while (order.length === 0) await new Promise((r) => setTimeout(r, 10));
    const adoption = adopter.adopt(listed!).then((won) => {
      order.push(`adopted: ${won}`);
      return won;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(order).toEqual(['placement started']);
    release();
    await placing;
    expect(await adoption).toBe(true);
    expect(order).toEqual(['placement started', 'placement done', 'adopted: true']);
    let ran = false;
    await expect(dead.holding('placing an output', async () => void (ran = true))).rejects.toMatchObject({ code: 'DW_FENCED' });
    expect(ran).toBe(false);
  });

  it('makes the adoption wait for a write the dead agent has in flight, and refuses every later one', async () => {
    const { pool, schema, expire } = await fresh();
    const registry = new AgentRegistry(pool);
    await registry.register(registration('a'), LEASE);
    await registry.register(registration('dead'), LEASE);
    await expire('dead');
    const [listed] = await registry.adoptable('a');
    const writer = await pool.connect();
    try {
      // The state stores' fence check, as the start of the dead agent's durable write (one that began just before its lease ran out).
      await writer.query('BEGIN');
      expect((await writer.query('SELECT 1 FROM agents WHERE name = $1 AND generation = $2 FOR SHARE', ['dead', 1])).rowCount).toBe(1);
      let settled = false;
      const adoption = registry.adopt(listed!, 'a').then((won) => {
        settled = true;
        return won;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(settled, 'the adoption waits for the write in flight').toBe(false);
      await writer.query('COMMIT');
      expect(await adoption).toBe(true);
      await writer.query('BEGIN');
      expect((await writer.query('SELECT 1 FROM agents WHERE name = $1 AND generation = $2 FOR SHARE', ['dead', 1])).rowCount).toBe(0);
      await writer.query('COMMIT');
    } finally {
      writer.release();
    }
    const rows = await schema.query(`SELECT generation, adopted_by FROM ${schema.schema}.agents WHERE name = 'dead'`);
    expect(rows.rows).toEqual([{ generation: '2', adopted_by: 'a' }]);
  });

  it('claims each fire time of a task for exactly one agent', async () => {
    const { pool, schema } = await fresh();
    const agents = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const c = new PgCoordination(pool, LEASE);
        await c.register(registration(name));
        return c;
      }),
    );
    const at = new Date('2026-12-02T00:00:00.000Z');
    const next = new Date('2026-12-02T00:00:05.000Z');
    const claims = await Promise.all([...agents.map((c) => c.claimFire('export', at)), ...agents.map((c) => c.claimFire('export', next)), agents[0]!.claimFire('other', at)]);
    expect(claims.slice(0, 3).filter((c) => c.run)).toHaveLength(1);
    expect(claims.slice(3, 6).filter((c) => c.run)).toHaveLength(1);
    expect(claims[6]).toEqual({ run: true });
    const rows = await schema.query(`SELECT task, fire_at FROM ${schema.schema}.schedule_fires ORDER BY task, fire_at`);
    expect(rows.rows.map((r) => `${r['task'] as string} ${(r['fire_at'] as Date).toISOString()}`)).toEqual(['export 2026-12-02T00:00:00.000Z', 'export 2026-12-02T00:00:05.000Z', 'other 2026-12-02T00:00:00.000Z']);
  });

  it('skips a fire time, claimed, while a run of the task still goes on a live agent (no overlapping runs)', async () => {
    const { pool, schema, expire } = await fresh();
    const [a, b] = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const c = new PgCoordination(pool, LEASE);
        await c.register(registration(name));
        return c;
      }),
    );
    let runs = 0;
    const running = (agent: string, result: string) =>
      schema.query(`INSERT INTO ${schema.schema}.runs (id, agent, task, task_name, result, started_at, record) VALUES ($1, $2, 'connectwise.export-invoices', 'export', $3, now(), '{}')`, [`${agent}-${++runs}`, agent, result]);
    await running('a', 'running');
    await running('b', 'success');
    const times = [0, 5, 10, 15].map((s) => new Date(Date.UTC(2026, 11, 2, 0, 0, s)));
    expect(await b!.claimFire('export', times[0]!)).toEqual({ run: false, runningOn: 'a' });
    // Claimed all the same: no agent runs that time late, once the run has ended.
    expect(await a!.claimFire('export', times[0]!)).toEqual({ run: false });
    expect(await b!.claimFire('other', times[0]!)).toEqual({ run: true });
    await schema.query(`UPDATE ${schema.schema}.runs SET result = 'success' WHERE id = 'a-1'`);
    expect(await b!.claimFire('export', times[1]!)).toEqual({ run: true });
    // A run left running by an agent whose lease ran out is no run: that agent is dead.
    await running('a', 'running');
    await expire('a');
    expect(await b!.claimFire('export', times[2]!)).toEqual({ run: true });
    const fires = await schema.query(`SELECT count(*)::int AS n FROM ${schema.schema}.schedule_fires WHERE task = 'export'`);
    expect(fires.rows[0]?.['n']).toBe(3);
  });

  it('says the store is unreachable as DW_STATE_UNAVAILABLE', async () => {
    const pool = openPool({ url: 'postgres://x:y@127.0.0.1:1/none', poolSize: 1, schema: 'nowhere' }, { applicationName: 'test' });
    try {
      await expect(new AgentRegistry(pool).heartbeat('a', 1, LEASE)).rejects.toMatchObject({ code: 'DW_STATE_UNAVAILABLE' });
    } finally {
      await pool.end();
    }
  });
});
