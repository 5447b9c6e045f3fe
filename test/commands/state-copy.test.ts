// dropwise state copy --from local --to postgres, through the built CLI against the test server: every
// kind of local state arrives (truth entries with their first created, watermarks moved forward only,
// runs with an artifact pointed at its copy, failed records, actions), a second copy adds nothing, and
// it is refused while an agent holds the local state.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/index.js';
import { openPostgresStateStore } from '../../src/state/postgres/index.js';
import { runCli } from '../support/cli.js';
import { postgresConfig } from '../support/postgres-config.js';

const truth = (externalId: string, id: number, created: string) => ({ connection: 'cw', entity: 'invoicePayment', externalId, id, hash: 'h', created, modified: created });

async function seedLocalState(stateDir: string) {
  const local = openStateStore(stateDir);
  await local.lock('start');
  await local.truth.putMany(Array.from({ length: 300 }, (_, i) => truth(`PAY-${i}`, i + 1, '2026-01-01')));
  await local.watermarks.set('nightly', { dateModified: '2026-06-01T00:00:00Z', dateModifiedSetting: '' });
  await local.watermarks.set('weekly', { dateCreated: '2026-01-01T00:00:00Z' });
  const gl = await local.runs.start({ task: 'connectwise.export-gl-batch', trigger: 'schedule', taskName: 'gl' });
  const ids = await local.artifacts(gl.id).create('gl-entry-ids', 20);
  await ids.write('7\n8\n9\n');
  const idsFile = await ids.commit();
  await local.runs.finish(gl.id, { result: 'success', details: { glEntryIdCount: 3, glEntryIdsFile: idsFile } });
  const imp = await local.runs.start({ task: 'connectwise.import-invoice-payments', trigger: 'file', file: 'p.xml' });
  await local.runs.finish(imp.id, { result: 'partial', recordsIn: 2, recordsOk: 1, recordsFailed: 1 });
  await local.failures.add([{ runId: imp.id, task: imp.task, file: 'p.xml', failFile: '/fail/p_fail.xml', index: 1, record: '<x/>', invoiceId: '501', errors: [{ code: 'DW_CW_NOT_FOUND', message: 'no invoice 501' }] }]);
  await local.actions.add({ who: 'local', action: 'pause', outcome: 'paused' });
  await local.actions.add({ who: 'local', action: 'resume', outcome: 'taking files' });
  await local.close();
  return { gl, imp };
}

describe('dropwise state copy', () => {
  it('copies every kind of local state, keeping the later watermark, and a second copy adds nothing', async () => {
    const { schema, dir, config, env } = await postgresConfig();
    const stateDir = path.join(dir, 'state');
    const { gl, imp } = await seedLocalState(stateDir);
    // Already in PostgreSQL: a later watermark (another agent ran meanwhile) and an entry created earlier.
    const target = openPostgresStateStore({ postgres: { url: schema.url, poolSize: 2, schema: schema.schema }, agent: 'agent-2' });
    try {
      expect((await runCli(['state', 'migrate', '--config', config], { env })).code).toBe(0);
      await target.watermarks.set('nightly', { dateModified: '2026-07-01T00:00:00Z' });
      await target.truth.putMany([truth('PAY-0', 1, '2025-12-01')]);

      const first = await runCli(['state', 'copy', '--from', 'local', '--to', 'postgres', '--config', config], { env });
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/truth table entries +300/);
      expect(first.stdout).toMatch(/watermark task keys +2/);
      expect(first.stdout).toMatch(/runs +2 \(2 new\)/);
      expect(first.stdout).toMatch(/failed records +1 \(1 new\)/);
      expect(first.stdout).toMatch(/actions +2 \(2 new\)/);
      expect(first.stdout).toMatch(/run artifacts +1 \(1 new\)/);

      expect(await target.truth.count()).toBe(300);
      expect(await target.truth.get('cw', 'invoicePayment', 'PAY-0')).toMatchObject({ id: 1, created: '2025-12-01' });
      expect((await target.truth.get('cw', 'invoicePayment', 'PAY-299'))?.id).toBe(300);
      expect(await target.watermarks.all()).toEqual({ nightly: { dateModified: '2026-07-01T00:00:00Z', dateModifiedSetting: '' }, weekly: { dateCreated: '2026-01-01T00:00:00Z' } });
      const runs = await target.runs.recent(10);
      expect(runs.map((r) => [r.id, r.agent])).toEqual([[imp.id, 'agent-1'], [gl.id, 'agent-1']]);
      const copiedGl = await target.runs.get(gl.id);
      expect(copiedGl?.details?.['glEntryIdsFile']).toBe(`postgres:run_artifacts/gl-entry-ids/${gl.id}`);
      expect(await target.artifacts('any').read(copiedGl?.details?.['glEntryIdsFile'] as string)).toBe('7\n8\n9\n');
      expect((await target.failures.search({ text: '501' })).records).toMatchObject([{ runId: imp.id, invoiceId: '501' }]);
      expect((await target.actions.recent(5)).map((a) => a.action)).toEqual(['resume', 'pause']);

      const second = await runCli(['state', 'copy', '--from', 'local', '--to', 'postgres', '--config', config], { env });
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/runs +2 \(0 new\)/);
      expect(second.stdout).toMatch(/failed records +1 \(0 new\)/);
      expect(second.stdout).toMatch(/actions +2 \(0 new\)/);
      expect(second.stdout).toMatch(/run artifacts +1 \(0 new\)/);
      expect(await target.truth.count()).toBe(300);
      expect((await target.runs.query({})).total).toBe(2);
      expect((await target.actions.recent(10)).length).toBe(2);
      // The local state is only read.
      expect(fs.existsSync(path.join(stateDir, 'dropwise.lock'))).toBe(false);

      // status reads the configured (PostgreSQL) state: the copied runs, with their agent.
      const status = await runCli(['status', '--json', '--config', config], { env });
      expect(status.stderr).toBe('');
      expect(status.code).toBe(0);
      const shown = JSON.parse(status.stdout) as { runs: { id: string; agent?: string }[] };
      expect(shown.runs.map((r) => [r.id, r.agent])).toEqual([[imp.id, 'agent-1'], [gl.id, 'agent-1']]);
    } finally {
      await target.close();
    }
  });

  it('is refused while an agent holds the local state, copying nothing', async () => {
    const { schema, dir, config, env } = await postgresConfig();
    const agent = openStateStore(path.join(dir, 'state'));
    await agent.lock('start');
    try {
      const refused = await runCli(['state', 'copy', '--from', 'local', '--to', 'postgres', '--config', config], { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('DW_LOCKED');
      expect(refused.stderr).toContain(`dropwise start (pid ${process.pid}`);
      const runs = await schema.query(`SELECT count(*)::int AS n FROM ${schema.schema}.runs`);
      expect(runs.rows[0]?.['n']).toBe(0);
    } finally {
      await agent.close();
    }
  });

  it('takes only --from local and --to postgres, and says so in --help', async () => {
    const wrong = await runCli(['state', 'copy', '--from', 'postgres', '--to', 'local']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/Allowed choices are local/);
    const help = await runCli(['state', 'copy', '--help']);
    expect(help.stdout).toContain('Example:');
    expect(help.stdout).toContain('a second copy changes nothing');
  });
});
