// The agents sharing a PostgreSQL state: one row each, its lease renewed by heartbeats. The generation
// is the fence: it moves when the agent registers and when another agent adopts its work, and a write
// made under an older generation is refused (the state stores check it, see Fence). Every lease is
// measured on the server's clock, so agents whose clocks disagree still agree on who is dead.
import type pg from 'pg';
import { DropwiseError } from '../../errors.js';
import type { AgentRecord, AgentRegistration, FireClaim } from '../store.js';
import { stateError } from './pool.js';

interface AgentRow {
  name: string;
  generation: string;
  lease_until: Date;
  host: string;
  pid: number;
  version: string;
  work_dir: string;
  started_at: Date;
  heartbeat_at: Date;
  stopped_at: Date | null;
  nothing_left: boolean;
  adopted_by: string | null;
  adopted_at: Date | null;
  live: boolean;
}

const COLUMNS = 'a.name, a.generation, a.lease_until, a.host, a.pid, a.version, a.work_dir, a.started_at, a.heartbeat_at, a.stopped_at, a.nothing_left, a.adopted_by, a.adopted_at, a.lease_until > now() AS live';

function recordOf(row: AgentRow): AgentRecord {
  return {
    name: row.name,
    host: row.host,
    pid: row.pid,
    version: row.version,
    workDir: row.work_dir,
    generation: Number(row.generation),
    leaseUntil: row.lease_until.toISOString(),
    startedAt: row.started_at.toISOString(),
    heartbeatAt: row.heartbeat_at.toISOString(),
    ...(row.stopped_at !== null ? { stoppedAt: row.stopped_at.toISOString() } : {}),
    nothingLeft: row.nothing_left,
    ...(row.adopted_by !== null ? { adoptedBy: row.adopted_by } : {}),
    ...(row.adopted_at !== null ? { adoptedAt: row.adopted_at.toISOString() } : {}),
    live: row.live,
  };
}

export class AgentRegistry {
  constructor(private readonly pool: pg.Pool) {}

  /** Registers `agent` (again): a new generation, its lease running `leaseSeconds` from now. */
  async register(agent: AgentRegistration, leaseSeconds: number): Promise<{ generation: number; leaseUntil: Date }> {
    const { rows } = await this.query<{ generation: string; lease_until: Date }>(
      'registering the agent',
      `INSERT INTO agents (name, generation, lease_until, host, pid, version, work_dir, started_at, heartbeat_at)
       VALUES ($1, 1, now() + make_interval(secs => $6), $2, $3, $4, $5, now(), now())
       ON CONFLICT (name) DO UPDATE SET generation = agents.generation + 1, lease_until = EXCLUDED.lease_until,
         host = EXCLUDED.host, pid = EXCLUDED.pid, version = EXCLUDED.version, work_dir = EXCLUDED.work_dir,
         started_at = now(), heartbeat_at = now(), stopped_at = NULL, nothing_left = false, adopted_by = NULL, adopted_at = NULL
       RETURNING generation, lease_until`,
      [agent.name, agent.host, agent.pid, agent.version, agent.workDir, leaseSeconds],
    );
    const row = rows[0] as { generation: string; lease_until: Date };
    return { generation: Number(row.generation), leaseUntil: row.lease_until };
  }

  /**
   * Renews the lease of `name` under `generation`, and counts the agents whose lease runs (this one
   * included). DW_FENCED when the generation moved: another agent adopted this one's work.
   */
  async heartbeat(name: string, generation: number, leaseSeconds: number): Promise<{ leaseUntil: Date; liveAgents: number }> {
    const { rows } = await this.query<{ lease_until: Date | null; others: number; adopted_by: string | null }>(
      'renewing the agent\'s lease',
      `WITH renewed AS (
         UPDATE agents SET lease_until = now() + make_interval(secs => $3), heartbeat_at = now()
         WHERE name = $1 AND generation = $2 RETURNING lease_until)
       SELECT (SELECT lease_until FROM renewed) AS lease_until,
              (SELECT count(*)::int FROM agents WHERE name <> $1 AND lease_until > now()) AS others,
              (SELECT adopted_by FROM agents WHERE name = $1) AS adopted_by`,
      [name, generation, leaseSeconds],
    );
    const row = rows[0] as { lease_until: Date | null; others: number; adopted_by: string | null };
    if (row.lease_until === null) {
      throw new DropwiseError('DW_FENCED', `The lease of agent ${name} (generation ${generation}) was taken over${row.adopted_by !== null ? ` by agent ${row.adopted_by}, which adopted its work` : ''}`, {
        hint: 'The files it held were moved to the adopting agent; this agent registers again and goes on with new files',
      });
    }
    return { leaseUntil: row.lease_until, liveAgents: row.others + 1 };
  }

