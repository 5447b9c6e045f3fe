// The dashboard: a page (plain HTML, one ES module, one style sheet, served from ./assets) and the JSON
// routes it reads, under /api/dashboard/. Every read goes through the state store's interfaces
// (RunHistory, FailedRecordStore, ActionLog); every change goes through DashboardActions.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Agent } from '../../agent/agent.js';
import type { AppConfig } from '../../config/load.js';
import { ERROR_CODES, retryCause, type DwCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { redactor } from '../../secrets.js';
import type { RunQuery, RunRecord, RunResult, StateStore } from '../../state/store.js';
import type { TaskRegistry } from '../../tasks/registry.js';
import type { Guard } from '../guard.js';
import type { LiveRuns } from '../live-runs.js';
import type { Readiness } from '../readiness.js';
import { json, jsonError, type Reply, type Router } from '../router.js';
import { nextFireTimes } from '../schedules.js';
import { claimedFiles, waitingFiles } from '../../agent/intake/work-files.js';
import { DashboardActions, type ActionResult } from './actions.js';
import { existingFile, parseFileRef, refOfPath } from './files.js';
import { runLogLines } from './log-lines.js';

export interface DashboardDeps {
  config: AppConfig;
  agent: Agent;
  store: StateStore;
  registry: TaskRegistry;
  log: Logger;
  guard: Guard;
  readiness: () => Promise<Readiness>;
  liveRuns?: LiveRuns;
}

const ASSETS = path.join(import.meta.dirname, 'assets');
const ASSET_TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};
const RESULTS: RunResult[] = ['running', 'success', 'partial', 'failed', 'empty', 'interrupted'];
const PAGE_MAX = 200;
/** The most of a file the page shows inline; bigger ones are downloaded. */
const VIEW_MAX_BYTES = 2 * 1024 * 1024;
const DOWNLOAD_MAX_BYTES = 256 * 1024 * 1024;

