// Work handed to the running agent through its API: `dropwise task NAME` (POST /api/tasks/:name/run)
// and `dropwise run FILE` (POST /api/files). Each answers at once with an id; GET /api/runs/:id is the
// run's record, `running` until it ends, then with what a local run would print. The file route takes
// only the name of a file the CLI has already moved into work/processing with the inbox's atomic claim
// rename, never a path: the agent reads nothing the caller could not move there itself.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Agent } from '../agent/agent.js';
import type { FileResult } from '../agent/pipeline/process-file.js';
import type { TaskRunResult } from '../agent/pipeline/runner.js';
import type { AppConfig } from '../config/load.js';
import { isDropwiseError, toDropwiseError, type DropwiseError } from '../errors.js';
import { isObject } from '../json/is-object.js';
import type { Logger } from '../log.js';
import { redactor } from '../secrets.js';
import type { TaskProgress } from '../tasks/types.js';
import type { LiveRuns } from './live-runs.js';
import { json, jsonError, type Reply, type Router } from './router.js';

/** An error as the CLI prints it. */
export interface ErrorView {
  code: string;
  fullMessage: string;
}

export interface OutcomeView {
  status: 'success' | 'partial' | 'failed' | 'empty';
  recordsIn: number;
  recordsOk: number;
  recordsFailed: number;
  outputs: string[];
  error?: ErrorView;
}

/** What GET /api/runs/:id answers. */
export interface HandedOverRun {
  id: string;
  kind: 'task' | 'file';
  /** The task's name, or the file's name. */
  name: string;
  /** `running` until the run ends; then the run's result (`interrupted` when the agent stopped it). */
  status: 'running' | 'success' | 'partial' | 'failed' | 'empty' | 'interrupted';
  startedAt: string;
  endedAt?: string;
  progress?: TaskProgress;
  /** The run's id in the run history, once known. */
  runId?: string;
  outcome?: OutcomeView;
  error?: ErrorView;
  /** For a file: what became of it, as `dropwise run` prints it. */
  file?: { name: string; path: string };
  route?: { definition: { type: string }; reason: string };
  disposition?: FileResult['disposition'];
  path?: string;
  errorPath?: string;
}

export interface ControlDeps {
  agent: Agent;
  config: AppConfig;
  log: Logger;
  liveRuns?: LiveRuns;
}

/** How many ended hand-overs are remembered for GET /api/runs/:id. */
const KEEP_ENDED = 200;
const MAX_BODY_BYTES = 16 * 1024;

function errorView(error: DropwiseError | undefined): ErrorView | undefined {
  return error ? { code: error.code, fullMessage: error.fullMessage } : undefined;
}

function outcomeView(outcome: TaskRunResult['outcome']): OutcomeView {
  const { status, recordsIn, recordsOk, recordsFailed, outputs } = outcome;
  const error = errorView(outcome.error);
  return { status, recordsIn, recordsOk, recordsFailed, outputs: [...outputs], ...(error ? { error } : {}) };
}

export class HandOvers {
  private readonly runs = new Map<string, HandedOverRun>();

  constructor(private readonly liveRuns?: LiveRuns) {}

  begin(kind: HandedOverRun['kind'], name: string): HandedOverRun {
    const run: HandedOverRun = { id: `h-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`, kind, name, status: 'running', startedAt: new Date().toISOString() };
    this.runs.set(run.id, run);
    return run;
  }

  end(run: HandedOverRun, ended: Partial<HandedOverRun> & Pick<HandedOverRun, 'status'>): void {
    Object.assign(run, ended, { endedAt: new Date().toISOString() });
    const over = [...this.runs.values()].filter((r) => r.status !== 'running');
    for (const old of over.slice(0, Math.max(0, over.length - KEEP_ENDED))) this.runs.delete(old.id);
  }

  get(id: string): HandedOverRun | undefined {
    const run = this.runs.get(id);
    if (!run) return undefined;
    const live = run.status === 'running' ? this.liveRuns?.list().find((r) => r.label === run.name && r.startedAt >= run.startedAt) : undefined;
    // Messages are the log's; the redactor scrubs any secret that slipped into one.
    return redactor.redact({ ...run, ...(live?.progress ? { progress: live.progress } : {}) }) as HandedOverRun;
  }
}

