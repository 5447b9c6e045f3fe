// Retention by age, on real files whose modification times are set back with fs.utimes.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyRetention } from '../../src/agent/retention.js';
import { captureLogger } from '../support/capture-log.js';
import { createTestAgent, filesUnder, makeTempDir, testConfig, waitFor, type TestAgent } from '../support/workspace.js';

const DAY = 86_400_000;

/** Writes `rel` under `dir`, last modified `days` ago. */
async function put(dir: string, rel: string, days: number): Promise<void> {
  const file = path.join(dir, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, rel);
  const when = new Date(Date.now() - days * DAY);
  await fs.utimes(file, when, when);
}

const running: TestAgent[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.agent.stop({ graceMs: 2000 });
});

describe('retention', () => {
  it('deletes what is older than each folder\'s days, keeps the rest, and logs a count per folder', async () => {
    const dir = await makeTempDir();
    const config = testConfig(dir, { retention: { archiveDays: 30, successDays: 7, failDays: 14, artifactDays: 60 } });
    await put(dir, 'archive/2026-01-01/a__old.xml', 40);
    await put(dir, 'archive/2026-01-01/b__old.xml', 31);
    await put(dir, 'archive/2026-02-10/c__new.xml', 29);
    await put(dir, 'outbox/success/old_success.xml', 8);
    await put(dir, 'outbox/success/new_success.xml', 6);
    await put(dir, 'outbox/success/.x1y2.partial', 30);
    // A failed original keeps its own (old) time; its .error.xml, written at the failure, is recent.
    await put(dir, 'outbox/fail/kept.xml', 100);
    await put(dir, 'outbox/fail/kept.xml.error.xml', 2);
    await put(dir, 'outbox/fail/gone.xml', 20);
    await put(dir, 'outbox/fail/gone.xml.error.xml', 15);
    await put(dir, 'state/gl-entry-ids/run-1.txt', 61);
    await put(dir, 'state/gl-entry-ids/run-2.txt', 59);
    await put(dir, 'state/watermarks.json', 400);

    const { log, lines } = captureLogger();
    const counts = await applyRetention(config, log);

    expect(await filesUnder(path.join(dir, 'archive'))).toEqual([path.join('2026-02-10', 'c__new.xml')]);
    expect(await fs.readdir(path.join(dir, 'archive'))).toEqual(['2026-02-10']);
    expect(await filesUnder(path.join(dir, 'outbox', 'success'))).toEqual(['.x1y2.partial', 'new_success.xml']);
    expect(await filesUnder(path.join(dir, 'outbox', 'fail'))).toEqual(['kept.xml', 'kept.xml.error.xml']);
    expect(await filesUnder(path.join(dir, 'state'))).toEqual([path.join('gl-entry-ids', 'run-2.txt'), 'watermarks.json']);
    expect(Object.fromEntries([...counts].map(([d, n]) => [path.relative(dir, d), n]))).toEqual({ archive: 2, [path.join('outbox', 'success')]: 1, [path.join('outbox', 'fail')]: 2, [path.join('state', 'gl-entry-ids')]: 1 });

    const info = lines.filter((l) => l.level === 'info').map((l) => l.message);
    expect(info).toEqual([
      `Retention: deleted 2 file(s) older than 30 day(s) (retention.archiveDays) from ${path.join(dir, 'archive')}`,
      `Retention: deleted 1 file(s) older than 7 day(s) (retention.successDays) from ${path.join(dir, 'outbox', 'success')}`,
      `Retention: deleted 2 file(s) older than 14 day(s) (retention.failDays) from ${path.join(dir, 'outbox', 'fail')}`,
      `Retention: deleted 1 file(s) older than 60 day(s) (retention.artifactDays) from ${path.join(dir, 'state', 'gl-entry-ids')}`,
    ]);
    expect(lines.filter((l) => l.level === 'debug').map((l) => l.message)).toContain(`Retention: deleted ${path.join(dir, 'outbox', 'fail', 'gone.xml.error.xml')}`);

    // A second pass finds nothing more and says nothing.
    const again = captureLogger();
    await applyRetention(config, again.log);
    expect(again.lines.filter((l) => l.level === 'info')).toEqual([]);
  });

  it('keeps everything by default (0 days), and a missing folder is no error', async () => {
    const dir = await makeTempDir();
    await put(dir, 'archive/2020-01-01/ancient.xml', 2000);
    const { log, lines } = captureLogger();
    expect((await applyRetention(testConfig(dir), log)).size).toBe(0);
    expect((await applyRetention(testConfig(dir, { retention: { successDays: 1 } }), log)).get(path.join(dir, 'outbox', 'success'))).toBe(0);
    expect(await filesUnder(path.join(dir, 'archive'))).toEqual([path.join('2020-01-01', 'ancient.xml')]);
    expect(lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('is applied when the agent starts', async () => {
    const dir = await makeTempDir();
    await put(dir, 'outbox/fail/old.xml', 10);
    const { log, lines } = captureLogger();
    const t = createTestAgent(dir, { config: { retention: { failDays: 5 } }, deps: { log } });
    running.push(t);
    await t.agent.start();
    await waitFor(async () => (await filesUnder(path.join(dir, 'outbox', 'fail'))).length === 0, 5000, () => 'outbox/fail/old.xml to be deleted');
    expect(lines.some((l) => l.level === 'info' && l.message.startsWith('Retention: deleted 1 file(s) older than 5 day(s) (retention.failDays)'))).toBe(true);
  });
});