export function registerDashboard(router: Router, deps: DashboardDeps): DashboardActions {
  const actions = new DashboardActions(deps);
  const ws = deps.agent.workspace;
  // The failed-records index is read at start, in the background, so the page's first search is quick.
  deps.store.failures.search({ limit: 0 }).catch((err: unknown) => deps.log.warn(`The failed records cannot be read: ${String(err)}`));
  const asset = (name: string) => async (): Promise<Reply> => ({ status: 200, headers: { 'content-type': ASSET_TYPES[name] as string }, body: await fs.readFile(path.join(ASSETS, name)) });
  const answer = (result: ActionResult): Reply => (result.ok ? json(200, result) : jsonError(result.status, result.code, result.message));

  router
    .get('/', () => ({ status: 302, headers: { location: '/ui/' }, body: '' }), { public: true })
    .get('/ui/', asset('index.html'), { public: true })
    .get('/ui/app.js', asset('app.js'), { public: true })
    .get('/ui/style.css', asset('style.css'), { public: true })
    .get('/api/dashboard/auth', () => json(200, { needsToken: deps.guard.needsToken }), { public: true })
    .post(
      '/api/dashboard/login',
      () => (deps.guard.needsToken ? { ...json(200, { loggedIn: true }), headers: { 'content-type': 'application/json; charset=utf-8', 'set-cookie': deps.guard.openSession() } } : jsonError(400, 'no-token', 'This agent has no api.token: the page needs no login on this machine')),
      { bearerOnly: true },
    )
    .post('/api/dashboard/logout', ({ req }) => ({ ...json(200, { loggedIn: false }), headers: { 'content-type': 'application/json; charset=utf-8', 'set-cookie': deps.guard.closeSession(req) } }))
    .get('/api/dashboard/overview', () => overview(deps))
    .get('/api/dashboard/runs', async ({ url }) => {
      const query = runQueryOf(url.searchParams);
      if (typeof query === 'string') return jsonError(400, 'bad-filter', query);
      const page = await deps.store.runs.query(query);
      return json(200, { ...page, offset: query.offset, limit: query.limit, tasks: Object.keys(deps.config.tasks) });
    })
    .get('/api/dashboard/runs/:id', async ({ params }) => {
      const run = await deps.store.runs.get(params.id as string);
      if (!run) return jsonError(404, 'not-found', `No run with id ${params.id ?? ''}: it may be older than the history keeps`);
      return json(200, await runDetail(run, deps));
    })
    .get('/api/dashboard/failures', async ({ url }) => {
      const p = url.searchParams;
      const paging = pagingOf(p);
      if (typeof paging === 'string') return jsonError(400, 'bad-filter', paging);
      const text = p.get('text') ?? '';
      const code = p.get('code') ?? '';
      const runId = p.get('run') ?? '';
      const page = await deps.store.failures.search({ ...paging, ...(text ? { text } : {}), ...(code ? { code } : {}), ...(runId ? { runId } : {}) });
      return json(200, { ...page, ...paging, records: page.records.map(({ record: _record, ...rest }) => rest) });
    })
    .get('/api/dashboard/failures/:id', async ({ params }) => {
      const record = await deps.store.failures.get(params.id as string);
      if (!record) return jsonError(404, 'not-found', `No failed record with id ${params.id ?? ''}`);
      return json(200, { ...record, failFileRef: refOfPath(ws, record.failFile) ?? null });
    })
    .get('/api/dashboard/failed-files', async () => json(200, { files: await failedOriginals(ws.fail) }))
    .get('/api/dashboard/file', async ({ url }) => {
      const parsed = parseFileRef(ws, url.searchParams.get('file'));
      if (!parsed.ok) return jsonError(400, 'bad-file', parsed.message);
      const found = await existingFile(parsed.ref);
      if (!found.ok) return jsonError(found.gone ? 404 : 400, found.gone ? 'gone' : 'bad-file', found.message);
      const download = url.searchParams.get('download') === '1';
      if (found.size > (download ? DOWNLOAD_MAX_BYTES : VIEW_MAX_BYTES)) return jsonError(413, 'too-large', `${parsed.ref.rel} is ${found.size} bytes: ${download ? 'copy it from the folder itself' : 'download it instead'}`);
      const body = await fs.readFile(parsed.ref.path);
      const name = path.basename(parsed.ref.path).replace(/[^\w.\- ()]/g, '_');
      // Shown as plain text whatever it holds: a file can never run as a page of this origin.
      return { status: 200, headers: download ? { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${name}"` } : { 'content-type': 'text/plain; charset=utf-8' }, body };
    })
    .post('/api/dashboard/retry-file', async ({ url, caller }) => answer(await actions.retryFile(url.searchParams.get('file'), caller)))
    .post('/api/dashboard/runs/:id/retry-records', async ({ params, caller }) => answer(await actions.retryRecords(params.id as string, caller)))
    .post('/api/dashboard/tasks/:name/run', async ({ params, caller }) => answer(await actions.runTask(params.name as string, caller)));
  return actions;
}

async function overview(deps: DashboardDeps): Promise<Reply> {
  const { agent, store, config } = deps;
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const [readiness, inFlight, waiting, today, actions] = await Promise.all([
    deps.readiness(),
    claimedFiles(agent.workspace),
    waitingFiles(agent.workspace),
    store.runs.query({ since: midnight.toISOString(), limit: 100_000 }),
    store.actions.recent(10),
  ]);
  const schedules = await Promise.all(
    nextFireTimes(config.tasks).map(async (s) => {
      const last = (await store.runs.query({ task: s.task, limit: 1 })).runs[0];
      return { ...s, last: last ? { id: last.id, result: last.result, startedAt: last.startedAt, endedAt: last.endedAt ?? null } : null };
    }),
  );
  const counts = { runs: today.total, files: 0, failedRuns: 0, recordsOk: 0, recordsFailed: 0 };
  for (const run of today.runs) {
    if (run.trigger === 'file') counts.files++;
    if (run.result === 'failed') counts.failedRuns++;
    counts.recordsOk += run.recordsOk;
    counts.recordsFailed += run.recordsFailed;
  }
  const outages = readiness.checks.filter((c) => c.name.startsWith('connection ') && !c.ok).map((c) => ({ connection: c.name.slice('connection '.length), message: c.message }));
  return json(200, {
    health: readiness,
    paused: agent.isPaused,
    stopping: agent.isStopping,
    waiting: waiting.count,
    inFlight: inFlight.map((f) => ({ name: f.name, claimedAt: f.claimedAt.toISOString() })),
    running: deps.liveRuns?.list() ?? [],
    schedules,
    tasks: Object.keys(config.tasks),
    today: counts,
    outages,
    actions,
  });
}

async function runDetail(run: RunRecord, deps: DashboardDeps) {
  const { config, agent, store } = deps;
  const ws = agent.workspace;
  const configured = run.taskName !== undefined ? config.tasks[run.taskName] : undefined;
  // Task settings carry no secrets by design; the redactor still scrubs any configured secret value.
  const settings = configured ? redactor.redact(structuredClone(configured.settings)) : null;
  const [log, failures] = await Promise.all([runLogLines(config.log.file, run), store.failures.search({ runId: run.id, limit: 0 })]);
  const code = run.error?.code as DwCode | undefined;
  const failedOriginal = run.trigger === 'file' && run.result === 'failed' && run.file !== undefined ? await originalInFail(ws.fail, run.file) : undefined;
  return {
    run,
    settings,
    settingsSource: configured ? `config: tasks.${run.taskName ?? ''}.settings` : run.trigger === 'file' ? 'the dropped file (a task request) or the task’s defaults' : 'the task’s defaults',
    outputs: run.outputs.map((o) => ({ name: path.basename(o), ref: refOfPath(ws, o) ?? null })),
    error: run.error && code ? { ...run.error, meaning: ERROR_CODES[code] ?? null, whatToDo: whatToDo(code) } : (run.error ?? null),
    failedRecords: failures.total,
    canRetryRecords: failures.total > 0 && deps.registry.get(run.task)?.inputRoot !== undefined,
    failedOriginal: failedOriginal ?? null,
    log,
  };
}

function whatToDo(code: DwCode): string {
  switch (retryCause(code)) {
    case 'remote':
      return 'The remote system did not answer properly. dropwise tries such files again by itself; once the system is back, retry the file if it is in outbox/fail.';
    case 'local':
      return 'A folder or the state could not be written: check the disk and the folder permissions (see Health on the overview), then retry.';
    case 'stopping':
      return 'The agent stopped during the run; the work resumes at the next start.';
    default:
      return 'Fix the cause the message names (the file, a setting, or the record in ConnectWise), then retry the file or its failed records.';
  }
}

/** The failed originals in outbox/fail: the files with a `<name>.error.xml` beside them. */
async function failedOriginals(failDir: string): Promise<{ name: string; ref: string; failedAt: string }[]> {
  const names = await fs.readdir(failDir).catch(() => [] as string[]);
  const set = new Set(names);
  const out = [];
  for (const name of names) {
    if (name.endsWith('.error.xml') || !set.has(`${name}.error.xml`)) continue;
    const stat = await fs.stat(path.join(failDir, name)).catch(() => undefined);
    if (stat?.isFile()) out.push({ name, ref: `fail/${name}`, failedAt: stat.mtime.toISOString() });
  }
  return out.sort((a, b) => b.failedAt.localeCompare(a.failedAt));
}

/** The reference of a failed file's original in outbox/fail, if it is still there. */
async function originalInFail(failDir: string, name: string): Promise<string | undefined> {
  return (await failedOriginals(failDir)).find((f) => f.name === name || f.name.startsWith(`${name.replace(/\.[^.]*$/, '')} (`))?.ref;
}

function pagingOf(p: URLSearchParams): { limit: number; offset: number } | string {
  const limit = Number(p.get('limit') ?? 50);
  const offset = Number(p.get('offset') ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX) return `limit must be a whole number from 1 to ${PAGE_MAX}`;
  if (!Number.isInteger(offset) || offset < 0) return 'offset must be a whole number, 0 or more';
  return { limit, offset };
}

/** ?task=&status=&from=YYYY-MM-DD&to=YYYY-MM-DD&file=&offset=&limit= → a RunQuery (days in local time, `to` included). */
function runQueryOf(p: URLSearchParams): (RunQuery & { limit: number; offset: number }) | string {
  const paging = pagingOf(p);
  if (typeof paging === 'string') return paging;
  const query: RunQuery & { limit: number; offset: number } = { ...paging };
  const task = p.get('task');
  if (task) query.task = task;
  const status = p.get('status');
  if (status) {
    if (!RESULTS.includes(status as RunResult)) return `status must be one of ${RESULTS.join(', ')}`;
    query.result = status as RunResult;
  }
  const file = p.get('file');
  if (file) query.file = file;
  for (const [param, field, days] of [['from', 'since', 0], ['to', 'until', 1]] as const) {
    const value = p.get(param);
    if (!value) continue;
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    const day = m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days) : undefined;
    if (!day || Number.isNaN(day.getTime())) return `${param} must be a date written YYYY-MM-DD (got "${value}")`;
    query[field] = day.toISOString();
  }
  return query;
}
