// A sample of the crash-point enumeration (the whole of it is `npm run crash`): every point the
// payments import reaches, crashed once at its first hit, and the accounting batch's create crashed
// before and after it is sent. Each case kills `dropwise run` there, finishes with `dropwise start`,
// and checks the invariants of test/support/crash-points.ts; any broken one is listed in the failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/simulator/index.js';
import { enumerate, SANDBOX_SEED, SCENARIOS, type PointRow } from '../support/crash-points.js';
import buildDist from '../support/global-setup.js';

const WORKERS = 4;
let sandboxes: Sandbox[] = [];

beforeAll(async () => {
  buildDist();
  sandboxes = await Promise.all(Array.from({ length: WORKERS }, () => startSandbox({ seed: SANDBOX_SEED })));
});
afterAll(async () => {
  await Promise.all(sandboxes.map((sb) => sb.close()));
});

const scenario = (name: string) => {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new Error(`no crash scenario ${name}`);
  return found;
};
const anomaliesOf = (rows: PointRow[]) => rows.flatMap((r) => r.anomalies.map((a) => `${r.point} ${a}`));

describe('crash points', () => {
  it('a crash at any point of a payments import, then a restart: nothing lost, doubled, partial or left running', async () => {
    // The first hit: every run reaches it (later hits of a point can vary from run to run, e.g. group-committed fsyncs).
    const rows = await enumerate(scenario('payments (externalIds)'), sandboxes, { hits: () => [1] });
    expect(rows.map((r) => r.point)).toEqual(expect.arrayContaining(['claim.renamed', 'journal.committed', 'outbox.committed', 'payment.create-answered', 'truth.log-appended', 'dispose.archived']));
    expect(rows.every((r) => r.crashes === r.tried.length), 'every case crashed where it was told to').toBe(true);
    expect(anomaliesOf(rows)).toEqual([]);
  }, 150_000);

  it('a crash before or after an accounting batch create is sent leaves exactly one batch', async () => {
    const rows = await enumerate(scenario('create accounting batch'), sandboxes, { hits: (count, point) => (point.startsWith('batch.') ? [count] : []) });
    expect(rows.filter((r) => r.crashes > 0).map((r) => r.point).sort()).toEqual(['batch.create-answered', 'batch.create-sent']);
    expect(anomaliesOf(rows)).toEqual([]);
  }, 60_000);
});
