// Several real agents (`node dist/cli.js start`, one process each) on one shared inbox, outbox and
// archive, coordinating through a PostgreSQL schema, against one sandbox in the caller's process (so
// payments are counted once): small payment files over distinct invoices, export requests among them,
// and a scheduled task. One agent can be SIGKILLed mid-way and not restarted. The outcome says what
// every file, payment and fire time came to, and the anomalies found; the file count is a parameter
// (CI: a few hundred; a script: 10,000).
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { parseClaimedName } from '../../src/agent/intake/claim.js';
import type { Sandbox } from '../../src/simulator/index.js';
import { unpaidInvoices, writePaymentsFile } from '../tasks/connectwise/payments/payments-file.js';
import { finished, spawnCli, type CliResult } from './cli.js';
import { filesUnder, makeTempDir, waitFor } from './workspace.js';

export interface AgentsScenario {
  /** PostgreSQL: the server's URL and a schema of the test's own (created by the agents' migration). */
  pg: { url: string; schema: string };
  files: number;
  /** 3 by default. */
  agents?: number;
  /** Payments per file (each on an invoice of its own); 1 by default. */
  recordsPerFile?: number;
  /** Task-request files (an export of batches each, its own output name) dropped among the payment files; none by default. */
  exportRequests?: number;
  /** Seconds between fires of the scheduled task (an export of batches); none when absent. */
  scheduleEverySeconds?: number;
  /** SIGKILL this agent (0-based) once this many files are archived and it holds some in work/processing. */
  kill?: { agent: number; afterArchived: number };
  leaseSeconds?: number;
  /** How long the whole may take; 120 s by default. */
  timeoutMs?: number;
}

export interface AgentsOutcome {
  dir: string;
  seconds: number;
  filesPerSecond: number;
  /** Input files and where they ended: archived (once each) and success outputs. */
  archived: number;
  successOutputs: number;
  /** The export requests' outputs (one each when all went well). */
  exportOutputs: number;
  failOutputs: number;
  paymentsCreated: number;
  /** Files left in some agent's work/processing at the end. */
  leftInProcessing: number;
  /** Fire times claimed in schedule_fires, and the scheduled task's finished runs, by agent. */
  fires: Record<string, number>;
  scheduledRuns: Record<string, number>;
  /** Fire times no agent claimed because every one was still running its last (the overrun protection). */
  skippedFires: number;
  /** The killed agent, the files it held at the kill, and the adoption lines the others logged. */
  killed?: { name: string; holding: number; adoptions: string[] };
  /** What broke an invariant; empty when all held. */
  anomalies: string[];
}

const TASK = 'tick';
const PG_URL_VAR = 'DW_TEST_STATE_URL';

export interface Running {
  name: string;
  child: ChildProcess;
  done: Promise<CliResult>;
}

