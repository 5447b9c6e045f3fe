// `dropwise task NAME` and `dropwise run FILE` while an agent runs on the same folders (its
// work/agent.json names a live process): the work goes to that agent through its local API instead of
// failing with DW_LOCKED, and the verb follows it to the end, printing progress, with the exit code a
// local run would have. A file is moved into work/processing by this process, with the same atomic
// claim rename as the inbox (a copy made durable first when it is on another volume), and only its
// claimed name is sent: the agent never opens a path a caller hands it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimFile } from '../agent/intake/claim.js';
import { workspaceOf } from '../agent/workspace.js';
import { findRunningAgent } from '../api/agent-file.js';
import { AgentApiClient } from '../api/client.js';
import type { HandedOverRun } from '../api/control.js';
import type { AppConfig } from '../config/load.js';
import { DropwiseError } from '../errors.js';
import type { CommonOptions } from './runtime.js';
import { onStopSignals, signalExitCode } from './stop-signals.js';
import { exitCodeOf, printFileResult, printOutcome, type PrintableFileResult } from './summary.js';
import { EXIT } from './verb-action.js';

const POLL_MS = 500;

export interface HandOverTarget {
  config: AppConfig;
  client: AgentApiClient;
}

/** The running agent to hand the work to, or undefined when none runs on these folders (run locally). */
export async function handOverTarget(options: CommonOptions): Promise<HandOverTarget | undefined> {
  const { loadConfig } = await import('../config/load.js');
  // No connection secret is needed to hand work over (the agent has them); api.token is resolved by the client.
  const config = loadConfig({ ...(options.config !== undefined ? { file: options.config } : {}), resolveSecrets: false });
  const found = await findRunningAgent(config.folders.work);
  if (!('agent' in found)) return undefined;
  return { config, client: await AgentApiClient.connect(config) };
}

export async function handOverTask({ client }: HandOverTarget, name: string): Promise<number> {
  const started = await client.post<HandedOverRun>(`/api/tasks/${encodeURIComponent(name)}/run`);
  console.error(`dropwise: the agent (pid ${client.agent.pid}) runs task ${name} (${started.id}); following it`);
  const run = await follow(client, started);
  if (typeof run === 'number') return run;
  console.log(`Task:     ${name}`);
  if (run.outcome) printOutcome(run.outcome);
  else if (run.error) console.log(`Error:    ${run.error.code}: ${run.error.fullMessage}`);
  return run.outcome && !run.error ? exitCodeOf(run.outcome, false) : EXIT.failed;
}

export async function handOverFile({ config, client }: HandOverTarget, file: string): Promise<number> {
  const source = path.resolve(file);
  const stat = await fs.lstat(source).catch(() => undefined);
  if (!stat) throw new DropwiseError('DW_FILE_UNREADABLE', `The file ${file} does not exist`, { hint: 'Check the path and try again' });
  if (!stat.isFile()) {
    throw new DropwiseError('DW_FILE_UNREADABLE', `${file} is not a regular file (a folder, a link or a device); nothing was moved`, { hint: 'Give dropwise run one regular file' });
  }
  // The agent must answer before the file moves: a file claimed for an agent that is gone would wait for its next start.
  await client.get('/api/session');
  const claimed = await claimFile(source, workspaceOf(config.folders));
  if (!claimed) throw new DropwiseError('DW_FILE_UNREADABLE', `The file ${file} disappeared before it could be taken`, { hint: 'Another process moved it; check the inbox and outbox' });
  let started: HandedOverRun;
  try {
    started = await client.post<HandedOverRun>('/api/files', { claimed: path.basename(claimed.path) });
  } catch (err) {
    console.error(`dropwise: ${claimed.name} is in ${claimed.path}; the agent takes it at its next start`);
    throw err;
  }
  console.error(`dropwise: the agent (pid ${client.agent.pid}) processes ${claimed.name} (${started.id}); following it`);
  const run = await follow(client, started);
  if (typeof run === 'number') return run;
  const result: PrintableFileResult = { file: run.file ?? { name: claimed.name, path: claimed.path }, disposition: run.disposition ?? 'retry', ...pick(run) };
  printFileResult(result);
  return exitCodeOf(result.outcome, result.disposition !== 'archived' && result.disposition !== 'deleted');
}

function pick(run: HandedOverRun): Omit<PrintableFileResult, 'file' | 'disposition'> {
  const { route, outcome, error, path: where, errorPath } = run;
  return { ...(route ? { route } : {}), ...(outcome ? { outcome } : {}), ...(error ? { error } : {}), ...(where ? { path: where } : {}), ...(errorPath ? { errorPath } : {}) };
}

/**
 * Polls the run until it ends, printing its progress on stderr. A stop signal here stops only the
 * following (the agent goes on with the run): it returns that signal's exit code instead of the run.
 */
async function follow(client: AgentApiClient, started: HandedOverRun): Promise<HandedOverRun | number> {
  const controller = new AbortController();
  const signals = onStopSignals(() => controller.abort(), 'following (the agent goes on with the run)');
  let shown = '';
  try {
    for (let run = started; ; ) {
      if (run.status !== 'running') return run;
      const p = run.progress;
      const line = p ? `${run.name}: ${p.records}${p.total !== undefined ? ` of ${p.total}` : ''} records${p.message ? ` (${p.message})` : ''}` : '';
      if (line !== shown && line !== '') console.error(`  ${line}`);
      shown = line;
      const stopped = await sleep(POLL_MS, false, { signal: controller.signal }).catch(() => true);
      if (stopped || signals.received) {
        console.error(`dropwise: stopped following; the agent goes on with ${run.name} (${run.id}); dropwise status shows it`);
        return signalExitCode(signals.received ?? 'SIGINT');
      }
      try {
        run = await client.get<HandedOverRun>(`/api/runs/${encodeURIComponent(started.id)}`);
      } catch (err) {
        if (err instanceof DropwiseError && err.code === 'DW_AGENT_NOT_RUNNING') {
          throw new DropwiseError('DW_AGENT_NOT_RUNNING', `${err.message} while following ${run.name}`, { hint: 'An unfinished file stays in work/processing and resumes at the next start; dropwise status shows the run' });
        }
        throw err;
      }
    }
  } finally {
    signals.dispose();
  }
}
