// Agents sharing a PostgreSQL state as real processes on one inbox, against one sandbox: every file
// processed once, every payment created once, every schedule fire time run once; then with one agent
// SIGKILLed mid-way: the others adopt its work and finish it.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeOutcome, runAgents } from '../support/agents.js';
import buildDist from '../support/global-setup.js';
import { testSchema, type TestSchema } from '../support/postgres.js';
import { withSandbox } from '../support/sandbox.js';

const FILES = 300;
const sandbox = withSandbox({ seed: 17, size: { invoices: 3 * FILES } });
beforeAll(() => buildDist());

describe('three agents on one inbox', () => {
  let schema: TestSchema | undefined;
  afterEach(async () => {
    await schema?.drop();
    schema = undefined;
  });

  it(`process ${FILES} files once each, create each payment once and run each fire time once`, async () => {
    schema = await testSchema('agents');
    const outcome = await runAgents(sandbox(), { pg: schema, files: FILES, scheduleEverySeconds: 2 });
    console.log(describeOutcome(outcome));
    expect(outcome.anomalies).toEqual([]);
    expect(outcome.archived).toBe(FILES);
    expect(Object.keys(outcome.fires).length).toBeGreaterThanOrEqual(1);
  }, 150_000);

  it('finish the work of an agent SIGKILLed mid-way, nothing lost or doubled', async () => {
    schema = await testSchema('agents');
    const outcome = await runAgents(sandbox(), { pg: schema, files: FILES, scheduleEverySeconds: 2, kill: { agent: 1, afterArchived: FILES / 10 } });
    console.log(describeOutcome(outcome));
    expect(outcome.anomalies).toEqual([]);
    expect(outcome.killed?.holding).toBeGreaterThan(0);
    expect(outcome.killed?.adoptions).toHaveLength(1);
  }, 150_000);
});
