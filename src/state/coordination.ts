// Which coordination an agent has: alone with the local backend (nothing to coordinate: no lease, every
// schedule fire time its own), or among the agents sharing a PostgreSQL state.
import type { AppConfig } from '../config/load.js';
import type { Logger } from '../log.js';
import type { AgentRecord, Coordination, Fence, Heartbeat } from './store.js';

/** A lone agent's: it registers with no one, adopts no one, and claims every fire time. */
export class LocalCoordination implements Coordination {
  readonly shared = false;

  async register(): Promise<Fence> {
    return { agent: '', generation: 0 };
  }

  async heartbeat(): Promise<Heartbeat> {
    return { leaseUntil: new Date(8.64e15), liveAgents: 1 };
  }

  async adoptable(): Promise<AgentRecord[]> {
    return [];
  }

  async adopt(): Promise<boolean> {
    return false;
  }

  async adopted(): Promise<void> {}

  async claimFire(): Promise<boolean> {
    return true;
  }

  async agents(): Promise<AgentRecord[]> {
    return [];
  }

  async stop(): Promise<void> {}

  fence(): Fence | undefined {
    return undefined;
  }
}

export interface OpenedCoordination {
  coordination: Coordination;
  /** Closes what it opened (the PostgreSQL pool). */
  close(): Promise<void>;
}

/** The coordination of `config.state.backend`: for postgres a pool of its own on the migrated schema. */
export async function openCoordination(config: Pick<AppConfig, 'state' | 'agent'>, log: Logger): Promise<OpenedCoordination> {
  if (config.state.backend !== 'postgres') return { coordination: new LocalCoordination(), close: async () => undefined };
  const [{ openPool }, { migrate }, { MIGRATIONS }, { PgCoordination }] = await Promise.all([
    import('./postgres/pool.js'),
    import('./postgres/migrate.js'),
    import('./postgres/migrations.js'),
    import('./postgres/coordination.js'),
  ]);
  const pg = config.state.postgres;
  const pool = openPool(pg, { applicationName: config.agent.name, onIdleError: (err) => log.warn(`A connection to the PostgreSQL state store broke: ${err.message}`) });
  try {
    const { from, to } = await migrate(pool, pg.schema, MIGRATIONS);
    if (to > from) log.info(`Migrated the state schema ${pg.schema} from version ${from} to ${to}`);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return { coordination: new PgCoordination(pool, pg.leaseSeconds), close: () => pool.end() };
}
