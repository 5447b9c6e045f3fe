// How the PostgreSQL stores talk to the server: a read is one pooled query; a durable write is one
// transaction that first checks the agent's fence, so a write of an agent whose work another agent
// adopted is refused (DW_FENCED) rather than made. Every pg failure leaves as a DropwiseError
// (stateError), never with the URL or its password in the message.
import type pg from 'pg';
import { DropwiseError } from '../../errors.js';
import { stateError } from './pool.js';

/** The lease generation an agent holds (the agents table): a write is made only while it is still current. */
export interface Fence {
  agent: string;
  generation: number;
}

export interface PgStateContext {
  pool: pg.Pool;
  /** This agent's name: recorded with its runs, failed records and actions. */
  agent: string;
  /** The fence to check in every durable write; undefined: no coordination (e.g. `dropwise state copy`). */
  fence: () => Fence | undefined;
}

/** A page size for LIMIT: null (no limit) for Infinity, which callers reading everything pass. */
export const limitOf = (limit: number): number | null => (Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : null);

/** One query on a pooled connection; `doing` names it in an error. */
export async function read<T extends pg.QueryResultRow>(ctx: PgStateContext, doing: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
  try {
    return await ctx.pool.query<T>(sql, values);
  } catch (err) {
    throw stateError(err, doing, 'DW_STATE_READ');
  }
}

/** Runs `work` in one transaction, after the fence check when `fenced`: durable when it returns. */
export async function transaction<T>(ctx: PgStateContext, doing: string, fenced: boolean, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await ctx.pool.connect();
  } catch (err) {
    throw stateError(err, doing);
  }
  let broken: unknown;
  try {
    await client.query('BEGIN');
    const fence = fenced ? ctx.fence() : undefined;
    if (fence) {
      // FOR SHARE: an adoption (which bumps the generation) waits for this write, and every later one sees the new generation.
      const held = await client.query('SELECT 1 FROM agents WHERE name = $1 AND generation = $2 FOR SHARE', [fence.agent, fence.generation]);
      if (held.rowCount === 0) {
        throw new DropwiseError('DW_FENCED', `Agent ${fence.agent} no longer holds its lease (generation ${fence.generation}): another agent adopted its work, so ${doing} was refused`, {
          hint: 'Nothing to do: the adopting agent finishes the work; find out why this agent lost its lease (network, a paused machine)',
        });
      }
    }
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken = err;
    await client.query('ROLLBACK').catch(() => undefined);
    throw stateError(err, doing);
  } finally {
    // A connection that failed mid-transaction is not handed to the next caller.
    client.release(broken !== undefined && !(broken instanceof DropwiseError) ? (broken as Error) : undefined);
  }
}
