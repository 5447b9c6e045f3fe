// The dashboard's actions: put a failed file back through the inbox, make a new input of an import's
// failed records, run a configured task now. Each is refused with a reason when it cannot be done now
// (the agent stopping, the same file already waiting or in flight, the file gone) and recorded with who
// and when. A file enters the inbox whole: written under a partial name the watcher ignores, flushed,
// then linked to its name (a link never replaces a file that appeared meanwhile) — never half of it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Agent } from '../../agent/agent.js';
import type { AppConfig } from '../../config/load.js';
import { fsyncDir, fsyncFile } from '../../fs/fsync.js';
import type { Logger } from '../../log.js';
import type { ActionEntry, StateStore } from '../../state/store.js';
import { inputOfRecords } from '../../tasks/fail-file.js';
import type { TaskRegistry } from '../../tasks/registry.js';
import { claimedFiles } from '../../agent/intake/work-files.js';
import { existingFile, parseFileRef } from './files.js';

export interface ActionDeps {
  config: AppConfig;
  agent: Agent;
  store: StateStore;
  registry: TaskRegistry;
  log: Logger;
}

/** What an action came to: done (with what to tell the person), or refused with an HTTP status and why. */
export type ActionResult = { ok: true; message: string; file?: string } | { ok: false; status: number; code: string; message: string };

const refuse = (status: number, code: string, message: string): ActionResult => ({ ok: false, status, code, message });
const ERROR_SUFFIX = '.error.xml';
/** The most failed records one retry file takes (a run's fail file is rarely bigger). */
const MAX_RETRY_RECORDS = 100_000;

export class DashboardActions {
  /** Names being put into the inbox right now: a second click waits for nothing, it is refused. */
  private readonly entering = new Set<string>();

  constructor(private readonly deps: ActionDeps) {}

  /** Moves an original from outbox/fail back into the inbox (with its .error.xml gone: it is being retried). */
  async retryFile(fileParam: string | null, who: string): Promise<ActionResult> {
    const stopping = this.stoppingRefusal();
    if (stopping) return stopping;
    const parsed = parseFileRef(this.deps.agent.workspace, fileParam);
    if (!parsed.ok) return refuse(400, 'bad-file', parsed.message);
    const { ref } = parsed;
    if (ref.folder !== 'fail' || ref.rel.includes('/')) return refuse(400, 'bad-file', `Only a file of outbox/fail can be retried (got "${fileParam ?? ''}")`);
    if (ref.rel.endsWith(ERROR_SUFFIX)) return refuse(400, 'bad-file', `${ref.rel} is the error document of a failed file, not an input: retry the file it describes`);
    const found = await existingFile(ref);
    if (!found.ok) return refuse(found.gone ? 404 : 400, found.gone ? 'gone' : 'bad-file', found.message);
    const result = await this.enterInbox(ref.rel, (tmp) => fs.copyFile(ref.path, tmp));
    if (!result.ok) return this.recorded(result, { who, action: 'retry-file', target: ref.rel });
    // The copy is in the inbox for good; only now does the failed original leave outbox/fail.
    await fs.rm(ref.path, { force: true });
    await fs.rm(`${ref.path}${ERROR_SUFFIX}`, { force: true });
    await fsyncDir(path.dirname(ref.path));
    return this.recorded({ ok: true, message: `${ref.rel} is back in the inbox and will be processed again`, file: ref.rel }, { who, action: 'retry-file', target: ref.rel });
  }

  /** A new input file of the run's failed records (without their errors), dropped into the inbox. */
  async retryRecords(runId: string, who: string): Promise<ActionResult> {
    const stopping = this.stoppingRefusal();
    if (stopping) return stopping;
    const run = await this.deps.store.runs.get(runId);
    if (!run) return refuse(404, 'not-found', `No run with id ${runId}`);
    const root = this.deps.registry.get(run.task)?.inputRoot;
    if (root === undefined) return refuse(409, 'not-an-import', `Run ${runId} (${run.task}) is not an import: it has no records to retry`);
    const { records } = await this.deps.store.failures.search({ runId, limit: MAX_RETRY_RECORDS });
    if (records.length === 0) return refuse(409, 'nothing-to-retry', `Run ${runId} has no failed records`);
    records.sort((a, b) => a.index - b.index);
    const original = run.file ?? `${root}.xml`;
    const base = original.replace(/\.[^.]*$/, '');
    const name = `${base}.retry-${runId.slice(0, 8)}.xml`;
    const text = inputOfRecords(root, records.map((r) => r.record));
    const result = await this.enterInbox(name, (tmp) => fs.writeFile(tmp, text));
    const done: ActionResult = result.ok ? { ok: true, message: `${records.length} failed record(s) of ${original} are in the inbox as ${name}`, file: name } : result;
    return this.recorded(done, { who, action: 'retry-records', target: runId });
  }

  /** Starts a configured task now; its run shows in the history as soon as it starts. */
  async runTask(name: string, who: string): Promise<ActionResult> {
    const stopping = this.stoppingRefusal();
    if (stopping) return stopping;
    if (!Object.hasOwn(this.deps.config.tasks, name)) return refuse(404, 'not-found', `No configured task is named "${name}" (configured: ${Object.keys(this.deps.config.tasks).join(', ') || 'none'})`);
    if (this.deps.agent.isTaskRunning(name)) return this.recorded(refuse(409, 'busy', `Task ${name} is running already; wait for it to finish`), { who, action: 'run-task', target: name });
    this.deps.agent.runConfiguredTask(name, 'cli').catch((err: unknown) => this.deps.log.error(`Task ${name}, started from the dashboard, broke off: ${String(err)}`));
    return this.recorded({ ok: true, message: `Task ${name} started; its run shows under Runs` }, { who, action: 'run-task', target: name });
  }

  /** Records pause and resume, which the API's own routes carry out. */
  async record(entry: Omit<ActionEntry, 'at'>): Promise<void> {
    await this.deps.store.actions.add(entry);
  }

  private stoppingRefusal(): ActionResult | undefined {
    return this.deps.agent.isStopping ? refuse(409, 'stopping', 'The agent is stopping; try again once it has started again') : undefined;
  }

  private async recorded(result: ActionResult, entry: Omit<ActionEntry, 'at' | 'outcome'>): Promise<ActionResult> {
    await this.deps.store.actions.add({ ...entry, outcome: result.ok ? result.message : `refused: ${result.message}` });
    return result;
  }

  /** Puts a file named `name` into the inbox whole, unless one of that name is waiting or in flight. */
  private async enterInbox(name: string, write: (tmp: string) => Promise<void>): Promise<ActionResult> {
    const { inbox } = this.deps.agent.workspace;
    if (this.entering.has(name)) return refuse(409, 'busy', `${name} is being put into the inbox right now`);
    this.entering.add(name);
    try {
      const inFlight = await claimedFiles(this.deps.agent.workspace);
      if (inFlight.some((f) => f.name === name)) return refuse(409, 'busy', `${name} is being processed right now; wait for it to finish`);
      const target = path.join(inbox, name);
      const tmp = path.join(inbox, `.${name}.${randomBytes(4).toString('hex')}.part`);
      await fs.mkdir(inbox, { recursive: true });
      try {
        await write(tmp);
        await fsyncFile(tmp);
        await fs.link(tmp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return refuse(409, 'busy', `${name} is waiting in the inbox already`);
        throw err;
      } finally {
        await fs.rm(tmp, { force: true });
      }
      await fsyncDir(inbox);
      return { ok: true, message: `${name} is in the inbox` };
    } finally {
      this.entering.delete(name);
    }
  }
}