export async function runAgents(sb: Sandbox, scenario: AgentsScenario): Promise<AgentsOutcome> {
  const count = scenario.agents ?? 3;
  const perFile = scenario.recordsPerFile ?? 1;
  const dir = await makeTempDir('dw-agents-');
  const folder = (...p: string[]) => path.join(dir, ...p);
  for (const d of ['inbox', 'staging', 'outbox/success', 'outbox/fail', 'archive', 'work']) await fs.mkdir(folder(d), { recursive: true });
  const names = Array.from({ length: count }, (_, i) => `agent-${i + 1}`);
  const configs = await Promise.all(names.map((name) => writeAgentConfig(dir, name, sb, scenario)));

  const invoices = unpaidInvoices(sb, scenario.files * perFile, 1);
  const createdBefore = sb.control.created().payments.length;
  const inputs = Array.from({ length: scenario.files }, (_, f) => `payments-${String(f + 1).padStart(5, '0')}.xml`);
  for (const [f, name] of inputs.entries()) {
    const records = invoices.slice(f * perFile, (f + 1) * perFile).map((invoiceId, k) => ({ externalId: `M-${f}-${k}`, invoiceId, amount: 1 + (k % 7) / 100, paymentDate: '2024-05-01' }));
    writePaymentsFile(folder('staging', name), records);
  }
  // Export requests spread among the payment files, each with an output of its own.
  const requests = Array.from({ length: scenario.exportRequests ?? 0 }, (_, r) => `export-${String(r + 1).padStart(4, '0')}.xml`);
  for (const name of requests) {
    const settings = `<settings><exportMode>All</exportMode><outputFile>${name.replace(/\.xml$/, '')}-batches.xml</outputFile></settings>`;
    await fs.writeFile(folder('staging', name), `<?xml version="1.0" encoding="utf-8"?>\n<TaskRequest><task>connectwise.export-batches</task>${settings}</TaskRequest>\n`);
  }
  const step = Math.max(1, Math.floor(inputs.length / Math.max(1, requests.length)));
  const dropped = inputs.flatMap((name, i) => (i % step === 0 && requests[i / step] !== undefined ? [name, requests[i / step] as string] : [name]));
  const all = inputs.length + requests.length;

  const started = Date.now();
  const running = await Promise.all(names.map((name, i) => startAgent(name, configs[i] as string, scenario.pg.url)));
  const anomalies: string[] = [];
  let killed: AgentsOutcome['killed'];
  let stoppingAt = Date.now();
  try {
    for (const name of dropped) await fs.rename(folder('staging', name), folder('inbox', name));
    const archivedCount = async () => (await filesUnder(folder('archive'))).length;
    // With a schedule, the agents also run until two fire times are claimed: files can all be through
    // before the second one on a fast machine, and the checks below want the schedule seen at work.
    const firePool = scenario.scheduleEverySeconds === undefined ? undefined : new pg.Pool({ connectionString: scenario.pg.url, max: 1, connectionTimeoutMillis: 5_000 });
    const firesClaimed = async () => {
      if (firePool === undefined) return Number.POSITIVE_INFINITY;
      const { rows } = await firePool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${scenario.pg.schema}.schedule_fires WHERE task = $1`, [TASK]);
      return rows[0]?.n ?? 0;
    };
    const victim = scenario.kill ? running[scenario.kill.agent] : undefined;
    await waitFor(
      async () => {
        if (victim && !killed && (await archivedCount()) >= (scenario.kill?.afterArchived ?? 0)) {
          const holding = (await fs.readdir(folder('work', victim.name, 'processing')).catch(() => [])).length;
          if (holding > 0) {
            victim.child.kill('SIGKILL');
            await victim.done;
            killed = { name: victim.name, holding, adoptions: [] };
          }
        }
        return (await archivedCount()) >= all && (await firesClaimed()) >= 2;
      },
      scenario.timeoutMs ?? 120_000,
      () => `${all} files to be archived${firePool === undefined ? '' : ' and two fire times claimed'}`,
    ).finally(() => firePool?.end());
    if (scenario.kill && !killed) anomalies.push(`agent-${scenario.kill.agent + 1} was never caught holding files, so it was not killed`);
  } finally {
    stoppingAt = Date.now();
    // A clean stop of every agent still running.
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
    for (const r of running) {
      const result = await r.done;
      if (r.name !== killed?.name && result.code !== 0) anomalies.push(`${r.name} exited with ${result.code ?? result.signal}: ${result.stderr.slice(-500)}`);
    }
  }
  const seconds = (Date.now() - started) / 1000;

  // Every file: archived exactly once, one success output, no fail output.
  const archivedNames = (await filesUnder(folder('archive'))).map((rel) => parseClaimedName(path.basename(rel))?.name ?? rel);
  const success = (await filesUnder(folder('outbox/success'))).filter((n) => n.startsWith('payments-'));
  const fail = await filesUnder(folder('outbox/fail'));
  const times = (list: string[]) => list.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<string, number>());
  const archivedTimes = times(archivedNames);
  const successTimes = times(success.map((n) => n.replace(/_success\.xml$/, '.xml')));
  for (const name of inputs) {
    if (archivedTimes.get(name) !== 1) anomalies.push(`${name} archived ${archivedTimes.get(name) ?? 0} times`);
    if (successTimes.get(name) !== 1) anomalies.push(`${name} has ${successTimes.get(name) ?? 0} success outputs`);
  }
  const exports = times((await filesUnder(folder('outbox/success'))).filter((n) => n.startsWith('export-')));
  for (const name of requests) {
    const output = name.replace(/\.xml$/, '-batches.xml');
    if (archivedTimes.get(name) !== 1) anomalies.push(`${name} archived ${archivedTimes.get(name) ?? 0} times`);
    if (exports.get(output) !== 1) anomalies.push(`${name} has ${exports.get(output) ?? 0} outputs ${output}`);
  }
  if (fail.length > 0) anomalies.push(`fail outputs: ${fail.slice(0, 5).join(', ')}`);

  // Every payment created once: one create per invoice.
  const paymentsCreated = sb.control.created().payments.length - createdBefore;
  if (paymentsCreated !== invoices.length) anomalies.push(`${paymentsCreated} payments created for ${invoices.length} records`);
  for (const invoiceId of invoices) {
    const n = sb.control.paymentsForInvoice(invoiceId).length;
    if (n !== 1) anomalies.push(`invoice ${invoiceId} has ${n} payments`);
  }

  let leftInProcessing = 0;
  for (const name of names) leftInProcessing += (await fs.readdir(folder('work', name, 'processing')).catch(() => [])).length;
  if (leftInProcessing > 0) anomalies.push(`${leftInProcessing} file(s) left in work/processing`);

  // Every fire time claimed once (the table's key) and run once, by the agent that claimed it.
  const fires: Record<string, number> = {};
  const scheduledRuns: Record<string, number> = {};
  // A time claimed in the second before the stop may be cut short by it (the run interrupted, or not begun).
  const firesBeforeStop: Record<string, number> = {};
  let skippedFires = 0;
  if (scenario.scheduleEverySeconds !== undefined) {
    const pool = new pg.Pool({ connectionString: scenario.pg.url, max: 1 });
    try {
      const rows = await pool.query<{ agent: string; n: number; early: number }>(
        `SELECT agent, count(*)::int AS n, count(*) FILTER (WHERE fire_at < $2)::int AS early FROM ${scenario.pg.schema}.schedule_fires WHERE task = $1 GROUP BY agent`,
        [TASK, new Date(stoppingAt - 1000)],
      );
      for (const row of rows.rows) {
        fires[row.agent] = row.n;
        firesBeforeStop[row.agent] = row.early;
      }
      // Fire times between the first and the last that no agent claimed: each was busy with a run of its
      // own (the overrun protection skips a time rather than run the task beside itself).
      const times = await pool.query<{ fire_at: Date }>(`SELECT fire_at FROM ${scenario.pg.schema}.schedule_fires WHERE task = $1 ORDER BY fire_at`, [TASK]);
      for (let i = 1; i < times.rows.length; i++) skippedFires += (times.rows[i]!.fire_at.getTime() - times.rows[i - 1]!.fire_at.getTime()) / 1000 / (scenario.scheduleEverySeconds ?? 1) - 1;
    } finally {
      await pool.end();
    }
    const finished = new pg.Pool({ connectionString: scenario.pg.url, max: 1 });
    try {
      // The runs of every agent are in the shared history, each with its agent's name.
      const rows = await finished.query<{ agent: string; n: number }>(
        `SELECT agent, count(*)::int AS n FROM ${scenario.pg.schema}.runs WHERE task_name = $1 AND result NOT IN ('interrupted', 'running') GROUP BY agent`,
        [TASK],
      );
      for (const row of rows.rows) scheduledRuns[row.agent] = row.n;
      // No two runs of the task at once, on any agents: a fire time during a run is skipped.
      const spans = await finished.query<{ agent: string; started: Date; ended: string | null }>(
        `SELECT agent, started_at AS started, record->>'endedAt' AS ended FROM ${scenario.pg.schema}.runs WHERE task_name = $1 AND record->>'trigger' = 'schedule' ORDER BY started_at`,
        [TASK],
      );
      for (let i = 1; i < spans.rows.length; i++) {
        const [before, run] = [spans.rows[i - 1]!, spans.rows[i]!];
        if (before.ended !== null && Date.parse(before.ended) > run.started.getTime()) anomalies.push(`runs of ${TASK} overlapped: ${before.agent}'s until ${before.ended}, ${run.agent}'s from ${run.started.toISOString()}`);
      }
    } finally {
      await finished.end();
    }
    for (const name of names) {
      const done = scheduledRuns[name] ?? 0;
      // Claimed and skipped: a run of the task was still going (the agent says so in its log).
      const log = await fs.readFile(folder('logs', `${name}.log`), 'utf8').catch(() => '');
      const skipped = log.split('\n').filter((l) => l.includes(`Task ${TASK} is still running on `)).length;
      const claimed = (fires[name] ?? 0) - skipped;
      // The killed agent may have claimed a fire time it never finished running.
      const least = name === killed?.name ? claimed - 1 : (firesBeforeStop[name] ?? 0) - skipped;
      if (done < least || done > claimed) anomalies.push(`${name} claimed ${fires[name] ?? 0} fire time(s) of ${TASK} (${firesBeforeStop[name] ?? 0} a second before the stop or earlier), skipped ${skipped} while a run went on, and finished ${done} run(s) of it`);
    }
    if (Object.values(fires).reduce((a, b) => a + b, 0) < 2) anomalies.push(`the schedule fired ${JSON.stringify(fires)} times only`);
  }

  if (killed) {
    for (const name of names.filter((n) => n !== killed?.name)) {
      const log = await fs.readFile(folder('logs', `${name}.log`), 'utf8').catch(() => '');
      killed.adoptions.push(...log.split('\n').filter((l) => l.includes(`Adopted agent ${killed?.name}`)));
    }
    if (killed.adoptions.length !== 1) anomalies.push(`agent ${killed.name} was adopted ${killed.adoptions.length} times`);
  }

  return {
    dir,
    seconds,
    filesPerSecond: all / seconds,
    archived: archivedNames.length,
    successOutputs: success.length,
    exportOutputs: [...exports.values()].reduce((a, b) => a + b, 0),
    failOutputs: fail.length,
    paymentsCreated,
    leftInProcessing,
    fires,
    scheduledRuns,
    skippedFires,
    ...(killed ? { killed } : {}),
    anomalies,
  };
}

/**
 * The config of agent `name` in the installation `dir` (inbox, outbox, archive and work/ shared, the
 * state in PostgreSQL; logs and config its own); returns its path.
 */
export async function writeAgentConfig(dir: string, name: string, sb: Sandbox, options: Pick<AgentsScenario, 'pg' | 'leaseSeconds' | 'scheduleEverySeconds'>): Promise<string> {
  const folder = (...p: string[]) => path.join(dir, ...p);
  const c = sb.connectwise;
  const file = folder(`${name}.json`);
  await fs.writeFile(
    file,
    JSON.stringify({
      agent: { name },
      state: { backend: 'postgres', postgres: { url: `env:${PG_URL_VAR}`, schema: options.pg.schema, leaseSeconds: options.leaseSeconds ?? 4, poolSize: 4 } },
      // The state is in PostgreSQL; folders.state is not used.
      folders: { inbox: folder('inbox'), success: folder('outbox/success'), fail: folder('outbox/fail'), archive: folder('archive'), work: folder('work'), state: folder('state') },
      watch: { stabilityMs: 150, sweepMs: 300, concurrency: 4 },
      sandbox: { mode: 'off' },
      log: { file: folder('logs', `${name}.log`), console: false, level: 'info' },
      http: { timeoutMs: 10_000, connectTimeoutMs: 2000, maxAttempts: 5, retryBudgetMs: 20_000, baseDelayMs: 10, maxDelayMs: 200, connections: 8 },
      connections: { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', requestsPerMinute: 0 } },
      tasks:
        options.scheduleEverySeconds !== undefined
          ? { [TASK]: { type: 'connectwise.export-batches', schedule: `*/${options.scheduleEverySeconds} * * * * *`, settings: { exportMode: 'New', outputFile: 'batches.xml' } } }
          : {},
    }),
  );
  return file;
}

/** Starts `dropwise start` with `config`, its state on `url`; resolves once it watches the inbox. */
export async function startAgent(name: string, config: string, url: string): Promise<Running> {
  const child = spawnCli(['start', '--config', config], { env: { [PG_URL_VAR]: url } });
  const done = finished(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('dropwise is watching') || child.exitCode !== null, 30_000, () => `${name} to start`);
  if (child.exitCode !== null) throw new Error(`${name} did not start: ${(await done).stderr}`);
  return { name, child, done };
}

/** The outcome's figures as a few lines, for the test's output. */
export function describeOutcome(o: AgentsOutcome): string {
  return [
    `${o.archived} files archived in ${o.seconds.toFixed(1)} s (${o.filesPerSecond.toFixed(1)} files/s); ${o.successOutputs} payment and ${o.exportOutputs} export outputs, ${o.failOutputs} fail outputs; ${o.paymentsCreated} payments created; ${o.leftInProcessing} left in processing`,
    `fire times claimed ${JSON.stringify(o.fires)}, scheduled runs finished ${JSON.stringify(o.scheduledRuns)}, fire times skipped by every agent (all busy) ${o.skippedFires}`,
    ...(o.killed ? [`${o.killed.name} SIGKILLed holding ${o.killed.holding} file(s); adoptions: ${o.killed.adoptions.map((l) => l.replace(/^.*Adopted/, 'Adopted')).join(' | ')}`] : []),
    o.anomalies.length > 0 ? `ANOMALIES: ${o.anomalies.join('; ')}` : 'no anomaly',
  ].join('\n');
}
