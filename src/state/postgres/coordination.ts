// Coordination of the agents sharing a PostgreSQL state: this agent's lease and fence over the agent
// registry, and schedule fire times claimed once (a row per task and time in schedule_fires).
import type pg from 'pg';
import { DropwiseError } from '../../errors.js';
import type { AgentRecord, AgentRegistration, Coordination, Fence, FireClaim, Heartbeat } from '../store.js';
import { AgentRegistry } from './agents.js';
import { transaction } from './transaction.js';

export class PgCoordination implements Coordination {
  readonly shared = true;
  private readonly registry: AgentRegistry;
  private current: Fence | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly leaseSeconds: number,
  ) {
    this.registry = new AgentRegistry(pool);
  }

  async register(agent: AgentRegistration): Promise<Fence> {
    const { generation } = await this.registry.register(agent, this.leaseSeconds);
    this.current = { agent: agent.name, generation };
    return this.current;
  }

  heartbeat(): Promise<Heartbeat> {
    return this.registry.heartbeat(this.self().agent, this.self().generation, this.leaseSeconds);
  }

  adoptable(): Promise<AgentRecord[]> {
    return this.registry.adoptable(this.self().agent);
  }

  adopt(dead: AgentRecord): Promise<boolean> {
    return this.registry.adopt(dead, this.self().agent);
  }

  adopted(dead: AgentRecord): Promise<void> {
    return this.registry.adopted(dead.name, this.self().agent);
  }

  claimFire(task: string, fireAt: Date): Promise<FireClaim> {
    return this.registry.claimFire(task, fireAt, this.self().agent);
  }

  agents(): Promise<AgentRecord[]> {
    return this.registry.list();
  }

  async stop(options: { processingEmpty: boolean }): Promise<void> {
    const fence = this.current;
    if (!fence) return;
    await this.registry.stop(fence.agent, fence.generation, options.processingEmpty);
  }

  fence(): Fence | undefined {
    return this.current;
  }

  holding<T>(doing: string, work: () => Promise<T>): Promise<T> {
    // The same fenced transaction as the stores' writes, with nothing written: it only holds the row.
    return transaction({ pool: this.pool, agent: this.current?.agent ?? '', fence: () => this.current }, doing, true, () => work());
  }

  private self(): Fence {
    if (!this.current) throw new DropwiseError('DW_INTERNAL', 'The agent must register before it coordinates with the others');
    return this.current;
  }
}
