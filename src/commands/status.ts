// dropwise status: recent runs, files in flight, files waiting, watermarks; --json for scripts.
import type { Command } from 'commander';
import type { AgentStatus } from '../agent/status.js';
import { action, withConfigOption, withRuntime, type CommonOptions, type Runtime } from './runtime.js';

interface StatusOptions extends CommonOptions {
  json?: boolean;
}

export function register(program: Command): void {
  withConfigOption(
    program.command('status').description('show recent runs, files in flight, files waiting in the inbox, and watermarks').option('--json', 'print JSON instead of tables'),
  ).action(action((options: StatusOptions) => withRuntime(options, { quiet: true }, (rt) => showStatus(rt, options.json ?? false))));
}

export async function showStatus(rt: Runtime, json: boolean): Promise<number> {
  const { collectStatus } = await import('../agent/status.js');
  const status = await collectStatus(rt.config, rt.store);
  if (json) console.log(JSON.stringify(status, null, 2));
  else printStatus(status);
  return 0;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function printStatus(status: AgentStatus): void {
  console.log(`Recent runs (${status.runs.length}):`);
  if (status.runs.length > 0) {
    const rows = status.runs.map((r) => [
      r.startedAt.replace('T', ' ').slice(0, 19),
      r.taskName ?? r.task,
      r.file ?? `(${r.trigger})`,
      r.result + (r.error ? ` ${r.error.code}` : ''),
      `${r.recordsIn}/${r.recordsOk}/${r.recordsFailed}`,
    ]);
    console.log(table([['started', 'task', 'file', 'result', 'in/ok/failed'], ...rows]));
  }
  console.log(`\nIn flight (${status.inFlight.length}):`);
  for (const f of status.inFlight) console.log(`  ${f.name}  claimed ${f.claimedAt ?? 'before the journal was compacted'}  ${f.stage}`);
  console.log(`\nWaiting in the inbox (${status.waiting.length}):`);
  for (const name of status.waiting) console.log(`  ${name}`);
  const marks = Object.entries(status.watermarks);
  // Keys are a configured task's name, or `<name or type>@<connection>#<settings hash>` for ad-hoc requests.
  console.log(`\nWatermarks by task key (${marks.length}):`);
  for (const [key, values] of marks) console.log(`  ${key}: ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(', ')}`);
}