  /** Every agent registered, by name. */
  async list(): Promise<AgentRecord[]> {
    const { rows } = await this.query<AgentRow>('listing the agents', `SELECT ${COLUMNS} FROM agents a ORDER BY a.name`, [], 'DW_STATE_READ');
    return rows.map(recordOf);
  }

  /**
   * The agents other than `self` whose lease expired with work possibly left behind: never adopted, or
   * adopted by an agent that died in turn (or by `self`, which failed) before it had moved everything.
   */
  async adoptable(self: string): Promise<AgentRecord[]> {
    const { rows } = await this.query<AgentRow>(
      'listing the agents to adopt',
      `SELECT ${COLUMNS} FROM agents a LEFT JOIN agents b ON b.name = a.adopted_by
       WHERE a.name <> $1 AND a.lease_until < now() AND NOT a.nothing_left
         AND (a.adopted_by IS NULL OR a.adopted_by = $1 OR b.name IS NULL OR b.lease_until < now())
       ORDER BY a.name`,
      [self],
      'DW_STATE_READ',
    );
    return rows.map(recordOf);
  }

  /**
   * Fences `dead` for `by`: bumps its generation if its lease is still expired and its generation is
   * still the one listed. A write the dead agent has in flight holds its row (FOR SHARE), so this waits
   * for it; every later one is refused. Of two agents adopting at once, exactly one gets the row.
   */
  async adopt(dead: Pick<AgentRecord, 'name' | 'generation'>, by: string): Promise<boolean> {
    const { rowCount } = await this.query(
      `adopting agent ${dead.name}`,
      `UPDATE agents SET generation = generation + 1, adopted_by = $3, adopted_at = now()
       WHERE name = $1 AND generation = $2 AND lease_until < now()`,
      [dead.name, dead.generation, by],
    );
    return rowCount === 1;
  }

  /** `by` moved every file of `dead`: nothing is left to adopt until it registers again. */
  async adopted(dead: string, by: string): Promise<void> {
    await this.query(`closing the adoption of agent ${dead}`, 'UPDATE agents SET nothing_left = true WHERE name = $1 AND adopted_by = $2', [dead, by]);
  }

  /** A clean stop: the lease ends now; `nothingLeft` when its work/processing is empty. */
  async stop(name: string, generation: number, nothingLeft: boolean): Promise<void> {
    await this.query(
      'giving the agent\'s lease back',
      'UPDATE agents SET stopped_at = now(), lease_until = now(), nothing_left = $3 WHERE name = $1 AND generation = $2',
      [name, generation, nothingLeft],
    );
  }

  /**
   * Claims `task`'s fire time `fireAt` for `agent` when no agent had claimed it before; it is run unless
   * a run of the task is still going on a live agent (this one included), as one agent's scheduler
   * skips a time its last run overran. Claimed either way, so no agent runs a skipped time late.
   */
  async claimFire(task: string, fireAt: Date, agent: string): Promise<FireClaim> {
    const { rows } = await this.query<{ claimed: number; running_on: string | null }>(
      `claiming the ${fireAt.toISOString()} run of task ${task}`,
      `WITH claimed AS (INSERT INTO schedule_fires (task, fire_at, agent) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1)
       SELECT (SELECT count(*) FROM claimed)::int AS claimed,
              (SELECT r.agent FROM runs r JOIN agents a ON a.name = r.agent
                WHERE r.task_name = $1 AND r.result = 'running' AND a.stopped_at IS NULL AND a.lease_until > now() LIMIT 1) AS running_on`,
      [task, fireAt, agent],
    );
    const [row] = rows;
    if (row?.claimed !== 1) return { run: false };
    return row.running_on === null ? { run: true } : { run: false, runningOn: row.running_on };
  }

  private async query<T extends pg.QueryResultRow>(doing: string, sql: string, values: unknown[], otherwise: 'DW_STATE_WRITE' | 'DW_STATE_READ' = 'DW_STATE_WRITE'): Promise<pg.QueryResult<T>> {
    try {
      return await this.pool.query<T>(sql, values);
    } catch (err) {
      throw stateError(err, doing, otherwise);
    }
  }
}
