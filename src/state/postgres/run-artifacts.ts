// Run artifacts (the GL export's entry id list) in PostgreSQL, so any agent can read what another's run
// left: one row per kind and run, written whole when committed (nothing shows before), and only the
// newest `keep` of a kind kept. An artifact's `path` is `postgres:run_artifacts/<kind>/<run id>`.
import type pg from 'pg';
import { crashPoint } from '../../crash-point.js';
import type { RunArtifact, RunArtifacts } from '../run-artifacts.js';
import { read, transaction, type PgStateContext } from './transaction.js';

const PREFIX = 'postgres:run_artifacts/';

export const artifactLocation = (kind: string, runId: string): string => `${PREFIX}${kind}/${runId}`;

/** Stores an artifact (replacing one of the same kind and run), then drops the oldest of its kind past `keep`. */
export async function storeArtifact(client: pg.ClientBase, artifact: { kind: string; runId: string; content: string; createdAt?: string }, keep: number): Promise<void> {
  await client.query(
    `INSERT INTO run_artifacts (kind, run_id, content, created_at) VALUES ($1, $2, $3, coalesce($4::timestamptz, now()))
     ON CONFLICT (kind, run_id) DO UPDATE SET content = EXCLUDED.content, created_at = EXCLUDED.created_at`,
    [artifact.kind, artifact.runId, artifact.content, artifact.createdAt ?? null],
  );
  await client.query(
    `DELETE FROM run_artifacts WHERE kind = $1 AND run_id NOT IN (SELECT run_id FROM run_artifacts WHERE kind = $1 ORDER BY created_at DESC, seq DESC LIMIT $2)`,
    [artifact.kind, keep],
  );
}

export class PgRunArtifacts implements RunArtifacts {
  constructor(
    private readonly ctx: PgStateContext,
    private readonly runId: string,
  ) {}

  create(kind: string, keep: number): Promise<RunArtifact> {
    const { ctx, runId } = this;
    const location = artifactLocation(kind, runId);
    let parts: string[] = [];
    return Promise.resolve({
      path: location,
      write(text: string) {
        parts.push(text);
        return Promise.resolve();
      },
      async commit() {
        const content = parts.join('');
        parts = [];
        await transaction(ctx, `storing the run artifact ${kind}/${runId}`, false, (client) => storeArtifact(client, { kind, runId, content }, keep));
        crashPoint('artifact.committed');
        return location;
      },
      async discard() {
        parts = [];
        await transaction(ctx, `dropping the run artifact ${kind}/${runId}`, false, (client) => client.query('DELETE FROM run_artifacts WHERE kind = $1 AND run_id = $2', [kind, runId]));
      },
    });
  }

  async read(location: string): Promise<string | undefined> {
    if (!location.startsWith(PREFIX)) return undefined;
    const [kind, runId] = location.slice(PREFIX.length).split('/');
    const found = await read<{ content: string }>(this.ctx, 'reading a run artifact', 'SELECT content FROM run_artifacts WHERE kind = $1 AND run_id = $2', [kind, runId]);
    return found.rows[0]?.content;
  }
}
