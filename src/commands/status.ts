// dropwise status: whether an agent runs on these folders (and what it is doing, from its local API),
// recent runs, files in flight, files waiting, schedules, watermarks; --json for scripts. It reads
// only: no connection secret is needed (their "env:" variables may be unset) and no folder is created.
import type * as Commander from 'commander';
import type { Command } from 'commander';
import { requireCommonJs } from '../commonjs.js';
import type { AgentStatus } from '../agent/status.js';
import type { AgentPresence } from '../api/agent-presence.js';
import type { ScheduleInfo } from '../api/schedules.js';
import type { RunQuery } from '../state/store.js';
import { isoInstant } from '../time/iso-8601.js';
import { withConfigOption, type CommonOptions, type Runtime } from './runtime.js';
import { action } from './verb-action.js';

const { InvalidArgumentError } = requireCommonJs<typeof Commander>('commander');

interface StatusOptions extends CommonOptions {
  json?: boolean;
  limit?: number;
  task?: string;
  since?: string;
  failed?: boolean;
}

const DEFAULT_LIMIT = 20;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more');
  return n;
}

/** `--since`: an ISO 8601 date or date-time (no zone: UTC, as the run history), or a duration back from now (30m, 24h, 7d, 2w). */
export function parseSince(value: string, now = Date.now()): string {
  const duration = /^(\d+)\s*([mhdw])$/i.exec(value.trim());
  const ms = duration ? now - Number(duration[1]) * (UNIT_MS[(duration[2] as string).toLowerCase()] as number) : isoInstant(value.trim());
  if (ms === undefined) throw new InvalidArgumentError('expected a date (2026-11-01, 2026-11-01T08:00Z) or a duration back from now (30m, 24h, 7d, 2w)');
  return new Date(ms).toISOString();
}

/** The run filter the options ask for. */
export function runQueryOf(options: Pick<StatusOptions, 'limit' | 'task' | 'since' | 'failed'>): RunQuery {
  return {
    limit: options.limit ?? DEFAULT_LIMIT,
    ...(options.task !== undefined ? { task: options.task } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.failed ? { result: ['failed', 'partial'] } : {}),
  };
}

export function register(program: Command): void {
  withConfigOption(
    program
      .command('status')
      .description('show whether the agent runs, recent runs, files in flight, files waiting in the inbox, schedules and watermarks')
      .option('--json', 'print JSON instead of tables')
      .option('--limit <n>', `how many runs to show, newest first (default ${DEFAULT_LIMIT})`, parseLimit)
      .option('--task <name>', 'only runs of this configured task or task type')
      .option('--since <when>', 'only runs started since a date (2026-11-01) or for a duration back (24h, 7d)', (v: string) => parseSince(v))
      .option('--failed', 'only failed and partial runs'),
  ).action(
    action(async (options: StatusOptions) => {
      const [{ loadStateReaderConfig }, { openConfiguredStateStore }] = await Promise.all([import('./state-config.js'), import('../state/index.js')]);
      const config = await loadStateReaderConfig(options);
      const store = await openConfiguredStateStore(config);
      try {
        return await showStatus({ config, store }, options.json ?? false, runQueryOf(options));
      } finally {
        await store.close();
      }
    }),
  );
}

