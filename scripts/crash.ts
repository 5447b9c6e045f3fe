// npm run crash: the full crash-point enumeration (test/support/crash-points.ts). For every scenario
// (payments with and without externalIds, each export, Traede, the accounting batch), every crash
// point its clean run reaches, and the first, middle and last hits (--edge widens the ends) of each point:
// `dropwise run` killed there, `dropwise start` until the file is finished, then the invariants.
// Prints `point × hits, anomalies` (cases whose invariants failed) per scenario and `N points, M crashes, K anomalies`; exits 1 on any.
//   --edge N      hits tried at each end of a point (default 1: first, middle, last; all hits of a point hit ≤ 2N+1 times)
//   --workers N   cases at the same time, each against a sandbox of its own (default 2)
//   --only TEXT   the scenarios whose name contains TEXT
import { parseArgs } from 'node:util';
import { startSandbox } from '../src/simulator/index.js';
import buildDist from '../test/support/global-setup.js';
import { edgeHits, enumerate, SANDBOX_SEED, SCENARIOS, type PointRow } from '../test/support/crash-points.js';

const { values } = parseArgs({ options: { edge: { type: 'string', default: '1' }, workers: { type: 'string', default: '2' }, only: { type: 'string' } } });
const edge = Number(values.edge);
const workers = Number(values.workers);
const scenarios = SCENARIOS.filter((s) => values.only === undefined || s.name.includes(values.only));

buildDist();
const started = Date.now();
const sandboxes = await Promise.all(Array.from({ length: workers }, () => startSandbox({ seed: SANDBOX_SEED })));
const rows: PointRow[] = [];
const kept: string[] = [];
try {
  for (const scenario of scenarios) {
    process.stdout.write(`${scenario.name}: `);
    const scenarioRows = await enumerate(scenario, sandboxes, {
      hits: (count) => edgeHits(count, edge),
      onCase: (_row, c) => {
        process.stdout.write(c.missed ? '?' : c.anomalies.length > 0 ? '✗' : '.');
        if (c.kept) kept.push(c.kept);
      },
    });
    process.stdout.write('\n');
    rows.push(...scenarioRows);
  }
} finally {
  await Promise.all(sandboxes.map((sb) => sb.close()));
}

const pad = (text: string | number, n: number) => String(text).padEnd(n);
const width = Math.max(...rows.map((r) => r.point.length), 5) + 2;
let scenario = '';
for (const row of rows) {
  if (row.scenario !== scenario) {
    scenario = row.scenario;
    console.log(`\n${scenario}\n  ${pad('point', width)}${pad('hits', 6)}${pad('crashed at', 22)}anomalies`);
  }
  console.log(`  ${pad(row.point, width)}${pad(row.hits, 6)}${pad(row.tried.join(',') + (row.crashes < row.tried.length ? ` (${row.tried.length - row.crashes} missed)` : ''), 22)}${row.failed}`);
  for (const a of row.anomalies) console.log(`      ${a}`);
}
if (kept.length > 0) console.log(`\nThe agent folders of the cases with anomalies are kept: ${kept.slice(0, 5).join(', ')}${kept.length > 5 ? ', …' : ''}`);
const points = new Set(rows.filter((r) => r.hits > 0).map((r) => r.point)).size;
const crashes = rows.reduce((n, r) => n + r.crashes, 0);
const anomalies = rows.reduce((n, r) => n + r.failed, 0);
console.log(`\nEach point crashed at its first ${edge}, middle and last ${edge} hits; ${scenarios.length} scenarios, ${workers} at a time, in ${Math.round((Date.now() - started) / 1000)} s.`);
console.log(`${points} points, ${crashes} crashes, ${anomalies} anomalies`);
process.exitCode = anomalies > 0 ? 1 : 0;
