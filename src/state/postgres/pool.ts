// The connection pool to the PostgreSQL state store. Every connection works in the configured schema
// (search_path), names itself after the agent (application_name, seen in pg_stat_activity), and an
// error on an idle connection (the server restarted) is reported, never thrown out of the process.
import type Pg from 'pg';
import { requireCommonJs } from '../../commonjs.js';
import { DropwiseError } from '../../errors.js';
import type { PostgresStateConfig } from '../../config/state.js';

const pg = requireCommonJs<typeof Pg>('pg');

export interface PoolOptions {
  /** Names the connections in pg_stat_activity: the agent's name. */
  applicationName: string;
  /** Told of a connection that broke while idle in the pool. */
  onIdleError?: (err: Error) => void;
}

export function openPool(config: Pick<PostgresStateConfig, 'url' | 'poolSize' | 'schema'>, options: PoolOptions): Pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    application_name: `dropwise ${options.applicationName}`.slice(0, 63),
    // The schema is checked as a plain identifier when the config loads.
    options: `-c search_path=${config.schema}`,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) => options.onIdleError?.(err));
  return pool;
}

/** SQLSTATE classes and client errors that mean "the server is not there", not "the query is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

/** Whether a pg error says the server cannot be reached now (so the work waits), rather than a fault in the request. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(err.message);
}

/** SQLSTATEs of a schema nobody has migrated yet: no such table (42P01), no such schema (3F000). */
const NOT_MIGRATED_CODES = new Set(['42P01', '3F000']);

/**
 * A pg failure as a DropwiseError: DW_STATE_UNAVAILABLE when the server cannot be reached (kept for a
 * retry), DW_STATE_SCHEMA when the schema has no dropwise tables yet (a command run before any agent
 * or `state migrate`), else `otherwise` (DW_STATE_WRITE or DW_STATE_READ). `doing` says what was
 * asked, for the message.
 */
export function stateError(err: unknown, doing: string, otherwise: 'DW_STATE_WRITE' | 'DW_STATE_READ' = 'DW_STATE_WRITE'): DropwiseError {
  if (err instanceof DropwiseError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (isUnavailable(err)) {
    return new DropwiseError('DW_STATE_UNAVAILABLE', `The PostgreSQL state store cannot be reached (${doing}): ${message}`, {
      hint: 'Check that the server is up and state.postgres.url is right; the work waits and resumes once it answers',
      cause: err,
    });
  }
  if (NOT_MIGRATED_CODES.has(String((err as { code?: unknown }).code))) {
    return new DropwiseError('DW_STATE_SCHEMA', `The PostgreSQL state schema has no dropwise tables yet (${doing}): ${message}`, {
      hint: 'Run `dropwise state migrate` (or start the agent, which migrates the schema), then try again',
      cause: err,
    });
  }
  return new DropwiseError(otherwise, `The PostgreSQL state store failed ${doing}: ${message}`, { cause: err });
}