export async function showStatus(rt: Pick<Runtime, 'config' | 'store'>, json: boolean, runQuery: RunQuery = { limit: DEFAULT_LIMIT }): Promise<number> {
  const [{ collectStatus }, { agentPresence }, { nextFireTimes }] = await Promise.all([
    import('../agent/status.js'),
    import('../api/agent-presence.js'),
    import('../api/schedules.js'),
  ]);
  const [status, agent] = await Promise.all([collectStatus(rt.config, rt.store, runQuery), agentPresence(rt.config)]);
  const schedules = agent.running && agent.live ? agent.live.schedules : nextFireTimes(rt.config.tasks);
  if (json) console.log(JSON.stringify({ agent, schedules, ...status }, null, 2));
  else printStatus(status, agent, schedules, runQuery);
  return 0;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function printAgent(agent: AgentPresence): void {
  if (!agent.running) {
    console.log(`Agent: not running${agent.stalePid !== undefined ? ` (work/agent.json is left from pid ${agent.stalePid}, which is gone)` : ''}`);
    return;
  }
  console.log(`Agent: running, pid ${agent.pid} on ${agent.hostname}, version ${agent.version}, since ${agent.since}; API at ${agent.api}`);
  if (agent.liveError) console.log(`  (its API did not tell more: ${agent.liveError})`);
  if (!agent.live) return;
  console.log(`  intake: ${agent.live.paused ? 'PAUSED (dropwise resume takes files again)' : 'taking files'}`);
  for (const run of agent.live.running) {
    const p = run.progress;
    const done = p ? `${p.records}${p.total !== undefined ? ` of ${p.total}` : ''} records` : 'starting';
    console.log(`  running: ${run.label} since ${run.startedAt}: ${done}`);
  }
}

/** `task nightly, since 2026-11-01T00:00:00.000Z, failed or partial`, for the runs' heading. */
function filterWords(query: RunQuery): string {
  const words = [
    ...(query.task !== undefined ? [`task ${query.task}`] : []),
    ...(query.since !== undefined ? [`since ${query.since}`] : []),
    ...(query.result !== undefined ? ['failed or partial'] : []),
  ];
  return words.length > 0 ? `; ${words.join(', ')}` : '';
}

function printStatus(status: AgentStatus, agent: AgentPresence, schedules: ScheduleInfo[], query: RunQuery): void {
  printAgent(agent);
  console.log(`\nRecent runs (${status.runs.length} of ${status.runsMatching}${filterWords(query)}):`);
  if (status.runs.length > 0) {
    // Agents sharing a state (PostgreSQL) record which one made each run.
    const byAgent = status.runs.some((r) => r.agent !== undefined);
    const rows = status.runs.map((r) => [
      r.startedAt.replace('T', ' ').slice(0, 19),
      ...(byAgent ? [r.agent ?? ''] : []),
      r.taskName ?? r.task,
      r.file ?? `(${r.trigger})`,
      (r.result === 'waiting' ? 'waiting for a retry' : r.result) + (r.error ? ` ${r.error.code}` : ''),
      `${r.recordsIn}/${r.recordsOk}/${r.recordsFailed}`,
    ]);
    console.log(table([['started', ...(byAgent ? ['agent'] : []), 'task', 'file', 'result', 'in/ok/failed'], ...rows]));
  }
  console.log(`\nIn flight (${status.inFlight.length}):`);
  for (const f of status.inFlight) console.log(`  ${f.name}  claimed ${f.claimedAt ?? 'before the journal was compacted'}  ${f.stage}`);
  console.log(`\nWaiting in the inbox (${status.waiting.length}):`);
  for (const name of status.waiting) console.log(`  ${name}`);
  console.log(`\nSchedules (${schedules.length}):`);
  for (const s of schedules) {
    const next = s.timezone !== undefined ? `${s.nextRunLocal ?? 'never'} (${s.timezone})` : (s.nextRun ?? 'never');
    console.log(`  ${s.task}  ${s.schedule}  next ${next}${s.catchUp ? '  (catchUp)' : ''}`);
  }
  console.log(`\nGL export runs and their accounting batches (${status.glBatches.length}):`);
  for (const g of status.glBatches) {
    const batch = g.batch ? `batch "${g.batch.batchIdentifier}" (id ${g.batch.batchId ?? '?'}) created by run ${g.batch.byRun}` : 'no batch yet (task connectwise.create-accounting-batch, fromRun)';
    console.log(`  ${g.startedAt.replace('T', ' ').slice(0, 19)}  ${g.run}  ${g.glEntryIdCount} GL entries: ${batch}`);
  }
  const marks = Object.entries(status.watermarks);
  // Keys are a configured task's name, or `<name or type>@<connection>#<settings hash>` for ad-hoc requests.
  console.log(`\nWatermarks by task key (${marks.length}):`);
  for (const [key, values] of marks) console.log(`  ${key}: ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(', ')}`);
}
