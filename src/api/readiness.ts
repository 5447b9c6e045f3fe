// GET /readyz: can the agent do its work right now? Every folder reachable and writable, the state
// readable, each connection's API answering, and no file stuck in work/processing. Computed at most
// once per `cacheMs` (a sweep, or 5 s if shorter), so a probe every second costs no more than that.
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Workspace } from '../agent/workspace.js';
import type { AppConfig } from '../config/load.js';
import type { ConnectionHealth } from './connection-health.js';
import { TRUTH_SHARDS } from '../state/truth-table.js';
import { claimedFiles } from '../agent/intake/work-files.js';

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  message: string;
}

export interface Readiness {
  ready: boolean;
  checkedAt: string;
  /** The names of the checks that failed. */
  failed: string[];
  checks: ReadinessCheck[];
}

/** The state's files and the store each belongs to; absent ones are fine (a fresh state). */
const STATE_FILES: [store: string, file: string][] = [
  ['run history', 'runs.json'],
  ['watermarks', 'watermarks.json'],
  ['truth table', path.join('truth', 'truth.log')],
  ...Array.from({ length: TRUTH_SHARDS }, (_, i): [string, string] => ['truth table', path.join('truth', `truth-${String(i).padStart(2, '0')}.json`)]),
];

export interface ReadinessOptions {
  config: Pick<AppConfig, 'folders' | 'connections' | 'api' | 'watch' | 'state'>;
  workspace: Workspace;
  connections: ConnectionHealth;
  /** With agents sharing a state: why this one takes no files (its lease in doubt), undefined when it does. */
  lease?: () => string | undefined;
}

export class ReadinessProbe {
  private cached: { at: number; value: Promise<Readiness> } | undefined;
  private readonly cacheMs: number;
  /** Each state file's verdict by size and mtime: a file is parsed again only once it changed. */
  private readonly stateVerdicts = new Map<string, { stamp: string; problem: string | undefined }>();

  constructor(private readonly options: ReadinessOptions) {
    this.cacheMs = Math.min(options.config.watch.sweepMs, 5_000);
  }

  check(now = Date.now()): Promise<Readiness> {
    if (!this.cached || now - this.cached.at >= this.cacheMs) this.cached = { at: now, value: this.compute() };
    return this.cached.value;
  }

  private async compute(): Promise<Readiness> {
    const { config, workspace: ws, connections } = this.options;
    const folders: [string, string][] = [
      ['inbox', ws.inbox],
      ['work', ws.work],
      ['work/processing', ws.processing],
      ['outbox/success', ws.success],
      ['outbox/fail', ws.fail],
    ];
    // With PostgreSQL the state folder is not used; the lease check below tells whether the store answers.
    const localState = config.state.backend === 'local';
    if (localState) folders.push(['state', config.folders.state]);
    const checks = await Promise.all([
      ...folders.map(([name, dir]) => folderCheck(`folder ${name}`, dir)),
      ...(localState ? [this.stateReadable(config.folders.state)] : []),
      stuckCheck(ws, config.api.stuckAfterMs),
    ]);
    if (this.options.lease) {
      const problem = this.options.lease();
      checks.push({ name: 'state store lease', ok: problem === undefined, message: problem ?? 'renewed: this agent takes files' });
    }
    for (const name of Object.keys(config.connections)) {
      const state = connections.of(name);
      checks.push({
        name: `connection ${name}`,
        ok: state?.ok ?? true,
        message: state === undefined ? 'not called since the start' : state.ok ? `answered (${state.last}) at ${state.at}` : `no proper answer (${state.last}) at ${state.at}: an outage`,
      });
    }
    const failed = checks.filter((c) => !c.ok).map((c) => c.name);
    return { ready: failed.length === 0, checkedAt: new Date().toISOString(), failed, checks };
  }

  /** Every state file parses: a damaged one is named with its store (run history, watermarks, truth table). */
  private async stateReadable(dir: string): Promise<ReadinessCheck> {
    const name = 'state readable';
    const problems: string[] = [];
    for (const [store, rel] of [...STATE_FILES, ...(await runDayFiles(dir))]) {
      const file = path.join(dir, rel);
      try {
        const stat = await fs.stat(file);
        const stamp = `${stat.size}:${stat.mtimeMs}`;
        let verdict = this.stateVerdicts.get(file);
        if (verdict?.stamp !== stamp) {
          verdict = { stamp, problem: stateFileProblem(file, await fs.readFile(file, 'utf8')) };
          this.stateVerdicts.set(file, verdict);
        }
        if (verdict.problem !== undefined) problems.push(`${store} damaged: ${file}: ${verdict.problem}`);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') problems.push(`${store} unreadable: ${file}: ${code ?? String(err)}`);
      }
    }
    if (problems.length > 0) return { name, ok: false, message: problems.join('; ') };
    return { name, ok: true, message: 'run history, watermarks and truth table readable (or not written yet)' };
  }
}

/** The run history's day files (state/runs/YYYY-MM-DD.jsonl), read line by line like the truth log. */
async function runDayFiles(dir: string): Promise<[string, string][]> {
  const names = await fs.readdir(path.join(dir, 'runs')).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.jsonl')).map((name): [string, string] => ['run history', path.join('runs', name)]);
}

/**
 * A folder that exists, is a folder, and may be read and written. No probe file is written: a system
 * collecting from the outbox must never see one. (A folder replaced by a file fails this even for root.)
 */
async function folderCheck(name: string, dir: string): Promise<ReadinessCheck> {
  try {
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) return { name, ok: false, message: `${dir} is not a folder` };
    await fs.access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
    return { name, ok: true, message: `${dir} is writable` };
  } catch (err) {
    return { name, ok: false, message: `${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
}

/** What is wrong with a state file's text, if anything; a truth log's torn last line is not (it is dropped). */
function stateFileProblem(file: string, text: string): string | undefined {
  const log = file.endsWith('.log') || file.endsWith('.jsonl');
  const whole = log ? text.slice(0, text.lastIndexOf('\n') + 1).split('\n') : [text];
  for (const [i, part] of whole.entries()) {
    if (log && part === '') continue;
    try {
      JSON.parse(part);
    } catch (err) {
      return `${log ? `line ${i + 1}: ` : ''}${(err as Error).message}`;
    }
  }
  return undefined;
}

async function stuckCheck(ws: Workspace, stuckAfterMs: number): Promise<ReadinessCheck> {
  const name = 'no stuck file';
  try {
    const stuck = (await claimedFiles(ws)).filter((f) => f.ageMs > stuckAfterMs);
    if (stuck.length === 0) return { name, ok: true, message: `nothing in work/processing longer than ${Math.round(stuckAfterMs / 1000)} s` };
    const list = stuck.map((f) => `${f.name} (claimed ${f.claimedAt.toISOString()})`).join(', ');
    return { name, ok: false, message: `${stuck.length} file(s) in work/processing longer than ${Math.round(stuckAfterMs / 1000)} s (api.stuckAfterMs): ${list}` };
  } catch (err) {
    return { name, ok: false, message: `cannot list ${ws.processing}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
}
