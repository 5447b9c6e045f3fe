// Agents sharing one inbox and one PostgreSQL state: files per second with 1, 2 and 3 agents (real
// `dropwise start` processes, test/support/agents.ts) on the same payment files against one sandbox,
// measured in one run, and 3 agents with one SIGKILLed a tenth of the way through. Every run's
// invariants (each file once, each payment once) are checked; a broken one fails the bench.
// BENCH_AGENTS_FILES sizes each run (1,000 by default; the machine has 2 cores, so agents share them).
import { startSandbox } from '../../src/simulator/index.js';
import { describeOutcome, runAgents, type AgentsScenario } from '../../test/support/agents.js';
import buildDist from '../../test/support/global-setup.js';
import { startPostgresServer } from '../../test/support/postgres-server.js';
import { report, round } from './harness.js';

const FILES = Number(process.env['BENCH_AGENTS_FILES'] ?? 1000);
const TABLE = `Agents on one inbox, ${FILES.toLocaleString('en')} payment files each run, state on PostgreSQL`;

buildDist();
const server = await startPostgresServer();
const runs: { label: string; scenario: Omit<AgentsScenario, 'pg'> }[] = [
  { label: '1 agent', scenario: { files: FILES, agents: 1 } },
  { label: '2 agents', scenario: { files: FILES, agents: 2 } },
  { label: '3 agents', scenario: { files: FILES, agents: 3 } },
  { label: '3 agents, one SIGKILLed', scenario: { files: FILES, agents: 3, kill: { agent: 1, afterArchived: Math.ceil(FILES / 10) } } },
];
let failed = 0;
let single: number | undefined;
try {
  for (const [i, run] of runs.entries()) {
    // A sandbox per run, so that each run's invoices are unpaid and its payments counted alone.
    const sb = await startSandbox({ seed: 17 + i, size: { invoices: 2 * FILES } });
    try {
      const outcome = await runAgents(sb, { ...run.scenario, pg: { url: server.url, schema: `bench_agents_${i}` }, timeoutMs: Math.max(300_000, FILES * 200) });
      console.error(`${run.label}:\n${describeOutcome(outcome)}`);
      single ??= outcome.filesPerSecond;
      if (outcome.anomalies.length > 0) failed++;
      report({
        bench: TABLE,
        run: run.label,
        seconds: round(outcome.seconds, 1),
        'files/s': round(outcome.filesPerSecond, 1),
        'vs 1 agent': round(outcome.filesPerSecond / single, 2),
        archived: outcome.archived,
        'payments created': outcome.paymentsCreated,
        'adopted files': outcome.killed?.holding ?? '',
        anomalies: outcome.anomalies.length === 0 ? 'none' : outcome.anomalies.join('; '),
      });
    } finally {
      await sb.close();
    }
  }
} finally {
  await server.destroy();
}
process.exitCode = failed > 0 ? 1 : 0;
