// A lone agent's coordination, with the local backend: nothing to coordinate (no lease, every schedule
// fire time its own). Agents sharing a PostgreSQL state coordinate through postgres/coordination.ts.
import type { AgentRecord, Coordination, Fence, FireClaim, Heartbeat } from './store.js';

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

  async claimFire(): Promise<FireClaim> {
    return { run: true };
  }

  async agents(): Promise<AgentRecord[]> {
    return [];
  }

  async stop(): Promise<void> {}

  fence(): Fence | undefined {
    return undefined;
  }

  holding<T>(_doing: string, work: () => Promise<T>): Promise<T> {
    return work();
  }
}
