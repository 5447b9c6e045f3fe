// The real dropwise CLI (dist/cli.js) with one extra task registered, for tests that start, stop and
// kill the agent as a child process. test.copy takes <Copy> files and copies them to outbox/success in
// small chunks, slowly enough that a kill lands in the middle of writing outputs.
import fs from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { builtInTasks } from '../../dist/tasks/registry.js';

const CHUNK = 256;

builtInTasks.push({
  type: 'test.copy',
  connector: 'connectwise',
  summary: 'Copies a <Copy> file to outbox/success, slowly',
  inputRoot: 'Copy',
  parseSettings: () => ({}),
  async run({ input }, ctx) {
    const bytes = await fs.readFile(input.path);
    const out = await ctx.outbox.create('success', `${input.name}.copy`);
    for (let i = 0; i < bytes.length; i += CHUNK) {
      if (!out.stream.write(bytes.subarray(i, i + CHUNK))) await new Promise((resolve) => out.stream.once('drain', resolve));
      await sleep(2, undefined, { signal: ctx.signal });
    }
    const output = await out.commit();
    return { status: 'success', recordsIn: 1, recordsOk: 1, recordsFailed: 0, outputs: [output] };
  },
});

// test.tick: a configured task (no input) that counts `records` slowly, reporting progress; the last
// `failRecords` of them fail (a partial run), and `fail: true` fails the whole run.
builtInTasks.push({
  type: 'test.tick',
  connector: 'traede',
  summary: 'Counts records slowly, for hand-over and signal tests',
  parseSettings: (raw) => ({ records: raw.records ?? 5, delayMs: raw.delayMs ?? 20, failRecords: raw.failRecords ?? 0, fail: raw.fail === true }),
  async run({ settings }, ctx) {
    const out = await ctx.outbox.create('success', `tick-${ctx.runId}.txt`);
    for (let i = 1; i <= settings.records; i++) {
      await sleep(settings.delayMs, undefined, { signal: ctx.signal });
      out.stream.write(`${i}\n`);
      ctx.progress({ records: i, total: settings.records });
    }
    if (settings.fail) {
      const { DropwiseError } = await import('../../dist/errors.js');
      throw new DropwiseError('DW_SETTINGS_INVALID', 'test.tick was told to fail', { hint: 'Set fail to false' });
    }
    const output = await out.commit();
    const ok = settings.records - settings.failRecords;
    return { status: settings.failRecords > 0 ? 'partial' : 'success', recordsIn: settings.records, recordsOk: ok, recordsFailed: settings.failRecords, outputs: [output] };
  },
});

await import('../../dist/cli.js');