function fileEnded(result: FileResult): Partial<HandedOverRun> & Pick<HandedOverRun, 'status'> {
  const status = result.disposition === 'interrupted' ? 'interrupted' : result.disposition === 'failed' || result.disposition === 'retry' ? 'failed' : (result.outcome?.status ?? 'failed');
  const error = errorView(result.error);
  return {
    status,
    file: { name: result.file.name, path: result.file.path },
    disposition: result.disposition,
    ...(result.route ? { route: { definition: { type: result.route.definition.type }, reason: result.route.reason } } : {}),
    ...(result.runId ? { runId: result.runId } : {}),
    ...(result.outcome ? { outcome: outcomeView(result.outcome) } : {}),
    ...(error ? { error } : {}),
    ...(result.path ? { path: result.path } : {}),
    ...(result.errorPath ? { errorPath: result.errorPath } : {}),
  };
}

/** Reads a small JSON object body; undefined when it is missing, too large or not a JSON object. */
async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function refusal(err: unknown): Reply {
  const error = toDropwiseError(err);
  if (error.code === 'DW_TASK_RUNNING') return jsonError(409, 'already-running', error.fullMessage);
  if (error.code === 'DW_SHUTDOWN') return jsonError(503, 'stopping', error.fullMessage);
  if (error.code === 'DW_FILE_UNREADABLE') return jsonError(400, 'bad-file', error.fullMessage);
  throw err;
}

export function registerControlRoutes(router: Router, deps: ControlDeps): HandOvers {
  const { agent, config, log } = deps;
  const handOvers = new HandOvers(deps.liveRuns);
  router
    .post('/api/tasks/:name/run', ({ params }) => {
      const name = params['name'] as string;
      if (!Object.hasOwn(config.tasks, name)) return jsonError(404, 'unknown-task', `No task "${name}" in the agent's config (tasks: ${Object.keys(config.tasks).join(', ') || 'none'})`);
      if (agent.isTaskRunning(name)) return jsonError(409, 'already-running', `Task ${name} is running already; wait for that run to end (dropwise status shows it), then start it again`);
      const run = handOvers.begin('task', name);
      log.info(`Task ${name} started through the API (${run.id})`);
      agent.runConfiguredTask(name, 'cli').then(
        ({ runId, outcome }) => handOvers.end(run, { status: outcome.error?.code === 'DW_SHUTDOWN' ? 'interrupted' : outcome.status, outcome: outcomeView(outcome), ...(runId ? { runId } : {}) }),
        (err: unknown) => {
          const error = toDropwiseError(err);
          handOvers.end(run, { status: 'failed', error: { code: error.code, fullMessage: error.fullMessage } });
        },
      );
      return json(202, handOvers.get(run.id));
    })
    .post('/api/files', async ({ req }) => {
      const body = await readJsonObject(req);
      const claimed = body?.['claimed'];
      if (typeof claimed !== 'string' || claimed === '') {
        return jsonError(400, 'bad-request', 'The body is a JSON object { "claimed": "<claim id>__<name>" }: a file already moved into work/processing');
      }
      let accepted: Awaited<ReturnType<Agent['takeHandedOver']>>;
      try {
        accepted = await agent.takeHandedOver(claimed);
      } catch (err) {
        return refusal(err);
      }
      const run = handOvers.begin('file', accepted.file.name);
      log.info(`${accepted.file.name} handed over through the API (${run.id})`);
      accepted.result.then(
        (result) => handOvers.end(run, fileEnded(result)),
        (err: unknown) => {
          const error = toDropwiseError(err);
          const left = { file: { name: accepted.file.name, path: accepted.file.path }, error: { code: error.code, fullMessage: error.fullMessage } };
          handOvers.end(run, isDropwiseError(err) && err.code === 'DW_SHUTDOWN' ? { status: 'interrupted', disposition: 'interrupted', ...left } : { status: 'failed', disposition: 'retry', ...left });
        },
      );
      return json(202, handOvers.get(run.id));
    })
    .get('/api/runs/:id', ({ params }) => {
      const run = handOvers.get(params['id'] as string);
      return run ? json(200, run) : jsonError(404, 'unknown-run', `No run ${params['id'] ?? ''} was handed to this agent (or it ended long ago; see dropwise status)`);
    });
  return handOvers;
}
