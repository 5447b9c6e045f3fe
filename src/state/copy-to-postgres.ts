// `dropwise state copy --from local --to postgres`: an installation that grows into several agents
// keeps its truth table, watermarks, run history, failed records, action log and run artifacts. Read
// from the local state folder under its lock (no agent may be writing it), written with the stores'
// own rules: truth entries upserted keeping the first `created`, watermarks moved forward only, and
// runs, failed records, actions and artifacts added only when not there yet, so a second copy adds
// nothing. A run's details naming a copied artifact file are pointed at the copy.
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { openStateStore } from './index.js';
import { insertActions, copiedActionId } from './postgres/action-log.js';
import { insertFailedRecords } from './postgres/failed-records.js';
import type { PostgresStateStore } from './postgres/index.js';
import { artifactLocation } from './postgres/run-artifacts.js';
import { insertRuns } from './postgres/run-history.js';
import { transaction, type PgStateContext } from './postgres/transaction.js';
import { upsertTruth } from './postgres/truth-table.js';
import type { FailedRecord, RunRecord } from './store.js';

export interface CopyCounts {
  truthEntries: number;
  watermarkKeys: number;
  /** Added / found (a run or record already there is not added again). */
  runs: { added: number; found: number };
  failedRecords: { added: number; found: number };
  actions: { added: number; found: number };
  artifacts: { added: number; found: number };
}

const PAGE = 1000;

export async function copyLocalStateToPostgres(stateDir: string, target: PostgresStateStore, agent: string): Promise<CopyCounts> {
  const local = openStateStore(stateDir);
  await local.lock('state copy');
  try {
    const ctx: PgStateContext = { pool: target.pool, agent, fence: () => undefined };
    const write = <T>(doing: string, work: (client: pg.PoolClient) => Promise<T>) => transaction(ctx, doing, false, work);

    let truthEntries = 0;
    for await (const batch of local.truth.batches()) {
      await write('copying truth table entries', (client) => upsertTruth(client, batch));
      truthEntries += batch.length;
    }

    const watermarks = await local.watermarks.all();
    for (const [key, values] of Object.entries(watermarks)) await target.watermarks.set(key, values);

    const artifacts = await listArtifacts(stateDir);
    const moved = new Map(artifacts.map((a) => [a.file, artifactLocation(a.kind, a.runId)]));
    let artifactsAdded = 0;
    for (const a of artifacts) {
      const content = await fs.readFile(a.file, 'utf8');
      const done = await write('copying a run artifact', (client) =>
        client.query('INSERT INTO run_artifacts (kind, run_id, content, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, run_id) DO NOTHING', [a.kind, a.runId, content, a.createdAt]),
      );
      artifactsAdded += done.rowCount ?? 0;
    }

    const runs: RunRecord[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await local.runs.query({ limit: PAGE, offset });
      runs.push(...page.runs.map((run) => pointAtCopies(run, moved)));
      if (page.runs.length < PAGE) break;
    }
    // Oldest first, so runs started in the same millisecond keep their order.
    runs.reverse();
    const runsAdded = await write('copying the run history', (client) => insertRuns(client, agent, runs));

    const failed: FailedRecord[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await local.failures.search({ limit: PAGE, offset });
      failed.push(...page.records);
      if (page.records.length < PAGE) break;
    }
    failed.reverse();
    const failedAdded = await write('copying the failed records', (client) => insertFailedRecords(client, agent, failed));

    const actions = (await local.actions.all()).map((entry) => ({ id: copiedActionId(entry), entry }));
    const actionsAdded = await write('copying the action log', (client) => insertActions(client, agent, actions));

    return {
      truthEntries,
      watermarkKeys: Object.keys(watermarks).length,
      runs: { added: runsAdded, found: runs.length },
      failedRecords: { added: failedAdded, found: failed.length },
      actions: { added: actionsAdded, found: actions.length },
      artifacts: { added: artifactsAdded, found: artifacts.length },
    };
  } finally {
    await local.close();
  }
}

interface LocalArtifact {
  kind: string;
  runId: string;
  file: string;
  createdAt: string;
}

/** The committed artifacts of the state folder: `<kind>/<run id>.txt` (FileRunArtifacts); temp files are not. */
async function listArtifacts(stateDir: string): Promise<LocalArtifact[]> {
  const found: LocalArtifact[] = [];
  for (const kind of await fs.readdir(stateDir, { withFileTypes: true })) {
    if (!kind.isDirectory()) continue;
    const dir = path.join(stateDir, kind.name);
    for (const name of await fs.readdir(dir)) {
      if (!name.endsWith('.txt') || name.startsWith('.')) continue;
      const file = path.join(dir, name);
      const stat = await fs.stat(file);
      found.push({ kind: kind.name, runId: name.slice(0, -'.txt'.length), file, createdAt: stat.mtime.toISOString() });
    }
  }
  return found;
}

/** The run with every detail that names a copied artifact file naming the copy instead. */
function pointAtCopies(run: RunRecord, moved: Map<string, string>): RunRecord {
  if (!run.details) return run;
  const details = Object.fromEntries(Object.entries(run.details).map(([k, v]) => [k, typeof v === 'string' ? (moved.get(v) ?? v) : v]));
  return { ...run, details };
}
