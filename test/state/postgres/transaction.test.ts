// Fencing: every durable write of truth entries, watermarks, a run's finish and failed records checks
// the agent's lease generation in its transaction; once another agent bumped it (adoption), each of
// them is refused with DW_FENCED and nothing of it is written.
import { describe, expect, it } from 'vitest';
import type { Fence } from '../../../src/state/index.js';
import { postgresState } from '../contract/backends.js';

async function fencedStore() {
  const { schema, open } = await postgresState();
  await schema.query(
    `INSERT INTO ${schema.schema}.agents (name, generation, lease_until, host, pid, version, work_dir, started_at, heartbeat_at)
     VALUES ('agent-1', 3, now() + interval '30 seconds', 'h', 1, 'test', '/w', now(), now())`,
  );
  let fence: Fence | undefined = { agent: 'agent-1', generation: 3 };
  const store = open({ agent: 'agent-1', fence: () => fence });
  const adopt = () => schema.query(`UPDATE ${schema.schema}.agents SET generation = generation + 1, adopted_by = 'agent-2' WHERE name = 'agent-1'`);
  return { schema, store, adopt, setFence: (f: Fence | undefined) => (fence = f) };
}

const entry = { connection: 'cw', entity: 'invoicePayment', externalId: 'PAY-1', id: 1, hash: 'h', created: 'a', modified: 'a' };
const failed = { runId: 'r', task: 't', failFile: '/f', index: 0, record: '<x/>', errors: [{ code: 'DW_X', message: 'm' }] };

describe('fencing (postgres)', () => {
  it('lets writes through while the generation is current', async () => {
    const { store } = await fencedStore();
    await store.truth.putMany([entry]);
    await store.watermarks.set('k', { dateCreated: '2026-01-01T00:00:00Z' });
    const run = await store.runs.start({ task: 't', trigger: 'cli' });
    await store.runs.finish(run.id, { result: 'success' });
    await store.failures.add([failed]);
    expect(await store.truth.count()).toBe(1);
    expect((await store.runs.get(run.id))?.result).toBe('success');
  });

  it('refuses every fenced write once another agent adopted the work, writing nothing', async () => {
    const { store, adopt } = await fencedStore();
    const run = await store.runs.start({ task: 't', trigger: 'cli' });
    await adopt();
    for (const write of [
      () => store.truth.putMany([entry]),
      () => store.watermarks.set('k', { dateCreated: '2026-01-01T00:00:00Z' }),
      () => store.runs.finish(run.id, { result: 'success' }),
      () => store.failures.add([failed]),
    ]) {
      await expect(write()).rejects.toMatchObject({ code: 'DW_FENCED', message: expect.stringContaining('agent-1 no longer holds its lease (generation 3)') });
    }
    expect(await store.truth.count()).toBe(0);
    expect(await store.watermarks.all()).toEqual({});
    expect((await store.runs.get(run.id))?.result).toBe('running');
    expect((await store.failures.search()).total).toBe(0);
  });

  it('checks nothing when no fence is given (no coordination yet, or state copy)', async () => {
    const { store, adopt, setFence } = await fencedStore();
    await adopt();
    setFence(undefined);
    await store.truth.putMany([entry]);
    expect(await store.truth.count()).toBe(1);
  });

  it('an adoption waits for a write in flight, and the write after it is refused', async () => {
    const { store, adopt } = await fencedStore();
    const entries = Array.from({ length: 2000 }, (_, i) => ({ ...entry, externalId: `P-${i}`, id: i }));
    const writing = store.truth.putMany(entries);
    const adopting = adopt();
    const [written] = await Promise.allSettled([writing, adopting]);
    // Either the write committed before the bump, whole, or it came after and was refused, whole.
    expect([0, 2000]).toContain(await store.truth.count());
    if (written.status === 'rejected') expect(written.reason).toMatchObject({ code: 'DW_FENCED' });
    await expect(store.truth.putMany([{ ...entry, externalId: 'after' }])).rejects.toMatchObject({ code: 'DW_FENCED' });
  });
});
