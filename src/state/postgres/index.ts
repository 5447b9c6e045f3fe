// The PostgreSQL state store (state.backend postgres): the same interfaces as the local files, in the
// tables of migration 1, shared by every agent on the schema. Two processes with the same agent.name
// must not work on it together: lock() takes a session advisory lock keyed on the schema and the
// agent's name, on a connection of its own held until unlock (a process that dies drops its
// connection, and the server frees the lock with it).
import type Pg from 'pg';
import { requireCommonJs } from '../../commonjs.js';
import type { PostgresStateConfig } from '../../config/state.js';
import { DropwiseError } from '../../errors.js';
import { closeInterruptedRuns } from '../interrupted-runs.js';
import type { StateStore } from '../store.js';
import { PgActionLog } from './action-log.js';
import { PgFailedRecords } from './failed-records.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { PgCoordination } from './coordination.js';
import { openPool, stateError } from './pool.js';
import { PgRunArtifacts } from './run-artifacts.js';
import { PgRunHistory } from './run-history.js';
import type { Fence, PgStateContext } from './transaction.js';
import { PgTruthTable } from './truth-table.js';
import { PgWatermarks } from './watermarks.js';

const pg = requireCommonJs<typeof Pg>('pg');

export type { Fence } from './transaction.js';

/** state.postgres.leaseSeconds' default, for stores opened without the whole config (state copy). */
const DEFAULT_LEASE_SECONDS = 30;

export interface PostgresStateStoreOptions {
  postgres: Pick<PostgresStateConfig, 'url' | 'poolSize' | 'schema'> & Partial<Pick<PostgresStateConfig, 'leaseSeconds'>>;
  /** This agent's name (agent.name): recorded with its runs, and what lock() keys on. */
  agent: string;
  /** The fence every fenced write checks; absent: the store's own coordination's (this agent's lease, once registered). */
  fence?: () => Fence | undefined;
  /** Days of run history kept (history.keepDays); absent: every day. */
  historyKeepDays?: number;
  /** Told of a connection that broke while idle (the pool's, or the lock's). */
  onIdleError?: (err: Error) => void;
}

/** A PostgreSQL state store together with what only it has. */
export interface PostgresStateStore extends StateStore {
  /** The pool its stores use (for `dropwise state copy` and the coordination of agents). */
  readonly pool: Pg.Pool;
  readonly schema: string;
}

export function openPostgresStateStore(options: PostgresStateStoreOptions): PostgresStateStore {
  const { postgres, agent } = options;
  const pool = openPool(postgres, { applicationName: agent, ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}) });
  const coordination = new PgCoordination(pool, postgres.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
  const ctx: PgStateContext = { pool, agent, fence: options.fence ?? (() => coordination.fence()) };
  const runs = new PgRunHistory(ctx, options.historyKeepDays !== undefined ? { keepDays: options.historyKeepDays } : {});
  let lockClient: Pg.Client | undefined;
  let ended: Promise<void> | undefined;
  const lockKey = [`dropwise.agent.${postgres.schema}`, agent];

  const unlock = async () => {
    const held = lockClient;
    lockClient = undefined;
    if (!held) return;
    // Ending the session frees its advisory lock; the explicit unlock only makes it prompt.
    await held.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', lockKey).catch(() => undefined);
    await held.end().catch(() => undefined);
  };

  return {
    pool,
    schema: postgres.schema,
    runs,
    watermarks: new PgWatermarks(ctx),
    truth: new PgTruthTable(ctx),
    failures: new PgFailedRecords(ctx),
    actions: new PgActionLog(ctx),
    artifacts: (runId) => new PgRunArtifacts(ctx, runId),
    coordination,
    // Every write is committed when it returns.
    flush: () => Promise.resolve(),
    // A session advisory lock: one process of the agent across every host, freed when its session ends.
    lockSpansHosts: true,
    lock: async () => {
      if (lockClient) return {};
      const client = new pg.Client({ connectionString: postgres.url, application_name: `dropwise ${agent} (lock)`.slice(0, 63), options: `-c search_path=${postgres.schema}`, connectionTimeoutMillis: 10_000 });
      client.on('error', (err) => options.onIdleError?.(err));
      let taken: boolean;
      try {
        await client.connect();
        const found = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS taken', lockKey);
        taken = found.rows[0]?.taken === true;
      } catch (err) {
        await client.end().catch(() => undefined);
        throw stateError(err, `locking the state for agent ${agent}`);
      }
      if (!taken) {
        await client.end().catch(() => undefined);
        throw new DropwiseError('DW_LOCKED', `The agent name "${agent}" is in use on the PostgreSQL state schema "${postgres.schema}" by another dropwise process`, {
          hint: 'Stop the other process, or give this agent a name of its own (agent.name or DROPWISE_AGENT_NAME): each agent needs its own name',
        });
      }
      lockClient = client;
      return {};
    },
    recover: async () => {
      await migrate(pool, postgres.schema, MIGRATIONS);
      // Under the lock no other process runs as this agent: its runs still `running` are a dead process's.
      const interrupted = await closeInterruptedRuns(runs, { agent });
      return { interrupted, tempsRemoved: 0 };
    },
    unlock,
    close: async () => {
      await unlock();
      ended ??= pool.end();
      await ended;
    },
  };
}
