// Acceptance: many files at once, some written slowly; files present before start. Each input must be
// processed exactly once and never before it is complete (the output holds every record of the input).
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestAgent, echoDocument, filesUnder, makeTempDir, writeSlowly, type TestAgent } from '../support/workspace.js';

/** Writers here pause at most 150 ms between chunks; stability must be longer than any pause. */
const WATCH = { stabilityMs: 600, sweepMs: 500, concurrency: 4 };

const running: TestAgent[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.agent.stop({ graceMs: 2000 });
});

/** Every input has exactly one output holding all its records, and its original is archived once. */
async function expectEachProcessedOnceAndWhole(t: TestAgent, inputs: Map<string, number>): Promise<void> {
  const names = t.results.map((r) => r.file.name).sort();
  expect(names).toEqual([...inputs.keys()].sort());
  expect(t.results.every((r) => r.disposition === 'archived')).toBe(true);
  const success = await filesUnder(path.join(t.dir, 'outbox', 'success'));
  expect(success).toEqual([...inputs.keys()].map((n) => n.replace(/\.xml$/, '.out.xml')).sort());
  for (const [name, records] of inputs) {
    const out = await fs.readFile(path.join(t.dir, 'outbox', 'success', name.replace(/\.xml$/, '.out.xml')), 'utf8');
    const tag = name.replace(/\.xml$/, '');
    expect(out.split(`<tag>${tag}</tag>`).length - 1, `${name}: records in the output`).toBe(records);
  }
  expect(await filesUnder(path.join(t.dir, 'archive'))).toHaveLength(inputs.size);
  expect(await filesUnder(path.join(t.dir, 'inbox'))).toEqual([]);
  expect(await filesUnder(path.join(t.dir, 'work', 'processing'))).toEqual([]);
  expect(await filesUnder(path.join(t.dir, 'outbox', 'fail'))).toEqual([]);
}

describe('bulk drops', () => {
  it('takes 500 files dropped at once, 20 of them written slowly over 3 s, each exactly once and only when complete', async () => {
    const t = createTestAgent(await makeTempDir(), { config: { watch: WATCH } });
    running.push(t);
    await t.agent.start();
    const inbox = path.join(t.dir, 'inbox');
    const inputs = new Map<string, number>();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 500; i++) {
      const tag = `f${String(i).padStart(3, '0')}`;
      const slow = i % 25 === 0;
      const records = slow ? 200 : 1 + (i % 5);
      inputs.set(`${tag}.xml`, records);
      const content = echoDocument(tag, records);
      writes.push(slow ? writeSlowly(path.join(inbox, `${tag}.xml`), content, 20, 3000) : fs.writeFile(path.join(inbox, `${tag}.xml`), content));
    }
    await Promise.all(writes);
    await t.processed(500, 90_000);
    await expectEachProcessedOnceAndWhole(t, inputs);
  }, 120_000);

  it('takes files that were there before the start, including one still being written', async () => {
    const dir = await makeTempDir();
    const inbox = path.join(dir, 'inbox');
    await fs.mkdir(inbox, { recursive: true });
    const inputs = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      inputs.set(`early${i}.xml`, 3);
      await fs.writeFile(path.join(inbox, `early${i}.xml`), echoDocument(`early${i}`, 3));
    }
    // An mtime from last year, as a Windows copy keeps: age says nothing about completeness.
    const old = new Date('2025-01-01T00:00:00Z');
    await fs.utimes(path.join(inbox, 'early0.xml'), old, old);
    inputs.set('growing.xml', 300);
    const growing = writeSlowly(path.join(inbox, 'growing.xml'), echoDocument('growing', 300), 20, 2500);
    const t = createTestAgent(dir, { config: { watch: WATCH } });
    running.push(t);
    await t.agent.start();
    await growing;
    await t.processed(21, 30_000);
    await expectEachProcessedOnceAndWhole(t, inputs);
  });
});
