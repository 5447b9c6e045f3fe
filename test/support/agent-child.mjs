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
      await sleep(2);
    }
    const output = await out.commit();
    return { status: 'success', recordsIn: 1, recordsOk: 1, recordsFailed: 0, outputs: [output] };
  },
});

await import('../../dist/cli.js');
